#!/bin/sh
# The app container's command: gunicorn, workers from the core count (GUNICORN_WORKERS overrides).
set -eu
exec gunicorn geogrid.wsgi -b 0.0.0.0:8000 --workers "${GUNICORN_WORKERS:-$((2 * $(nproc) + 1))}" \
     --access-logfile - --timeout 120
