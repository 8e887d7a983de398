#!/usr/bin/env bash
# Command 1: install everything, start the project-local PostGIS, migrate and load the demo town (as the owner
# role), then serve GeoGrid on http://127.0.0.1:8000 together with its background worker (both as the app
# role). Ctrl-C stops the server and the worker, and stops the database too if this run started it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

cleanup() {
  trap - EXIT INT TERM
  [ -n "${WORKER_PID:-}" ] && kill "$WORKER_PID" 2>/dev/null || true
  stop_local_cluster
}
trap cleanup EXIT INT TERM

geogrid_setup
log "loading the demo town"
GEOGRID_DB_ROLE=owner .venv/bin/python manage.py load_demo

mkdir -p "$ROOT/var"
.venv/bin/python manage.py db_worker >>"$ROOT/var/worker.log" 2>&1 &
WORKER_PID=$!
log "background worker started (log: var/worker.log)"
log "serving GeoGrid on http://127.0.0.1:8000  (Ctrl-C to stop)"
.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000
