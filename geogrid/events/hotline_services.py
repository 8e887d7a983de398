"""Writes behind the hotline upload page (/events/hotline): keep the uploaded batch, queue it for the background
worker, and run it there through `hotline.import_batch` (the same import as `manage.py import_hotline`).

Each batch is logged as an ImportJob with target "hotline": who, when, file name, options, status, progress,
counts and the row errors or the unmatched rows. The log is written outside the import's transaction, so a
refused batch is recorded while the tickets stay exactly as they were.
"""
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from geogrid.areas.models import Area
from geogrid.events.hotline import HotlineError, HotlineResult, import_batch
from geogrid.events.selectors import HOTLINE_TARGET
from geogrid.imports.models import ImportJob
from geogrid.imports.services import JobProgress, store_upload

MAX_LISTED = 500  # unmatched rows listed in the log; the counts always cover all of them


def queue_hotline_upload(upload: UploadedFile, *, user: User, street: Area | None, dry_run: bool,
                         encoding: str | None) -> ImportJob:
    """Keep the file under MEDIA_ROOT/hotline/<job>/ and queue its import; the page then follows the job."""
    from geogrid.events.tasks import import_hotline_file  # the task module imports this one

    options = {"dry_run": dry_run, "street": street.code if street else None, "encoding": encoding}
    job = ImportJob.objects.create(user=user, file_name=upload.name, target=HOTLINE_TARGET,
                                   options={k: v for k, v in options.items() if v})
    path = store_upload(upload, "hotline", job)
    transaction.on_commit(lambda: import_hotline_file.enqueue(job_id=job.pk, path=str(path)))
    return job


def run_hotline_job(job: ImportJob, path: Path) -> None:
    """Import a queued batch and log its outcome on the job. A batch with bad rows files nothing and lists
    them; an unexpected failure is logged as failed too (then re-raised for the worker's log), never left
    "running" for the page to poll forever."""
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    code = job.options.get("street")
    street = Area.objects.streets().get(code=code) if code else None
    dry_run = bool(job.options.get("dry_run"))
    progress = JobProgress(job)
    try:
        result = import_batch(path, street=street, user=job.user, dry_run=dry_run,
                              encoding=job.options.get("encoding"),
                              progress=lambda done, total: progress.set(100 * done // max(total, 1)))
    except HotlineError as error:
        _finish(job, ImportJob.Status.FAILED, {"errors": error.total}, {"errors": error.errors})
    except Exception:
        _finish(job, ImportJob.Status.FAILED, {"errors": 1},
                {"errors": ["导入时出现内部错误，数据库未作任何改动，请联系管理员 / internal error, nothing was written"]})
        raise
    else:
        _finish(job, ImportJob.Status.CHECKED if dry_run else ImportJob.Status.SUCCEEDED, _counts(result),
                {"waiting": [{"line": line, "address": address, "reason": reason}
                             for line, address, reason in result.waiting[:MAX_LISTED]]})
    finally:
        progress.close()


def _counts(result: HotlineResult) -> dict[str, int]:
    return {"rows": result.rows, "matched": result.matched, "unmatched": result.unmatched,
            "ambiguous": result.ambiguous, "duplicates": result.duplicates}


def _finish(job: ImportJob, status: str, counts: dict[str, int], report: dict[str, list]) -> None:
    job.status, job.counts, job.report = status, counts, report
    job.progress, job.finished_at = 100, timezone.now()
    job.save(update_fields=["status", "counts", "report", "progress", "finished_at"])
