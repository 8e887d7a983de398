"""A throw-away PostgreSQL cluster made by scripts/setup.sh's own functions (roles, peer authentication, PostGIS),
for tests that stop, kill or restart the database: never the cluster the other tests (or anyone else) use."""
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def skip_unless_possible() -> None:
    """Skip the calling test or fixture where no scratch cluster can run: the server runs as the postgres OS user."""
    if os.geteuid() != 0 or not PG_BIN.exists():
        import pytest

        pytest.skip("needs root and PostgreSQL 15 (to run a scratch PostgreSQL as postgres)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScratchCluster:
    def __init__(self, *, fast: bool = False):
        self.home = Path(tempfile.mkdtemp(prefix="geogrid-scratch-pg-"))
        self.home.chmod(0o755)
        self.port = free_port()
        self.fast = fast

    def setup_sh(self, script: str, timeout: int = 180) -> subprocess.CompletedProcess:
        """Run `script` after sourcing scripts/setup.sh, its cluster variables pointing at this cluster."""
        shell = (f"set -e; . scripts/setup.sh; PG_HOME={self.home} PG_DATA={self.home}/data PG_RUN={self.home}/run "
                 f"PG_LOG={self.home}/log GEOGRID_PGPORT={self.port}; {script}")
        env = {**os.environ, "GEOGRID_PG_FAST": "1" if self.fast else "0"}
        result = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                                env=env)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result

    def start(self) -> "ScratchCluster":
        self.setup_sh("start_local_cluster")
        return self

    def restart(self) -> None:
        self.setup_sh("pg_start")

    def url(self, role: str) -> str:
        return f"postgis://{role}@{quote(str(self.home / 'run'), safe='')}:{self.port}/geogrid"

    def dsn(self, role: str = "postgres", database: str = "geogrid") -> str:
        return f"host={self.home / 'run'} port={self.port} user={role} dbname={database}"

    def manage(self, *args: str) -> None:
        """A `manage.py` command on this cluster as the owner role, the app role being `geogrid`."""
        env = {**os.environ, "DATABASE_URL": self.url("geogrid"), "DATABASE_OWNER_URL": self.url("geogrid_owner"),
               "GEOGRID_DB_ROLE": "owner"}
        result = subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]

    def migrate(self, *apps: str) -> None:
        """`manage.py migrate` as the owner, which then grants the app role its rights (README "Database roles")."""
        self.manage("migrate", *apps, "--noinput", "-v", "0")

    def postmaster_pid(self) -> int:
        return int((self.home / "data" / "postmaster.pid").read_text().split()[0])

    def kill9(self) -> None:
        """A crash: SIGKILL the postmaster and every server process it started, then wait until all are gone."""
        postmaster = self.postmaster_pid()
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        pids = [postmaster, *map(int, children)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)

    def pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.home / "data"), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60)

    def destroy(self) -> None:
        self.pg_ctl("-m", "immediate", "-w", "stop")
        subprocess.run(["rm", "-rf", str(self.home)], check=True)
