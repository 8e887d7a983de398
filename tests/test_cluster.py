"""The project-local cluster is durable and closed (issue 13): fsync and synchronous_commit on, peer authentication
for the OS user who runs GeoGrid only, private data and socket folders. That a kill -9 of the server during an
Open311 load loses no acknowledged ticket is tests/test_crash_load.py's, with GeoGrid's own server and worker."""
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.scratch_cluster import PG_BIN, ROOT, ScratchCluster, skip_unless_possible

needs_root = pytest.mark.skipif(os.geteuid() != 0 or not PG_BIN.exists(),
                                reason="needs root (to run PostgreSQL as postgres and psql as other OS users)")


def start_options(fast: str) -> str:
    result = subprocess.run(["bash", "-c", ". scripts/setup.sh && pg_start_options"], cwd=ROOT, check=True,
                            capture_output=True, text=True, env={**os.environ, "GEOGRID_PG_FAST": fast})
    return result.stdout


def test_the_server_starts_durable_unless_the_test_command_starts_it():
    durable = start_options("")
    for setting in ("fsync=on", "synchronous_commit=on", "full_page_writes=on", "listen_addresses=''",
                    "unix_socket_permissions=0700"):
        assert setting in durable
    assert "fsync=off" in start_options("1") and "synchronous_commit=off" in start_options("1")
    assert "GEOGRID_PG_FAST=1" in (ROOT / "scripts/test.sh").read_text()


def refused_as(os_user: str, run_dir: Path, port: str, role: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", os_user, "--", "psql", "-X", "-h", str(run_dir), "-p", port, "-U", role,
                           "-d", "postgres", "-tAc", "SELECT 1"], capture_output=True, text=True, timeout=30)


def assert_closed(pg_home: Path, port: str) -> None:
    hba = [line.split() for line in (pg_home / "data/pg_hba.conf").read_text().splitlines()
           if line.strip() and not line.startswith("#")]
    assert hba == [["local", "all", "all", "peer", "map=geogrid"]]
    for folder in (pg_home, pg_home / "data", pg_home / "run"):
        assert folder.stat().st_mode & 0o077 == 0, folder
    nobody = refused_as("nobody", pg_home / "run", port, "postgres")
    assert nobody.returncode != 0 and "SELECT" not in nobody.stdout
    if os.geteuid() == 0:  # the server's OS user is mapped to the superuser only
        as_postgres = refused_as("postgres", pg_home / "run", port, "geogrid")
        assert as_postgres.returncode != 0 and "Peer authentication failed" in as_postgres.stderr


# ---- the cluster these tests run on, when it is a project-local one ------------------------------------------

def local_cluster() -> tuple[Path, str]:
    host, port = settings.DATABASES["default"]["HOST"], settings.DATABASES["default"]["PORT"]
    run_dir = Path(host or "/nonexistent")
    if run_dir.name != "run" or run_dir.parent.name != ".pg":
        pytest.skip("the tests run on a cluster other than a project-local .pg one")
    return run_dir.parent, str(port)


@needs_root
def test_the_tests_cluster_is_closed():
    assert_closed(*local_cluster())


# ---- a scratch cluster made by setup.sh ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch():
    skip_unless_possible()
    cluster = ScratchCluster().start()
    yield cluster
    cluster.destroy()


def show(cluster: ScratchCluster, *names: str) -> list[str]:
    with psycopg.connect(cluster.dsn()) as conn:
        return [conn.execute(f"SHOW {name}").fetchone()[0] for name in names]


def test_setup_starts_a_durable_closed_cluster(scratch):
    assert show(scratch, "fsync", "synchronous_commit", "full_page_writes", "listen_addresses") == ["on", "on", "on", ""]
    assert_closed(scratch.home, str(scratch.port))


def test_setup_converts_a_trust_cluster_without_fsync_in_place(scratch):
    """A cluster made before issue 13: trust for everyone, started with fsync off. The next set-up run closes it
    (a reload) and restarts it durable; the run after that finds nothing to do."""
    scratch.setup_sh("""printf 'local all all trust\\n' | as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null
        as_pg chmod 755 "$PG_RUN"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        GEOGRID_PG_FAST=1 pg_start""")
    assert show(scratch, "fsync", "synchronous_commit") == ["off", "off"]
    out = scratch.setup_sh("start_local_cluster").stdout
    assert "authentication changed to peer" in out and "restarting it durable" in out
    assert show(scratch, "fsync", "synchronous_commit") == ["on", "on"]
    assert_closed(scratch.home, str(scratch.port))
    again = scratch.setup_sh("start_local_cluster").stdout
    assert "authentication changed" not in again and "restarting" not in again

