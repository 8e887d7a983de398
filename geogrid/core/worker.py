"""The background worker (`manage.py run_worker`): django-tasks-db's worker made to survive database outages.

- The loop retries with backoff: a lost connection (PostgreSQL stopped, restarted, killed) is closed and the worker
  waits 1, 2, 4 … `MAX_BACKOFF` seconds and goes on, taking the next job once the database is back.
- Liveness: each worker holds a session advisory lock keyed by its worker id on a connection of its own, re-taken
  after an outage. A worker that is gone (killed, crashed, machine restarted) holds none.
- The reaper marks a task `running` whose worker is gone failed (`worker_lost`), and the domain job it ran (the
  ImportJob or CircleRun its page polls) failed with a Chinese message. A task this worker was running when the
  connection dropped is reaped by the worker itself once the database is back. The reaper runs at worker start and
  every `reap_every` seconds.
"""
import logging
import threading
import time
import zlib
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("geogrid.worker")

MAX_BACKOFF = 30.0
LOCK_NAMESPACE = 0x67670001  # the advisory lock's first key: "a GeoGrid worker is alive"; the second is its id's hash
WORKER_LOST_CODE = "worker_lost"
WORKER_LOST_MESSAGE = "后台任务中断：执行它的后台进程已退出或失去数据库连接，本次结果未写入，请重新提交"
TASK_FAILED_CODE = "task_failed"
TASK_FAILED_MESSAGE = "后台任务出错未完成，本次结果未写入，请联系管理员"
DATABASE_ERRORS = (OperationalError, InterfaceError)


class WorkerLost(Exception):
    """Recorded as the exception of a task whose worker went away while running it."""


# ---- domain jobs: what a lost task's page is polling ---------------------------------------------------------

def _fail_import_job(kwargs: dict, code: str, message: str) -> None:
    from geogrid.imports.models import ImportJob
    from geogrid.imports.validation import Problem

    ImportJob.objects.filter(pk=kwargs["job_id"], status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), counts={"errors": 1},
        report={"errors": [Problem(None, message, code=code).as_dict()]})


def _fail_circle_run(kwargs: dict, code: str, message: str) -> None:
    from geogrid.circles.models import CircleRun

    CircleRun.objects.filter(pk=kwargs["run_id"], status__in=[CircleRun.Status.QUEUED, CircleRun.Status.RUNNING]).update(
        status=CircleRun.Status.FAILED, finished_at=timezone.now(), error=f"{message}（{code}）")


DOMAIN_JOBS: dict[str, Callable[[dict, str, str], None]] = {
    "geogrid.imports.tasks.import_uploaded_file": _fail_import_job,
    "geogrid.events.tasks.import_hotline_file": _fail_import_job,
    "geogrid.circles.tasks.compute_circle_run": _fail_circle_run,
}


def fail_domain_job(task: DBTaskResult, code: str, message: str) -> None:
    """The job a task ran, if it is still queued or running: failed with `code` (a page polls it)."""
    fail_job = DOMAIN_JOBS.get(task.task_path)
    if fail_job:
        fail_job(task.args_kwargs.get("kwargs", {}), code, message)


# ---- liveness and the reaper ---------------------------------------------------------------------------------

def lock_key(worker_id: str) -> int:
    return zlib.crc32(worker_id.encode()) & 0x7FFFFFFF  # the advisory lock's second key, a non-negative int4


def live_lock_keys() -> set[int]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT objid::text::int FROM pg_locks WHERE locktype = 'advisory' AND granted"
                       " AND classid::text::int = %s AND objsubid = 2", [LOCK_NAMESPACE])
        return {objid for (objid,) in cursor.fetchall()}


@transaction.atomic
def mark_lost(task: DBTaskResult) -> None:
    """A task whose worker is gone: failed (`worker_lost`), and its domain job failed with it."""
    task.status = TaskResultStatus.FAILED
    task.finished_at = timezone.now()
    task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
    task.traceback = f"{WORKER_LOST_CODE}: {WORKER_LOST_MESSAGE}"
    task.return_value = None
    task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    fail_domain_job(task, WORKER_LOST_CODE, WORKER_LOST_MESSAGE)
    logger.warning("task %s (%s) marked failed: %s", task.pk, task.task_path, WORKER_LOST_CODE)


@transaction.atomic
def reap_lost_tasks() -> list[str]:
    """Mark failed every running task whose worker (the last id that claimed it) holds no liveness lock."""
    alive = live_lock_keys()
    lost = []
    for task in DBTaskResult.objects.running().select_for_update(skip_locked=True).iterator():
        worker_id = task.worker_ids[-1] if task.worker_ids else ""
        if lock_key(worker_id) not in alive:
            mark_lost(task)
            lost.append(str(task.pk))
    return lost


class Liveness:
    """The worker's advisory lock, on a connection of its own (the worker's own connection comes and goes)."""

    def __init__(self, worker_id: str):
        self.key = lock_key(worker_id)
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        self.connection.inc_thread_sharing()  # the worker's thread and the keep-alive thread take turns
        self.turn = threading.Lock()

    def hold(self) -> None:
        """Take the lock unless this session holds it already (after an outage the session is a new one)."""
        with self.turn:
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                   " AND pid = pg_backend_pid() AND classid::text::int = %s"
                                   " AND objid::text::int = %s AND objsubid = 2)", [LOCK_NAMESPACE, self.key])
                    if not cursor.fetchone()[0]:
                        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, self.key])
            except DATABASE_ERRORS:
                self.connection.close()
                raise


class ResilientWorker(Worker):
    """django-tasks-db's Worker, with retry, liveness and the reaper."""

    def __init__(self, *, reap_every: float, **kwargs):
        super().__init__(**kwargs)
        self.reap_every = reap_every
        self.liveness = Liveness(self.worker_id)
        self.current_task_id = None  # set while a task runs; still set when a lost connection interrupted it

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = db_task_result.pk
        super().run_task(db_task_result)  # a lost connection raises here (recording the failure failed too)
        self.current_task_id = None
        if db_task_result.status == TaskResultStatus.FAILED:
            fail_domain_job(db_task_result, TASK_FAILED_CODE, TASK_FAILED_MESSAGE)

    def run(self) -> None:
        threading.Thread(target=self.keep_alive, name="liveness", daemon=True).start()
        backoff = 1.0
        while self.running:
            try:
                self.recover()
                super().run()
                return
            except DATABASE_ERRORS as error:
                logger.warning("database unavailable (%s): retrying in %.0f s", str(error).strip()[:200], backoff)
                connections.close_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                self.startup_delay = False

    def recover(self) -> None:
        """At start and after an outage: hold the liveness lock, fail the task an outage interrupted, reap."""
        self.liveness.hold()
        if self.current_task_id is not None:
            interrupted = DBTaskResult.objects.running().filter(pk=self.current_task_id).first()
            if interrupted:
                mark_lost(interrupted)
            self.current_task_id = None
        reap_lost_tasks()

    def keep_alive(self) -> None:
        """Every `reap_every` seconds: re-take the lock if an outage dropped it, and reap others' lost tasks."""
        while True:
            time.sleep(self.reap_every)
            try:
                self.liveness.hold()
                reap_lost_tasks()
            except DATABASE_ERRORS as error:
                logger.warning("liveness check failed (%s)", str(error).strip()[:200])
            finally:
                connections[DEFAULT_DB_ALIAS].close()
