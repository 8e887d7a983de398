"""`manage.py run_worker`: the background worker (django-tasks-db's `db_worker` options), surviving database outages
and reaping tasks whose worker is gone (geogrid/core/worker.py). No autoreload: a reload would abandon the running task.
"""
from argparse import ArgumentParser

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from geogrid.core.worker import ResilientWorker


class Command(db_worker.Command):
    help = "运行后台任务进程（数据库中断后自动重连，并回收中断的任务）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--reap-every", type=db_worker.valid_interval, default=30.0,
                            help="seconds between liveness checks and reaping of tasks whose worker is gone")

    def handle(self, *, verbosity: int, queue_name: str, exclude_queues: str, reap_every: float, **options) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues 只能与 --queue-name='*' 一起使用")
        worker = ResilientWorker(
            queue_names=queue_names, excluded_queue_names=excluded, reap_every=reap_every,
            interval=options["interval"], batch=options["batch"], backend_name=options["backend_name"],
            startup_delay=options["startup_delay"], max_tasks=options["max_tasks"], worker_id=options["worker_id"])
        worker.configure_signals()
        worker.run()
