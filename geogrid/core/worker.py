"""The background worker (`manage.py run_worker`): django-tasks-db's worker made to survive database outages.

- The loop retries with backoff: a lost connection (PostgreSQL stopped, restarted, killed) is closed and the worker
  waits 1, 2, 4 … `MAX_BACKOFF` seconds and goes on, taking the next job once the database is back.
- Liveness: each worker holds a session advisory lock keyed by its worker id on a connection of its own, re-taken
  after an outage. A worker that is gone (killed, crashed, machine restarted) holds none.
- The reaper marks a task `running` whose worker is gone failed (`worker_lost`), and the domain job it ran (the
  ImportJob or CircleRun its page polls) failed with a Chinese message; a job still open whose task has already
  failed (the worker stopped between recording the one and failing the other) is failed too. A task this worker was running when the
  connection dropped is reaped by the worker itself once the database is back. The reaper runs at worker start and
  every `reap_every` seconds.
- Time limit: a task still running `settings.GEOGRID_TASK_TIME_LIMIT` seconds after it started is stopped
  (SIGALRM in the worker's main thread raises `TaskTimeout` in the task; a database query it waits on is cancelled)
  and failed (`task_timeout`), its domain job with it; the worker goes on with the next task. Python code, file and
  socket waits and database queries are interrupted at once; a long call inside a C library when it returns.
"""
import logging
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("geogrid.worker")

MAX_BACKOFF = 30.0
RECONCILE_DAYS = 7  # how far back the reaper looks for failed tasks whose job is still open
LOCK_NAMESPACE = 0x67670001  # the advisory lock's first key: "a GeoGrid worker is alive"; the second is its id's hash
WORKER_LOST_CODE = "worker_lost"
WORKER_LOST_MESSAGE = "后台任务中断：执行它的后台进程已退出或失去数据库连接，本次结果未写入，请重新提交"
TASK_FAILED_CODE = "task_failed"
TASK_FAILED_MESSAGE = "后台任务出错未完成，本次结果未写入，请联系管理员"
TASK_TIMEOUT_CODE = "task_timeout"
TASK_TIMEOUT_MESSAGE = "后台任务超过时限仍未完成，已被停止，本次结果未写入；请拆小文件或范围后重新提交，或联系管理员"
DATABASE_ERRORS = (OperationalError, InterfaceError)


class WorkerLost(Exception):
    """Recorded as the exception of a task whose worker went away while running it."""


class TaskTimeout(SystemExit):
    """Raised in a task that ran past its time limit. A SystemExit: a task's `except Exception` does not swallow
    it, and psycopg cancels the query it interrupts (the connection stays usable)."""


@dataclass(frozen=True)
class Failure:
    """Why the worker failed a task: the exception recorded on it, and the code and message its job gets."""

    exception: type[BaseException]
    code: str
    message: str

    @property
    def exception_path(self) -> str:
        return f"{self.exception.__module__}.{self.exception.__qualname__}"


LOST = Failure(WorkerLost, WORKER_LOST_CODE, WORKER_LOST_MESSAGE)
TIMED_OUT = Failure(TaskTimeout, TASK_TIMEOUT_CODE, TASK_TIMEOUT_MESSAGE)
FAILED = Failure(Exception, TASK_FAILED_CODE, TASK_FAILED_MESSAGE)


# ---- domain jobs: what a lost task's page is polling ---------------------------------------------------------

def _import_job_failed(failure: Failure) -> dict:
    from geogrid.imports.validation import Problem

    return {"counts": {"errors": 1}, "report": {"errors": [Problem(None, failure.message, code=failure.code).as_dict()]}}


def _circle_run_failed(failure: Failure) -> dict:
    return {"error": f"{failure.message}（{failure.code}）"}


@dataclass(frozen=True)
class DomainJob:
    """The row a task's page polls (an ImportJob or CircleRun): which kwarg of the task names it, and what its
    fields say when it failed."""

    model_path: str  # "app_label.Model"
    key: str  # the task's kwarg holding the row's id
    failed_fields: Callable[[Failure], dict]

    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)

    def open_rows(self):
        model = self.model()
        return model.objects.filter(status__in=[model.Status.QUEUED, model.Status.RUNNING])

    def fail(self, pk: int, failure: Failure) -> int:
        """Fail the row if it is still queued or running; how many rows changed (0 or 1)."""
        return self.open_rows().filter(pk=pk).update(status=self.model().Status.FAILED, finished_at=timezone.now(),
                                                     **self.failed_fields(failure))


IMPORT_JOB = DomainJob("imports.ImportJob", "job_id", _import_job_failed)
DOMAIN_JOBS: dict[str, DomainJob] = {
    "geogrid.imports.tasks.import_uploaded_file": IMPORT_JOB,
    "geogrid.hotline.tasks.import_hotline_file": IMPORT_JOB,
    "geogrid.circles.tasks.compute_circle_run": DomainJob("circles.CircleRun", "run_id", _circle_run_failed),
}


def fail_domain_job(task: DBTaskResult, failure: Failure) -> int:
    """The job a task ran, if it is still queued or running: failed with the failure's code (a page polls it)."""
    job = DOMAIN_JOBS.get(task.task_path)
    pk = task.args_kwargs.get("kwargs", {}).get(job.key) if job else None
    return job.fail(pk, failure) if pk is not None else 0


def failure_of(task: DBTaskResult) -> Failure:
    """The failure a failed task's job gets, from the exception recorded on the task."""
    return next((failure for failure in (LOST, TIMED_OUT) if task.exception_class_path == failure.exception_path),
                FAILED)


def fail_jobs_of_failed_tasks() -> int:
    """Jobs still queued or running whose task failed in the last `RECONCILE_DAYS` days: failed too. The worker records
    a task's failure and then fails its job; an outage or a crash between the two would leave the job "running" for
    good. A job table is read only when a task of its kind has failed."""
    since = timezone.now() - timedelta(days=RECONCILE_DAYS)
    failed = 0
    for task in DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, task_path__in=list(DOMAIN_JOBS),
                                            finished_at__gte=since):
        failed += fail_domain_job(task, failure_of(task))
    return failed


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
    task.exception_class_path = LOST.exception_path
    task.traceback = f"{LOST.code}: {LOST.message}"
    task.return_value = None
    task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    fail_domain_job(task, LOST)
    logger.warning("task %s (%s) marked failed: %s", task.pk, task.task_path, LOST.code)


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
    fail_jobs_of_failed_tasks()
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


class TimeLimit:
    """A task's time limit: SIGALRM `seconds` after it starts (none when 0) raises TaskTimeout in the main thread."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = False

    def expired(self, signum: int, frame: object) -> None:
        if self.armed:  # else the alarm of a task that has just finished: nothing to stop
            self.armed = False
            raise TaskTimeout(f"{TIMED_OUT.code}: {TIMED_OUT.message}（时限 {self.seconds / 60:g} 分钟）")

    @contextmanager
    def running(self) -> Iterator[None]:
        if not self.seconds:
            yield
            return
        signal.signal(signal.SIGALRM, self.expired)
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)


class ResilientWorker(Worker):
    """django-tasks-db's Worker, with retry, liveness, the reaper and a time limit per task."""

    def __init__(self, *, reap_every: float, **kwargs):
        super().__init__(**kwargs)
        self.reap_every = reap_every
        self.time_limit = TimeLimit(settings.GEOGRID_TASK_TIME_LIMIT)
        self.liveness = Liveness(self.worker_id)
        self.current_task_id = None  # set while a task runs; still set when a lost connection interrupted it

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = db_task_result.pk
        with self.time_limit.running():
            try:
                super().run_task(db_task_result)  # a lost connection raises here (recording the failure failed too)
            except TaskTimeout as timeout:  # the limit passed while the task's outcome was being recorded
                db_task_result.set_failed(timeout)
        self.current_task_id = None
        if db_task_result.status == TaskResultStatus.FAILED:
            failure = failure_of(db_task_result)
            fail_domain_job(db_task_result, failure)
            if failure is TIMED_OUT:
                logger.warning("task %s (%s) stopped after %g s: %s", db_task_result.pk, db_task_result.task_path,
                               self.time_limit.seconds, TIMED_OUT.code)

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
