"""Background work of imports: the upload page queues the file, the worker (`manage.py run_worker`) imports it."""
from pathlib import Path

from django_tasks import task

from geogrid.imports.models import ImportJob
from geogrid.imports.services import ImportOptions, run_import


@task()
def import_uploaded_file(job_id: int, path: str) -> None:
    """Run a queued import; progress and the report land on the ImportJob the page is watching."""
    job = ImportJob.objects.get(pk=job_id)
    options = ImportOptions(target=job.target, **job.options)
    run_import(Path(path), options, user=job.user, job=job)
