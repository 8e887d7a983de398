"""Issue 13's crash test with GeoGrid itself: the production server (gunicorn with geogrid/gunicorn_conf.py and
production settings, under scripts/supervise.py) and the supervised worker (`manage.py run_worker`), as the app role,
on a durable scratch cluster holding the whole migrated project and one street. Open311 reports are posted over HTTP
while the whole PostgreSQL server is SIGKILLed: no acknowledged ticket is lost, the outage answers JSON 503 with
Retry-After (never a 500), and after the restart the same server and the same worker process take the next
report and the next import. Also the worker's time limit per task (GEOGRID_TASK_TIME_LIMIT_MINUTES), on a live
worker: it needs the migrated project too (an import job), so it shares the cluster.

Anonymous reports are limited per address (GEOGRID_REPORT_RATE, 20 an hour): the server here allows a load."""
import os
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from geogrid.core.worker import TIMED_OUT
from tests import scratch_town
from tests.scratch_cluster import ROOT, ScratchCluster, free_port, skip_unless_possible
from tests.test_serve import django_env
from tests.test_serve import wait_for as wait_until
from tests.test_worker_outage import TABLE, enqueue, wait_for

PYTHON = str(ROOT / ".venv/bin/python")
PASSWORD = f"crash-{uuid.uuid4().hex}"
LOAD_THREADS = 2
BEFORE_CRASH, DURING_OUTAGE, AFTER_RESTART = 150, 20, 50  # acknowledged tickets, 503 answers, acknowledged again


@dataclass
class Town:
    cluster: ScratchCluster
    var: Path

    def env(self, **extra: str) -> dict[str, str]:
        """A production process on the scratch cluster as the app role, its files under `var`."""
        env = django_env(DJANGO_SETTINGS_MODULE="geogrid.settings.production", GEOGRID_HTTPS="0",
                         DATABASE_URL=self.cluster.url("geogrid"), GEOGRID_DB_ROLE="app",
                         GEOGRID_SECRET_KEY_FILE=str(self.var / "secret_key"),
                         GEOGRID_STATIC_ROOT=str(self.var / "static"), GEOGRID_MEDIA_ROOT=str(self.var / "media"))
        env.update(extra)
        env.pop("DATABASE_OWNER_URL", None)
        return env

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with psycopg.connect(self.cluster.dsn("geogrid")) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A durable scratch cluster (fsync, synchronous_commit on), set up as scripts/setup.sh does (the whole project
    migrated as the owner, the cache table), one street loaded, static files collected (while it migrates)."""
    skip_unless_possible()
    var = tmp_path_factory.mktemp("var")
    cluster = ScratchCluster(fast=False).start()
    try:
        town = Town(cluster, var)
        static = subprocess.Popen([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                                  env=town.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        cluster.migrate()
        cluster.manage("createcachetable")  # the rate limits' counters (scripts/setup.sh does the same)
        assert static.wait(300) == 0, static.stderr.read()[-3000:]
        folder = tmp_path_factory.mktemp("town")
        loaded = subprocess.run([PYTHON, "manage.py", "shell", "-c", "from tests.scratch_town import load; "
                                 f"load({str(folder)!r}, {PASSWORD!r})"],
                                cwd=ROOT, env=town.env(),
                                capture_output=True, text=True, timeout=300)
        assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-3000:]
        yield town
    finally:
        cluster.destroy()


# ---- the server and the worker, as scripts/serve.sh runs them -----------------------------------------------

@dataclass
class Served:
    base: str
    logs: Path
    supervisors: list[subprocess.Popen]

    def started(self, name: str) -> list[int]:
        """The pids the supervisor of `name` started, in order (it logs each start)."""
        return [int(pid) for pid in re.findall(r"\[supervise\] started .* \(pid (\d+)\)$",
                                               (self.logs / f"{name}.log").read_text(), re.M)]


def children(pid: int) -> set[int]:
    return {int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()}


@pytest.fixture
def served(town):
    port = free_port()
    env = town.env(GEOGRID_BIND=f"127.0.0.1:{port}", GEOGRID_WORKERS="2", GEOGRID_REPORT_RATE="100000/minute")
    logs = town.var / "log"

    def supervised(name: str, *command: str, restart: bool = False) -> subprocess.Popen:
        return subprocess.Popen([PYTHON, "scripts/supervise.py", "--log", str(logs / f"{name}.log"),
                                 *(["--restart"] if restart else []), "--", *command], cwd=ROOT, env=env)

    served = Served(f"http://127.0.0.1:{port}", logs, [
        supervised("worker", PYTHON, "manage.py", "run_worker", restart=True),
        supervised("gunicorn", str(ROOT / ".venv/bin/gunicorn"), "-c", "geogrid/gunicorn_conf.py")])

    def answers() -> bool:
        try:
            return requests.get(f"{served.base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or its workers still loading the app
            return any(s.poll() is not None for s in served.supervisors)  # stop waiting if one died
    try:
        wait_until(answers, "gunicorn")
        wait_until(lambda: served.started("worker"), "the worker")
        assert all(s.poll() is None for s in served.supervisors), (logs / "gunicorn.log").read_text()[-3000:]
        yield served
    finally:
        for supervisor in served.supervisors:
            supervisor.terminate()
        for supervisor in served.supervisors:
            supervisor.wait(60)
        for name in ("gunicorn", "worker"):
            print(f"---- {name}.log (end)\n" + (logs / f"{name}.log").read_text()[-2500:])


# ---- the load ----------------------------------------------------------------------------------------------

@dataclass
class Load:
    """Threads posting Open311 reports, each with its own client id, recording every answer."""

    base: str
    acknowledged: list[int] = field(default_factory=list)  # service_request_id of every 2xx answer
    refused: list[float] = field(default_factory=list)  # when each JSON 503 database_unavailable came
    unexpected: list[str] = field(default_factory=list)  # anything else: a 500, an HTML page, a dropped connection
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, count: int) -> None:
        self.threads = [threading.Thread(target=self.post, args=(n,), daemon=True) for n in range(count)]
        for thread in self.threads:
            thread.start()

    def post(self, thread: int) -> None:
        long, lat = scratch_town.INSIDE
        with requests.Session() as session:
            for n in range(1_000_000):
                if self.stopping.is_set():
                    return
                body = {"service_code": scratch_town.SERVICE_CODE, "description": f"垃圾堆积（负载 {thread}-{n}）",
                        "lat": lat, "long": long, "client_id": f"load-{thread}-{n}"}
                try:
                    answer = session.post(f"{self.base}/open311/v2/requests.json", json=body, timeout=30)
                except requests.RequestException as error:
                    self.unexpected.append(f"{type(error).__name__}: {error}")
                    continue
                self.record(answer)

    def record(self, answer: requests.Response) -> None:
        if answer.status_code in (200, 201):
            self.acknowledged.append(int(answer.json()[0]["service_request_id"]))
        elif (answer.status_code == 503 and answer.headers.get("Retry-After") == "10"
              and answer.headers.get("Content-Type", "").startswith("application/json")
              and answer.json().get("code") == "database_unavailable"):
            self.refused.append(time.monotonic())
            time.sleep(0.05)  # a client would wait Retry-After; the test only needs to keep asking
        else:
            self.unexpected.append(f"{answer.status_code} {answer.headers.get('Content-Type')} {answer.text[:300]}")

    def wait(self, predicate, what: str) -> None:
        wait_until(lambda: predicate() or bool(self.unexpected), what, seconds=120)
        assert self.unexpected == [], self.unexpected[:5]

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in self.threads)


def signed_in(base: str, username: str, password: str) -> requests.Session:
    """A browser's session: the login form, with its CSRF token."""
    session = requests.Session()
    login = f"{base}/accounts/login/"
    answer = session.post(login, data={"username": username, "password": password,
                                       "csrfmiddlewaretoken": csrf_token(session, login)}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:1000]
    return session


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, page.text[:1000]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def import_through_the_page(base: str, path: str, content: str, target: str) -> dict:
    """Upload a file on /imports/new as the street's clerk and follow the job the worker runs to its end."""
    session = signed_in(base, scratch_town.USERNAME, PASSWORD)
    page = f"{base}/imports/new"
    form = {"target": target, "mode": "create", "csrfmiddlewaretoken": csrf_token(session, page)}
    answer = session.post(page, data=form, files={"file": (path, content.encode())}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:2000]
    job = int(re.fullmatch(r"/imports/(\d+)", answer.headers["Location"]).group(1))

    def finished() -> dict | None:
        state = session.get(f"{base}/api/v1/imports/{job}").json()
        return state if state["finished"] else None
    return wait_until(finished, f"import job {job}")


def test_kill_9_during_an_open311_load_loses_no_acknowledged_ticket(town, served):
    """kill -9 of the whole server mid-load: every ticket answered 2xx is there after crash recovery, routed; the
    outage answers JSON 503 with Retry-After; gunicorn (same master, same workers) and the worker (started once by
    its supervisor) go on without a restart and run an import queued after it."""
    master = served.started("gunicorn")[0]
    gunicorn_workers = children(master)
    worker = served.started("worker")
    load = Load(served.base)
    load.start(LOAD_THREADS)
    load.wait(lambda: len(load.acknowledged) >= BEFORE_CRASH, f"{BEFORE_CRASH} acknowledged reports")

    town.cluster.kill9()
    killed_at, before_crash = time.monotonic(), len(load.acknowledged)
    load.wait(lambda: len(load.refused) >= DURING_OUTAGE, f"{DURING_OUTAGE} answers 503 during the outage")
    town.cluster.restart()
    restarted_at, refused = time.monotonic(), len(load.refused)
    mark = len(load.acknowledged)
    load.wait(lambda: len(load.acknowledged) > mark, "the first report acknowledged after the restart")
    recovered_at = time.monotonic()
    load.wait(lambda: len(load.acknowledged) >= mark + AFTER_RESTART, f"{AFTER_RESTART} more acknowledged reports")
    load.stop()

    acknowledged = set(load.acknowledged)
    stored = {ticket: (grid, unit) for ticket, grid, unit in town.rows(
        "SELECT e.id, g.code, d.code FROM events_event e LEFT JOIN grids_grid g ON g.id = e.grid_id"
        " LEFT JOIN departments_department d ON d.id = e.department_id")}
    lost = acknowledged - set(stored)
    print(f"\nkill -9 after {before_crash} acknowledged reports: {len(acknowledged)} acknowledged in all,"
          f" {len(lost)} lost, {len(set(stored) - acknowledged)} stored without an answer;"
          f" {len(load.refused)} answers 503 ({refused} before the restart, {restarted_at - killed_at:.1f} s outage),"
          f" the first 2xx {recovered_at - restarted_at:.1f} s after the restart")
    assert len(acknowledged) == len(load.acknowledged) >= before_crash + AFTER_RESTART  # one ticket per answer
    assert lost == set()
    routed = (scratch_town.GRID, f"{scratch_town.STREET[:9]}-HWS")  # the grid, and the 归口办理 unit of 0101
    assert {stored[ticket] for ticket in acknowledged} == {routed}
    assert served.started("gunicorn") == [master] and children(master) == gunicorn_workers

    job = import_through_the_page(served.base, "部门.csv", scratch_town.departments_csv(
        f"{scratch_town.STREET[:9]}-WHZ", "文化站"), "departments")
    assert (job["status"], job["counts"]["created"]) == ("succeeded", 1), (job["file_name"], job["report"])
    ran = town.rows(f"SELECT status, worker_ids FROM {TABLE} WHERE task_path = %s",
                    ["geogrid.imports.tasks.import_uploaded_file"])
    assert [(status, len(ids)) for status, ids in ran] == [("SUCCESSFUL", 1)]
    assert served.started("worker") == worker and Path(f"/proc/{worker[0]}").exists()  # never restarted
    assert all(s.poll() is None for s in served.supervisors)


# ---- the time limit of a task on a live worker --------------------------------------------------------------

def test_a_task_over_its_time_limit_is_stopped_and_failed_and_the_worker_goes_on(town, tmp_path):
    """A worker with a 3 s limit: an import reading a file that never delivers (a FIFO nobody writes to, as a
    stalled network share), a task asleep in Python and one waiting on a query are each stopped and failed
    (`task_timeout`), the import job with a Chinese message; the query is cancelled; the next task succeeds."""
    stalled = tmp_path / "部门.csv"
    os.mkfifo(stalled)
    queued = subprocess.run([PYTHON, "manage.py", "shell", "-v", "0", "-c", (
        "from geogrid.imports.models import ImportJob; from geogrid.imports.tasks import import_uploaded_file\n"
        "job = ImportJob.objects.create(file_name='部门.csv', target='departments')\n"
        f"print(job.pk, import_uploaded_file.enqueue(job_id=job.pk, path={str(stalled)!r}).id)")],
        cwd=ROOT, env=town.env(), capture_output=True, text=True, timeout=120)
    assert queued.returncode == 0, queued.stderr[-3000:]
    job_id, import_task = queued.stdout.splitlines()[-1].split()
    asleep = enqueue(town.cluster, "sleep", seconds=600)
    querying = enqueue(town.cluster, "wait_in_database", seconds=600)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([PYTHON, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
                              cwd=ROOT, env=town.env(GEOGRID_TASK_TIME_LIMIT_MINUTES="0.05"),  # 3 s
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        stopped = [import_task, asleep, querying]
        for task in stopped:
            assert wait_for(town.cluster, task, {"SUCCESSFUL", "FAILED"}) == ("FAILED", TIMED_OUT.exception_path)
        assert wait_for(town.cluster, enqueue(town.cluster, "echo", n=3), {"SUCCESSFUL", "FAILED"})[0] == "SUCCESSFUL"
        assert worker.poll() is None
        tracebacks = town.rows(f"SELECT traceback FROM {TABLE} WHERE id = ANY(%s::uuid[])", [stopped])
        assert all("task_timeout: 后台任务超过时限" in traceback for (traceback,) in tracebacks)
        ((status, report),) = town.rows("SELECT status, report FROM imports_importjob WHERE id = %s", [int(job_id)])
        assert status == "failed" and [e["code"] for e in report["errors"]] == ["task_timeout"]
        assert "超过时限" in report["errors"][0]["message"]
        assert town.rows("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%%pg_sleep%%'"
                         " AND pid <> pg_backend_pid()") == [(0,)]  # the interrupted query was cancelled
        ran_by = town.rows(f"SELECT DISTINCT worker_ids FROM {TABLE} WHERE id = ANY(%s::uuid[])", [stopped])
        assert len(ran_by) == 1 and len(ran_by[0][0]) == 1  # one worker ran them all, each once
    finally:
        worker.terminate()
        worker.wait(40)
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])
