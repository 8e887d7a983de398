"""12345 hotline batches, written: `import_batch` files a checked batch (the same import for `manage.py
import_hotline` and the upload page), `queue_hotline_upload` keeps an upload and queues it for the background
worker, and `run_hotline_job` runs it there.

Each row's address is matched to exactly one building (`AddressIndex`); the ticket is filed at the building's
point and routed like any other (`events.services.report`, source HOTLINE). A row whose address matches no
building, or more than one, is filed without a location and waits in the street centre's queue
(/events/unplaced) for a person to place it on the map (`events.services.place`).

All or nothing: every row is checked first (`readers.read_batch`), and only a batch without errors is written,
in ONE transaction. A dry run writes it too and rolls it back, so its counts are exactly what the import would do.

Each uploaded batch is logged as an ImportJob with target "hotline": who, when, file name, options, status,
progress, counts and the row errors or the unmatched rows. The log is written outside the import's
transaction, so a refused batch is recorded while the tickets stay exactly as they were.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from geogrid.areas.models import Area
from geogrid.buildings.addresses import AddressIndex
from geogrid.core.crs import ParsedPoint, parse_crs
from geogrid.events.models import Event
from geogrid.events.services import NewReport, hold_for_placement, report
from geogrid.hotline.readers import HotlineError, HotlineRow, read_batch
from geogrid.hotline.selectors import HOTLINE_TARGET
from geogrid.imports.models import ImportJob
from geogrid.imports.services import JobProgress, store_upload

MAX_LISTED = 500  # unmatched rows listed in the log; the counts always cover all of them
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class HotlineResult:
    rows: int = 0
    matched: int = 0
    unmatched: int = 0  # filed without a location, waiting to be placed (ambiguous ones included)
    ambiguous: int = 0  # of the unmatched: more than one building has the address
    duplicates: int = 0  # tickets already filed (an earlier import, or the same ticket twice in this batch)
    dry_run: bool = False
    waiting: list[tuple[int, str, str]] = field(default_factory=list)  # (line, address, reason) of the unmatched


class _DryRun(Exception):
    """Rolls back a dry run's writes."""


def import_batch(path: Path, *, mapping: dict[str, str] | None = None, encoding: str | None = None,
                 street: Area | None = None, user: User | None = None, dry_run: bool = False,
                 progress: Progress | None = None) -> HotlineResult:
    """Check and import a hotline batch; see the module docstring. HotlineError (nothing written) for a bad
    file or bad rows. Unmatched tickets wait in the queue of the street their address names or their
    candidate buildings share, else of `street` (by default the only street, when there is one); with none of
    these a ticket has no place at all and only superusers see it."""
    rows = read_batch(path, mapping, encoding)
    if street is None:
        streets = list(Area.objects.streets()[:2])
        street = streets[0] if len(streets) == 1 else None
    result = HotlineResult(rows=len(rows), dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(rows, street, user, result, progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _write(rows: list[HotlineRow], default_street: Area | None, user: User | None, result: HotlineResult,
           progress: Progress | None) -> None:
    seen = set(Event.objects.filter(client_id__in=[r.client_id for r in rows]).values_list("client_id", flat=True))
    index = AddressIndex()
    storage = parse_crs("cgcs2000")
    for done, row in enumerate(rows, start=1):
        if row.client_id in seen:
            result.duplicates += 1
        else:
            seen.add(row.client_id)
            match = index.match(row.address)
            point = None if match.building is None else ParsedPoint(
                point=match.building.point, crs=storage, raw=(match.building.point.x, match.building.point.y))
            event, created = report(new=NewReport(
                category=row.category, description=row.description, point=point, address=row.address,
                source=Event.Source.HOTLINE, client_id=row.client_id, reporter_name=row.caller,
                reporter_phone=row.phone), user=user, at=row.received_at)
            if not created:  # filed meanwhile by a concurrent import of the same ticket
                result.duplicates += 1
            elif point is not None:
                result.matched += 1
            else:
                result.unmatched += 1
                result.ambiguous += match.candidates > 1
                result.waiting.append((row.line, row.address, match.reason if row.address else "没有地址 / no address"))
                queue = match.street or default_street
                if queue is not None:
                    hold_for_placement(event, queue)
        if progress is not None:
            progress(done, len(rows))


def queue_hotline_upload(upload: UploadedFile, *, user: User, street: Area | None, dry_run: bool,
                         encoding: str | None) -> ImportJob:
    """Keep the file under MEDIA_ROOT/hotline/<job>/ and queue its import; the page then follows the job."""
    from geogrid.hotline.tasks import import_hotline_file  # the task module imports this one

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
