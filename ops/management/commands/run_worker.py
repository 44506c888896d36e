import math
from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand

from ops.periodic import Scheduler
from ops.worker import QUEUES, keep_working, new_worker, schedules


def seconds(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ArgumentTypeError("must be a number of seconds, 0 or more")
    return number


class Command(BaseCommand):
    help = (
        "Run tasks until stopped (SIGTERM: after the current task): the orders' mails and the "
        "periodic tasks (expired holds, payments cut short, lost mails), which it schedules "
        "too. Run as many as needed; see ops/worker.py."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default=",".join(QUEUES),
            help="The queues to run, comma-separated, or * for all (default: %(default)s). A "
            "worker of the periodic queue also schedules it.",
        )
        parser.add_argument(
            "--interval",
            type=seconds,
            default=None,
            help="Seconds an idle worker waits before it looks for a task again (default: half "
            "SANDALI_SWEEP_INTERVAL_SECONDS, at most 1).",
        )
        parser.add_argument("--worker-id", default="", help="Default: host, process id, random.")

    def handle(self, *args, queue_name: str, interval: float | None, worker_id: str, **options):
        queues = [name.strip() for name in queue_name.split(",") if name.strip()]
        worker = new_worker(queues=queues, interval=interval, worker_id=worker_id)
        worker.configure_signals()  # django-tasks': stop after the current task
        scheduler = None
        if schedules(queues):
            scheduler = Scheduler()
            scheduler.start()
        try:
            keep_working(worker)
        finally:
            if scheduler is not None:
                scheduler.stop()
