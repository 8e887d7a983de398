#!/usr/bin/env bash
# The messages of the code (gettext, written in English) into geogrid/locale/zh_Hans/LC_MESSAGES/django.po, and
# that catalog compiled to django.mo. Run it after adding or changing a message, translate every new or fuzzy
# entry in django.po, and run it again; commit both files (tests/test_messages.py fails until they match).
set -euo pipefail
cd "$(dirname "$0")/.."
ignore=(--ignore='.venv/*' --ignore='node_modules/*' --ignore='maps/node_modules/*' --ignore='.pg/*' --ignore='var/*'
        --ignore='tests/*' --ignore='scripts/*')
.venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete "${ignore[@]}"
sed -i '/^"POT-Creation-Date: /d' geogrid/locale/zh_Hans/LC_MESSAGES/django.po  # no churn from a bare re-run
.venv/bin/python manage.py compilemessages -l zh_Hans "${ignore[@]}"
