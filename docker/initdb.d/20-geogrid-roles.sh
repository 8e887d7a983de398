#!/bin/sh
# Runs once, when the database volume is first initialised (after the PostGIS image's own 10_postgis.sh):
# the roles of README "Database roles". postgres stays the only superuser; geogrid_owner owns the database and
# runs migrations and backups; geogrid is the application role (no superuser, no DDL), granted its rights by
# the owner after each migrate (geogrid.core.audit.restrict_app_role).
set -eu
: "${GEOGRID_OWNER_PASSWORD:?set GEOGRID_OWNER_PASSWORD}"
: "${GEOGRID_APP_PASSWORD:?set GEOGRID_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
     -v owner_password="$GEOGRID_OWNER_PASSWORD" -v app_password="$GEOGRID_APP_PASSWORD" <<'SQL'
CREATE ROLE geogrid_owner LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE geogrid LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE geogrid OWNER TO geogrid_owner;
REVOKE ALL ON DATABASE geogrid FROM PUBLIC;
GRANT CONNECT ON DATABASE geogrid TO geogrid;
SQL
# Extensions are the superuser's: PostGIS (created by the image in POSTGRES_DB) and pgRouting where the server has it
# (optional: the stock image has not, and only a test uses it); in template1
# too, so that a database created by the owner (a restore test, the test suite) has them.
for db in geogrid template1; do
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$db" \
       -c "CREATE EXTENSION IF NOT EXISTS postgis; DO \$\$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN CREATE EXTENSION IF NOT EXISTS pgrouting; END IF; END \$\$;"
done
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d geogrid -c "ALTER SCHEMA public OWNER TO geogrid_owner;"
