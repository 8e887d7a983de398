#!/usr/bin/env bash
# Idempotent set-up shared by scripts/demo.sh and scripts/test.sh:
#   Debian packages (when missing) -> .venv + requirements -> project-local PostGIS cluster
#   (unless DATABASE_URL is set) -> its roles -> extensions -> migrations (as the owner role).
# Source it (`. scripts/setup.sh`): it exports GEOGRID_STARTED_DB=1 when it started the cluster,
# so the caller can stop it again and leave the machine as it found it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GEOGRID_PGPORT="${GEOGRID_PGPORT:-54329}"
PG_BIN="/usr/lib/postgresql/15/bin"
PG_HOME="$ROOT/.pg"  # the cluster's folder (tests point these four at a scratch cluster)
PG_DATA="$PG_HOME/data"
PG_RUN="$PG_HOME/run"
PG_LOG="$PG_HOME/postgresql.log"
PY=python3

log() { printf '\033[1;34m[geogrid]\033[0m %s\n' "$*"; }

as_pg() {
  # The server refuses to run as root: as root, run cluster commands as the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_debian_packages() {
  local wanted=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting gdal-bin libgdal32
                libgeos-c1v5 libproj25 binutils python3-venv "$@")
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo dpkg --configure -a  # finish what an interrupted earlier run left half-configured
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python_env() {
  # An interrupted `venv` can leave a python without pip: recreate it then.
  [ -x .venv/bin/python ] && [ -x .venv/bin/pip ] || { log "creating .venv"; $PY -m venv --clear .venv; rm -f .venv/.requirements.sha256; }
  local stamp=.venv/.requirements.sha256
  local want
  want="$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing requirements/dev.txt (base, test, bench) into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -r requirements/dev.txt
    echo "$want" > "$stamp"
  fi
}

install_frontend_tools() {
  # The front end's checks (scripts/test.sh: eslint, vitest, the bundle check): Node.js and npm from Debian where
  # the machine has none, then the locked dev tools into node_modules/ whenever package-lock.json changed. The
  # server never needs them: the page bundles are committed (scripts/frontend.mjs).
  command -v npm >/dev/null || install_debian_packages nodejs npm
  local stamp=node_modules/.package-lock.sha256
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing the front end's tools (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

ensure_traversable() {  # ensure_traversable DIR
  # The postgres user must reach .pg/ inside the clone: grant search (x) on parents that lack it.
  local dir
  dir="$(dirname "$1")"
  while [ "$dir" != "/" ]; do
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      log "granting search permission on $dir so the postgres user can reach .pg/"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

pg_is_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_server_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }

pg_start_options() {
  # The server's command line. Durable (fsync, synchronous_commit, full_page_writes on) unless GEOGRID_PG_FAST=1,
  # which scripts/test.sh sets for a cluster that only a test run uses. Unix socket only, closed to other users.
  local durable=on
  [ "${GEOGRID_PG_FAST:-}" = 1 ] && durable=off
  printf '%s' "-k '$PG_RUN' -p $GEOGRID_PGPORT -c listen_addresses='' -c unix_socket_permissions=0700"
  printf '%s' " -c fsync=$durable -c synchronous_commit=$durable -c full_page_writes=$durable"
}

pg_hba_lines() {
  # Peer authentication through the map below; nothing else (no trust, no TCP, no replication).
  echo "# Written by scripts/setup.sh: only the OS users in pg_ident.conf's map geogrid connect, as the roles listed there."
  echo "local all all peer map=geogrid"
}

pg_ident_lines() {
  # The OS user who runs the commands (root when run as root) may connect as the project's roles (geogrid_setup:
  # the roles conversion's helper). The server's own OS user may connect as the superuser only.
  local me role
  me="$(id -un)"
  echo "# Written by scripts/setup.sh. MAPNAME SYSTEM-USERNAME PG-USERNAME"
  for role in postgres geogrid_owner geogrid geogrid_setup; do echo "geogrid $me $role"; done
  [ "$(pg_server_user)" != "$me" ] && echo "geogrid $(pg_server_user) postgres"
  return 0
}

write_if_changed() {  # write_if_changed FILE < content; returns 0 when the file changed
  local file="$1" content
  content="$(cat)"
  [ "$(as_pg cat "$file" 2>/dev/null)" = "$content" ] && return 1
  printf '%s\n' "$content" | as_pg tee "$file" >/dev/null
  as_pg chmod 600 "$file"
}

configure_access() {
  # Idempotent: rewrites pg_hba.conf/pg_ident.conf when they differ (a cluster made with trust is converted here)
  # and reloads a running server; no restart is needed for authentication.
  local changed=0
  pg_hba_lines | write_if_changed "$PG_DATA/pg_hba.conf" && changed=1
  pg_ident_lines | write_if_changed "$PG_DATA/pg_ident.conf" && changed=1
  as_pg chmod 700 "$PG_HOME" "$PG_DATA" "$PG_RUN"
  if [ "$changed" = 1 ] && pg_is_running; then
    log "authentication changed to peer (pg_hba.conf, pg_ident.conf): reloading PostgreSQL"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" reload >/dev/null
  fi
}

pg_start() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o "$(pg_start_options)" start >/dev/null
}

start_local_cluster() {
  mkdir -p "$PG_HOME"
  if [ "$(id -u)" = 0 ]; then
    ensure_traversable "$PG_HOME"
    chown postgres: "$PG_HOME"
  fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    # initdb into a scratch folder and rename it when done, so an interrupted run never leaves half a cluster.
    log "creating the project-local PostgreSQL cluster in .pg/data"
    rm -rf "$PG_DATA" "$PG_DATA.new"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA.new" -U postgres --auth-local=peer --auth-host=reject --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
    as_pg mv "$PG_DATA.new" "$PG_DATA"
  fi
  as_pg mkdir -p "$PG_RUN"
  configure_access
  if pg_is_running; then
    log "PostgreSQL already running (port $GEOGRID_PGPORT, socket .pg/run)"
    if [ "${GEOGRID_PG_FAST:-}" != 1 ] && [ "$(pg_sql postgres postgres -tAc 'SHOW fsync')" != on ]; then
      # fsync given on the command line outranks the configuration files: only a restart with new options turns it on.
      log "PostgreSQL runs with fsync off: restarting it durable (fsync, synchronous_commit on)"
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
      pg_start
    fi
  else
    log "starting PostgreSQL on unix socket .pg/run, port $GEOGRID_PGPORT"
    pg_start
    export GEOGRID_STARTED_DB=1
  fi
  ensure_roles
  # pgRouting when installed (optional: only a test cross-checks with it). template1 too, so the test database
  # that pytest-django creates has the extensions from the start.
  for db in geogrid template1; do
    pg_sql postgres "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis; DO \$\$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN CREATE EXTENSION IF NOT EXISTS pgrouting; END IF; END \$\$;"
  done
}

pg_sql() {  # pg_sql ROLE DATABASE psql-arguments...
  local role="$1" db="$2"
  shift 2
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$GEOGRID_PGPORT" -U "$role" -d "$db" "$@"
}

ensure_roles() {
  # Roles (README "Database roles"): postgres is the cluster's superuser, geogrid_owner owns the databases and
  # the schema and runs migrations, geogrid is the application's role (no superuser, no DDL).
  # Clusters made before this split have one superuser named geogrid: it becomes postgres. A session cannot
  # rename its own role, hence a helper superuser that lives for the rename only.
  if ! pg_sql postgres postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    log "converting the cluster's roles: the superuser geogrid becomes postgres"
    pg_sql geogrid postgres -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geogrid_setup') THEN
          CREATE ROLE geogrid_setup SUPERUSER LOGIN;
        END IF; END \$\$"
    pg_sql geogrid_setup postgres -c "ALTER ROLE geogrid RENAME TO postgres"
  fi
  pg_sql postgres postgres -c "DROP ROLE IF EXISTS geogrid_setup"
  pg_sql postgres postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geogrid_owner') THEN CREATE ROLE geogrid_owner; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geogrid') THEN CREATE ROLE geogrid; END IF;
END $$;
ALTER ROLE geogrid_owner LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE geogrid LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SQL
  if ! pg_sql postgres postgres -tAc "SELECT 1 FROM pg_database WHERE datname='geogrid'" | grep -q 1; then
    pg_sql postgres postgres -c "CREATE DATABASE geogrid OWNER geogrid_owner"
  fi
  # Every project database (test databases too, so the owner can drop them) belongs to geogrid_owner, and
  # so does every table, sequence, view and function in geogrid's public schema that no extension owns.
  pg_sql postgres postgres <<'SQL'
DO $$ DECLARE d name; BEGIN
  FOR d IN SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'
             AND datdba <> 'geogrid_owner'::regrole LOOP
    EXECUTE format('ALTER DATABASE %I OWNER TO geogrid_owner', d);
  END LOOP;
END $$;
SQL
  pg_sql postgres geogrid <<'SQL'
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND c.relowner <> 'geogrid_owner'::regrole
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype IN ('e', 'a', 'i')) LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO geogrid_owner', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proowner <> 'geogrid_owner'::regrole
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO geogrid_owner', r.name);
  END LOOP;
END $$;
SQL
}

stop_local_cluster() {
  if [ "${GEOGRID_STARTED_DB:-}" = 1 ] && [ -z "${DATABASE_URL:-}" ]; then
    log "stopping the project-local PostgreSQL (this run started it)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
  fi
}

geogrid_setup() {
  install_debian_packages "$@"
  install_python_env
  if [ -z "${DATABASE_URL:-}" ]; then
    start_local_cluster
  else
    log "using DATABASE_URL; the project-local cluster is not started"
  fi
  log "migrating (as the owner role)"
  GEOGRID_DB_ROLE=owner .venv/bin/python manage.py migrate --noinput -v 0
  GEOGRID_DB_ROLE=owner .venv/bin/python manage.py createcachetable
}
