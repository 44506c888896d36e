"""The sweeper: periodic tasks, and the scheduler that every worker runs to enqueue them.

Four housekeeping jobs, each a task of the periodic queue (core/tasks.py) in the layer that
owns its state, each on its own interval:

    reservations.services.sweep_expired_holds   SANDALI_SWEEP_INTERVAL_SECONDS
    orders.recovery.recover_payments            SANDALI_SWEEP_INTERVAL_SECONDS
    orders.outbox.rescue_mails                  SANDALI_MAIL_RESCUE_SECONDS / 2
    orders.waiting_list.serve_waiting_lists     SANDALI_SWEEP_INTERVAL_SECONDS

Correctness never waits for them (expiry is lazy, a payment cut short is resumed by its own
request too); they make an expiry reach the seat maps within about an interval with no API
call, and settle what a crash left behind.

The scheduler runs inside every worker (`manage.py run_worker`, or the server's own worker
thread, ops/worker.py), so any number of workers may run and none is special. Each interval it
offers each task: the task is enqueued unless one of it is READY (waiting for a worker) or was
enqueued less than an interval ago, by any worker; the check and the insert hold one lock per
task (core.sql.exclusive), so however many schedulers offer at once, at most one of each task
waits. A RUNNING one does not count: a worker killed mid-task leaves its row RUNNING for
ever, and the next run must not wait for it.

Successful runs are deleted a minute after they finish (failures are kept for the admin and
for `prune_db_task_results`), so the table does not grow by a row a second.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from core.sql import exclusive
from core.tasks import PERIODIC_QUEUE
from orders.outbox import rescue_mails
from orders.recovery import recover_payments
from orders.waiting_list import serve_waiting_lists
from reservations.services import sweep_expired_holds

log = logging.getLogger(__name__)

PRUNE_AFTER_SECONDS = 60.0  # a successful run's row is kept this long, for a look in the admin
# "Less than an interval ago" is less than 90% of one: a scheduler's own last enqueue, one
# interval ago, was inserted a moment after it read the clock, and must not count.
RECENT = 0.9


@dataclass(frozen=True)
class Periodic:
    task: Task
    interval: Callable[[], float]  # seconds; read from settings at each use

    @property
    def path(self) -> str:
        return self.task.module_path


PERIODIC = (
    Periodic(sweep_expired_holds, lambda: settings.SANDALI_SWEEP_INTERVAL_SECONDS),
    Periodic(recover_payments, lambda: settings.SANDALI_SWEEP_INTERVAL_SECONDS),
    # A lost mail task is rare, and rescued only once SANDALI_MAIL_RESCUE_SECONDS overdue: a
    # look every half of that is enough, and spares the database a scan of every unsent mail
    # each second while no worker sends mail.
    Periodic(rescue_mails, lambda: settings.SANDALI_MAIL_RESCUE_SECONDS / 2),
    # Waiting list: seats freed (expired holds too, lazily) offered to the entries in order.
    Periodic(serve_waiting_lists, lambda: settings.SANDALI_SWEEP_INTERVAL_SECONDS),
)
PERIODIC_PATHS = frozenset(periodic.path for periodic in PERIODIC)


def offer(periodic: Periodic) -> bool:
    """Enqueue the task unless one of it is waiting, or one was enqueued less than an interval
    ago; True if this call enqueued it."""
    with transaction.atomic():
        exclusive(f"periodic:{periodic.path}")
        recent = timezone.now() - timedelta(seconds=periodic.interval() * RECENT)
        rows = DBTaskResult.objects.filter(queue_name=PERIODIC_QUEUE, task_path=periodic.path)
        if rows.filter(status=TaskResultStatus.READY).exists():
            return False
        if rows.filter(enqueued_at__gt=recent).exists():
            return False
        periodic.task.enqueue()
        return True


def prune_periodic_results() -> int:
    """Delete the periodic tasks' successful runs that finished over a minute ago (or over an
    interval ago, for a longer interval: the newest run tells offer() when the last was);
    returns how many."""
    deleted = 0
    for periodic in PERIODIC:
        age = max(PRUNE_AFTER_SECONDS, periodic.interval())
        deleted += DBTaskResult.objects.filter(
            queue_name=PERIODIC_QUEUE,
            task_path=periodic.path,
            status=TaskResultStatus.SUCCESSFUL,
            finished_at__lt=timezone.now() - timedelta(seconds=age),
        ).delete()[0]
    return deleted


class Scheduler:
    """Offers each periodic task once an interval, and prunes once a minute, until stopped.
    `clock` is time.monotonic, replaced in tests."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.stopped = threading.Event()
        self.due = {periodic.path: float("-inf") for periodic in PERIODIC}
        self.prune_due = float("-inf")
        self.thread: threading.Thread | None = None

    def run_pending(self) -> float:
        """Offer every task that is due, prune if that is due; returns the seconds until the
        next is due."""
        now = self.clock()
        for periodic in PERIODIC:
            if now >= self.due[periodic.path]:
                self.due[periodic.path] = now + periodic.interval()
                offer(periodic)
        if now >= self.prune_due:
            self.prune_due = now + PRUNE_AFTER_SECONDS
            prune_periodic_results()
        return max(min(*self.due.values(), self.prune_due) - self.clock(), 0.0)

    def run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()  # one a restarted database broke is replaced
            try:
                wait = self.run_pending()
            except Exception:  # a database restart must not end the loop
                log.exception("The scheduler of periodic tasks failed; trying again.")
                wait = settings.SANDALI_SWEEP_INTERVAL_SECONDS
            self.stopped.wait(wait)
        connections.close_all()  # this thread's

    def start(self) -> None:
        """Run in a daemon thread: one that dies with its process loses nothing but a lock."""
        self.thread = threading.Thread(target=self.run, name="periodic-scheduler", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)


def sweep_once() -> int:
    """Run every periodic task once, now, in this process (`manage.py sweep_holds`); returns
    how many seats were freed."""
    close_old_connections()
    freed = sweep_expired_holds.call()
    recover_payments.call()
    rescue_mails.call()
    serve_waiting_lists.call()
    return freed
