#!/usr/bin/env bash
# Command 1: install everything, start the project-local PostGIS, migrate and load the demo town (as the owner
# role), then serve it exactly as scripts/serve.sh does (gunicorn, production settings, the supervised
# background worker). The demo logins get random passwords when they are created, printed once and kept in
# var/demo-logins.txt (mode 0600). Ctrl-C stops everything, and the database too if this run started it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/serve.sh"

load_demo_town() {
  log "loading the demo town"
  # The default settings: production ones do not install the demo generator.
  DJANGO_SETTINGS_MODULE=geogrid.settings GEOGRID_DB_ROLE=owner .venv/bin/python manage.py load_demo
}

geogrid_run load_demo_town
