"""The set-up command is idempotent, and the database roles are what README "Database roles" says."""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from geogrid.core.audit import audit_tables

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="checks the project-local cluster")
def test_second_setup_run_reuses_everything():
    result = subprocess.run(
        ["bash", "-c", ". scripts/setup.sh && geogrid_setup && GEOGRID_DB_ROLE=owner .venv/bin/python manage.py load_demo"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "PostgreSQL already running" in out
    assert "creating the project-local PostgreSQL cluster" not in out
    assert "converting the cluster's roles" not in out
    assert "creating .venv" not in out and "installing requirements/" not in out
    assert "installing Debian packages" not in out
    assert "already loaded" in out


SCRATCH_PORT = "54398"


@pytest.mark.skipif(os.geteuid() != 0 or not PG_BIN.exists(), reason="needs root (to run PostgreSQL as postgres)")
def test_setup_converts_a_cluster_whose_superuser_is_geogrid():
    """Clusters made before the roles were split have one superuser, `geogrid`, owning everything. The
    conversion runs twice here: a repeated (or earlier interrupted) run must find nothing left to do."""
    scratch = Path(tempfile.mkdtemp(prefix="geogrid-roles-"))
    scratch.chmod(0o755)
    shell = f"""set -e
        . scripts/setup.sh
        PG_DATA={scratch}/data PG_RUN={scratch}/run PG_LOG={scratch}/log GEOGRID_PGPORT={SCRATCH_PORT}
        chown postgres: {scratch}
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U geogrid --auth=trust --locale=C.UTF-8 >/dev/null
        as_pg mkdir -p "$PG_RUN"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -o "-k $PG_RUN -p $GEOGRID_PGPORT -c listen_addresses=''" \
            start >/dev/null
        pg_sql geogrid postgres -c "CREATE DATABASE geogrid"
        pg_sql geogrid geogrid -c "CREATE TABLE legacy (id int); CREATE FUNCTION legacy_f() RETURNS int
                                    LANGUAGE sql AS 'SELECT 1'"
        ensure_roles
        ensure_roles
        pg_sql postgres geogrid -tA -c "
            SELECT string_agg(rolname || ':' || rolsuper, ' ' ORDER BY rolname) FROM pg_roles
              WHERE rolname IN ('postgres', 'geogrid', 'geogrid_owner', 'geogrid_setup');
            SELECT datdba::regrole FROM pg_database WHERE datname = 'geogrid';
            SELECT relowner::regrole FROM pg_class WHERE relname = 'legacy';
            SELECT proowner::regrole FROM pg_proc WHERE proname = 'legacy_f'"
    """
    try:
        result = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        assert result.stdout.count("converting the cluster's roles") == 1
        assert result.stdout.splitlines()[-4:] == [
            "geogrid:false geogrid_owner:false postgres:true", "geogrid_owner", "geogrid_owner", "geogrid_owner"]
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", f"{scratch}/data",
                        "-m", "immediate", "-w", "stop"], capture_output=True)
        subprocess.run(["rm", "-rf", str(scratch)], check=True)


# ---- the roles of the cluster the tests run on --------------------------------------------------------------

def role_flags(cursor, role: str) -> tuple:
    cursor.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s",
                   [role])
    return cursor.fetchone()


@pytest.mark.django_db
def test_neither_the_app_role_nor_the_owner_is_superuser(app_db):
    with connection.cursor() as cursor:
        assert role_flags(cursor, settings.DATABASE_ROLES["app"]["USER"]) == (False, False, False, False)
        assert role_flags(cursor, connection.settings_dict["USER"])[0] is False
    assert app_db.execute("SELECT current_user = %s", (settings.DATABASE_ROLES["app"]["USER"],)).fetchone()[0]


@pytest.mark.django_db
def test_the_app_role_reads_and_appends_to_the_trail_and_writes_everything_else(app_db):
    app = settings.DATABASE_ROLES["app"]["USER"]
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname, ARRAY(SELECT has_table_privilege(%s, c.oid, p) FROM unnest(%s::text[]) p)
                            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_get_userbyid(c.relowner) = current_user""",
                       [app, list(privileges)])
        granted = dict(cursor.fetchall())
        cursor.execute("CREATE TABLE created_after_migrate (id int)")  # default privileges cover it
        cursor.execute("SELECT has_table_privilege(%s, 'created_after_migrate', 'INSERT')", [app])
        assert cursor.fetchone()[0]
    trail = set(audit_tables())
    assert len(trail) > 30 and trail <= set(granted)
    assert {t: g for t, g in granted.items() if t in trail and g != [True, True, False, False, False]} == {}
    assert {t: g for t, g in granted.items() if t not in trail and g != [True, True, True, True, False]} == {}
