"""Background work of the service circles: the page queues a run, the worker (`manage.py run_worker`) computes it."""
from django_tasks import task

from geogrid.circles.models import CircleRun
from geogrid.circles.services import run_circles


@task()
def compute_circle_run(run_id: int) -> None:
    """Compute a queued run; progress and results land on the CircleRun the page is polling."""
    run_circles(CircleRun.objects.select_related("network", "area").get(pk=run_id))
