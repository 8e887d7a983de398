"""Every failure of a background import ends its job with a stable code, run through the real worker code path."""
import uuid
import zipfile
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from geogrid.core.worker import ResilientWorker
from geogrid.imports.models import ImportJob
from geogrid.imports.tasks import import_uploaded_file


def run_in_worker(task_result) -> DBTaskResult:
    worker = ResilientWorker(reap_every=3600, queue_names=["*"], interval=0, batch=True, backend_name="default",
                             startup_delay=False, max_tasks=1, worker_id=f"test-{uuid.uuid4().hex[:8]}",
                             excluded_queue_names=[])
    try:
        db_task = DBTaskResult.objects.get(pk=task_result.id)
        worker.run_task(db_task)
        db_task.refresh_from_db()
        return db_task
    finally:
        worker.liveness.connection.close()


def import_in_worker(path: Path, target: str = "buildings") -> ImportJob:
    job = ImportJob.objects.create(file_name=path.name, target=target, status=ImportJob.Status.QUEUED,
                                   options={"mode": "create"})
    run_in_worker(import_uploaded_file.enqueue(job_id=job.pk, path=str(path)))
    job.refresh_from_db()
    return job


def codes(job: ImportJob) -> list[str]:
    return [e.get("code") for e in (job.report or {}).get("errors", [])]


@pytest.mark.django_db
def test_a_csv_in_an_unknown_encoding_fails_its_job_with_a_code(tmp_path):
    path = tmp_path / "楼栋.csv"
    path.write_bytes("编号,名称,lon,lat\n".encode() + b"1,\xff\xfe\x80\x81,118.1,24.5\n")
    job = import_in_worker(path)
    assert job.status == ImportJob.Status.FAILED, (job.status, job.report)
    assert codes(job) == ["wrong_encoding"], job.report


@pytest.mark.django_db
def test_a_zip_holding_only_climbing_members_fails_its_job_with_a_code(tmp_path):
    path = tmp_path / "楼栋.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../楼栋.shp", b"x")
        archive.writestr("/etc/楼栋.dbf", b"x")
    job = import_in_worker(path)
    assert job.status == ImportJob.Status.FAILED, (job.status, job.report)
    assert "archive_unsafe_path" in codes(job), job.report
