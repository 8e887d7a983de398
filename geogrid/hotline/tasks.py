"""Background work of the hotline: the page queues a batch, the worker (`manage.py run_worker`) imports it."""
from pathlib import Path

from django_tasks import task

from geogrid.hotline.services import run_hotline_job
from geogrid.imports.models import ImportJob


@task()
def import_hotline_file(job_id: int, path: str) -> None:
    """Run a queued hotline batch; progress and the outcome land on the ImportJob the page is watching."""
    run_hotline_job(ImportJob.objects.get(pk=job_id), Path(path))
