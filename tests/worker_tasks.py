"""Tasks for tests/test_worker_outage.py and tests/test_crash_load.py, run by a real `manage.py run_worker` process."""
import time

from django.db import connection
from django_tasks import task


@task()
def echo(n: int) -> int:
    return n


@task()
def wait_in_database(seconds: float) -> None:
    """Busy in the database, so that stopping PostgreSQL interrupts it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])


@task()
def sleep(seconds: float) -> None:
    """Busy in Python (no database), for the worker's time limit."""
    time.sleep(seconds)
