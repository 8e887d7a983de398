"""The background worker survives a database outage, and the reaper fails tasks (and their jobs) whose worker is gone.
The time limit on a live worker: tests/test_crash_load.py (it needs an import job, so the whole project migrated)."""
import json
import os
import signal
import subprocess
import time
import uuid

import psycopg
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from geogrid.core.worker import (FAILED, TIMED_OUT, WORKER_LOST_CODE, Liveness, TaskTimeout, TimeLimit,
                                  reap_lost_tasks)
from geogrid.imports.models import ImportJob
from tests.scratch_cluster import ROOT, ScratchCluster, skip_unless_possible


def running_task(task_path: str, kwargs: dict, worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(status="RUNNING", args_kwargs={"args": [], "kwargs": kwargs},
                                       task_path=task_path, worker_ids=[worker_id], backend_name="default",
                                       run_after="9999-01-01T00:00:00Z")


@pytest.mark.django_db
def test_the_reaper_fails_a_task_whose_worker_is_gone_and_its_import_job():
    job = ImportJob.objects.create(file_name="村居.geojson", target="areas", status=ImportJob.Status.RUNNING)
    lost = running_task("geogrid.imports.tasks.import_uploaded_file", {"job_id": job.pk, "path": "/x"}, "dead-worker")
    alive = Liveness("live-worker")
    alive.hold()
    try:
        kept = running_task("geogrid.imports.tasks.import_uploaded_file", {"job_id": job.pk, "path": "/y"},
                            "live-worker")
        assert reap_lost_tasks() == [str(lost.pk)]
    finally:
        alive.connection.close()
    lost.refresh_from_db()
    kept.refresh_from_db()
    job.refresh_from_db()
    assert (lost.status, lost.exception_class_path) == ("FAILED", "geogrid.core.worker.WorkerLost")
    assert kept.status == "RUNNING"
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert [e["code"] for e in job.report["errors"]] == [WORKER_LOST_CODE]
    assert "后台任务中断" in job.report["errors"][0]["message"]


@pytest.mark.django_db
def test_the_reaper_fails_a_job_left_open_after_its_task_failed():
    """The worker recorded the task's failure but stopped before failing its job: the next reap fails the job with
    the code the task's exception says; a job that ended meanwhile, or that another task still runs, is left alone."""
    path = "geogrid.imports.tasks.import_uploaded_file"
    stuck, timed_out, done, running = (
        ImportJob.objects.create(file_name=f"{n}.geojson", target="areas", status=status) for n, status in (
            (1, ImportJob.Status.RUNNING), (2, ImportJob.Status.QUEUED), (3, ImportJob.Status.SUCCEEDED),
            (4, ImportJob.Status.RUNNING)))
    alive = Liveness("live-worker")
    alive.hold()
    try:
        for job, exception in ((stuck, "builtins.ValueError"), (timed_out, TIMED_OUT.exception_path),
                               (done, "builtins.ValueError")):
            task = running_task(path, {"job_id": job.pk, "path": "/x"}, "live-worker")
            DBTaskResult.objects.filter(pk=task.pk).update(status="FAILED", exception_class_path=exception,
                                                           finished_at=timezone.now())
        running_task(path, {"job_id": running.pk, "path": "/y"}, "live-worker")
        assert reap_lost_tasks() == []
    finally:
        alive.connection.close()
    codes = {job.pk: (job.status, [e["code"] for e in (job.report or {}).get("errors", [])])
             for job in ImportJob.objects.filter(pk__in=[stuck.pk, timed_out.pk, done.pk, running.pk])}
    assert codes == {stuck.pk: ("failed", [FAILED.code]), timed_out.pk: ("failed", [TIMED_OUT.code]),
                     done.pk: ("succeeded", []), running.pk: ("running", [])}


def test_the_time_limit_stops_what_runs_past_it_and_leaves_no_alarm_behind():
    with pytest.raises(TaskTimeout, match="task_timeout"), TimeLimit(0.2).running():
        time.sleep(600)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with TimeLimit(600).running():
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed when the task ends first
    with TimeLimit(0).running():  # no limit
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# ---- a real worker process against a scratch cluster that is killed and restarted ----------------------------

@pytest.fixture(scope="module")
def scratch():
    skip_unless_possible()
    # Durable (fsync, synchronous_commit on): with asynchronous commit a crash may lose the commit that marked the
    # interrupted task running, and the worker would then run it again after the restart.
    cluster = ScratchCluster(fast=False).start()
    try:
        cluster.migrate(DBTaskResult._meta.app_label)  # the worker needs its queue only
        yield cluster
    finally:
        cluster.destroy()


TABLE = DBTaskResult._meta.db_table


def enqueue(cluster: ScratchCluster, task: str, **kwargs) -> str:
    task_id = str(uuid.uuid4())
    with psycopg.connect(cluster.dsn("geogrid"), autocommit=True) as conn:
        conn.execute(f"INSERT INTO {TABLE} (id, status, enqueued_at, args_kwargs, priority,"
                     " task_path, worker_ids, queue_name, backend_name, run_after, exception_class_path, traceback)"
                     " VALUES (%s, 'READY', now(), %s, 0, %s, '[]', 'default', 'default', now(), '', '')",
                     [task_id, json.dumps({"args": [], "kwargs": kwargs}), f"tests.worker_tasks.{task}"])
    return task_id


def wait_for(cluster: ScratchCluster, task_id: str, statuses: set[str], seconds: float = 90) -> tuple[str, str]:
    deadline = time.monotonic() + seconds
    row = None
    while time.monotonic() < deadline:
        with psycopg.connect(cluster.dsn("geogrid")) as conn:
            row = conn.execute(f"SELECT status, exception_class_path FROM {TABLE} WHERE id = %s",
                               [task_id]).fetchone()
        if row and row[0] in statuses:
            return row
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} is {row}, never {statuses}")


def test_the_worker_takes_the_next_job_after_postgresql_was_killed(scratch, tmp_path):
    env = {**os.environ, "DATABASE_URL": scratch.url("geogrid")}
    env.pop("DATABASE_OWNER_URL", None)
    env.pop("GEOGRID_DB_ROLE", None)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([str(ROOT / ".venv/bin/python"), "manage.py", "run_worker", "--interval", "0.2",
                               "--reap-every", "1", "--no-startup-delay"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(scratch, enqueue(scratch, "echo", n=1), {"SUCCESSFUL", "FAILED"})[0] == "SUCCESSFUL"
        interrupted = enqueue(scratch, "wait_in_database", seconds=120)
        wait_for(scratch, interrupted, {"RUNNING"})
        scratch.kill9()
        time.sleep(5)
        scratch.restart()
        after = enqueue(scratch, "echo", n=2)
        assert wait_for(scratch, after, {"SUCCESSFUL", "FAILED"})[0] == "SUCCESSFUL"
        assert worker.poll() is None, "the worker process exited"
        assert wait_for(scratch, interrupted, {"FAILED", "SUCCESSFUL"}) == ("FAILED", "geogrid.core.worker.WorkerLost")
    finally:
        worker.terminate()
        try:
            worker.wait(40)  # a worker backing off sleeps up to MAX_BACKOFF before it sees the signal
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])
