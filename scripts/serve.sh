#!/usr/bin/env bash
# Command 2: serve GeoGrid for real on this machine, without demo data. The same set-up as scripts/demo.sh
# (packages, .venv, the project-local PostGIS, migrations as the owner role), then, as the app role:
#   gunicorn with production settings (DEBUG off, whitenoise for the static files collected into var/static,
#   the secret key generated once into var/secret_key), on GEOGRID_BIND (default 127.0.0.1:8000) with
#   GEOGRID_WORKERS workers (default 2 per core + 1, geogrid/gunicorn_conf.py);
#   the background worker (`manage.py run_worker`), started again with a growing pause whenever it exits;
#   the nightly backups (`manage.py backup --nightly`, as the owner role).
# Each runs under scripts/supervise.py, which writes its output to var/log/<name>.log, rotated.
# Ctrl-C (or SIGTERM) stops them all, and the database too if this run started it.
# scripts/demo.sh sources this file for geogrid_serve; run directly, it serves.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

SUPERVISED_PIDS=()

supervised() {  # supervised NAME [supervise.py options] -- COMMAND...: run it in the background, log var/log/NAME.log
  local name="$1"
  shift
  .venv/bin/python scripts/supervise.py --log "$ROOT/var/log/$name.log" "$@" &
  SUPERVISED_PIDS+=("$!")
}

stop_serving() {
  trap - EXIT INT TERM
  local pid
  for pid in "${SUPERVISED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SUPERVISED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_local_cluster
}

geogrid_serve() {
  # After geogrid_setup: serve until gunicorn stops or this shell gets Ctrl-C/SIGTERM (see geogrid_run).
  export DJANGO_SETTINGS_MODULE=geogrid.settings.production GEOGRID_DB_ROLE=app
  # gunicorn speaks plain HTTP; behind a TLS proxy set GEOGRID_HTTPS=1 (secure cookies, HSTS, redirect).
  export GEOGRID_HTTPS="${GEOGRID_HTTPS:-0}"
  local bind="${GEOGRID_BIND:-127.0.0.1:8000}"
  mkdir -p "$ROOT/var/log"
  log "making the hillshade of every DEM that has none or an out-of-date one (manage.py prepare_rasters)"
  .venv/bin/python manage.py prepare_rasters
  log "collecting static files into var/static"
  .venv/bin/python manage.py collectstatic --noinput -v 0
  supervised worker --restart -- .venv/bin/python manage.py run_worker
  log "background worker started, restarted if it stops (log: var/log/worker.log)"
  supervised backup --restart -- env GEOGRID_DB_ROLE=owner .venv/bin/python manage.py backup --nightly
  log "nightly backups at ${GEOGRID_BACKUP_AT:-02:30} into ${GEOGRID_BACKUP_DIR:-var/backups} (log: var/log/backup.log)"
  supervised gunicorn --echo -- .venv/bin/gunicorn -c geogrid/gunicorn_conf.py
  local server="${SUPERVISED_PIDS[-1]}"
  log "serving GeoGrid on http://$bind under gunicorn (log: var/log/gunicorn.log; Ctrl-C to stop)"
  local status=0
  wait "$server" || status=$?
  log "gunicorn stopped (status $status): see var/log/gunicorn.log"
  return "$status"
}

geogrid_run() {  # geogrid_run [COMMAND...]: set up, run COMMAND (the demo loads its town), then serve
  trap stop_serving EXIT
  trap 'exit 130' INT TERM
  geogrid_setup
  "$@"
  geogrid_serve
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  geogrid_run
fi
