"""The task worker: django-tasks' database worker (the loop of its `db_worker` command) with the
scheduler of the periodic tasks (ops/periodic.py) beside it, in two forms:

- `manage.py run_worker`, in production: as many processes as needed (each claims its tasks
  with SKIP LOCKED). The worker runs in the main thread with django-tasks' signal handlers:
  SIGTERM or SIGINT stops it after its current task (a second one at once).
- A thread of the server process (SANDALI_WORKER_IN_PROCESS=1, set by scripts/run; started by
  sandali/asgi.py), so that a laptop needs no other process and the sweeper's changes reach
  this process's watchers through the in-process channel layer. It has no signal handlers:
  those belong to the main thread, which is the server's. It is a daemon, ended with the
  process; a task cut short so is finished by its next run, or a mail by its rescue.

A worker that serves the periodic queue schedules it too. A worker loop that stops on an error
(the database restarting) starts again after a pause.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from core.tasks import PERIODIC_QUEUE
from ops.periodic import Scheduler

log = logging.getLogger(__name__)

QUEUES = (DEFAULT_TASK_QUEUE_NAME, PERIODIC_QUEUE)
RESTART_PAUSE_SECONDS = 1.0


def poll_interval() -> float:
    """How long an idle worker waits before it looks for a task again: half a sweep interval,
    at most a second. The scheduler enqueues the sweep every interval and a worker takes it
    within half of one, so an expired hold reaches the seat maps within about 1.5 intervals."""
    return min(1.0, settings.SANDALI_SWEEP_INTERVAL_SECONDS / 2)


def new_worker(
    *, queues: Sequence[str] = QUEUES, interval: float | None = None, worker_id: str = ""
) -> Worker:
    """A worker of these queues ("*": all); its id names the host and the process, so that a
    task row left RUNNING says whose it was."""
    worker_id = worker_id or f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(6)}"
    return Worker(
        queue_names=list(queues), interval=poll_interval() if interval is None else interval,
        batch=False, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id=worker_id, excluded_queue_names=[],
    )  # fmt: skip


def schedules(queues: Sequence[str]) -> bool:
    """Whether a worker of these queues runs the scheduler: it does if it runs periodic tasks."""
    return "*" in queues or PERIODIC_QUEUE in queues


def keep_working(worker: Worker) -> None:
    """Run the worker until it is stopped (its `running` set to False, by a signal or by
    stop()), starting it again after an error."""
    try:
        while worker.running:
            try:
                worker.run()
            except Exception:
                log.exception("The task worker stopped on an error; starting it again.")
                time.sleep(RESTART_PAUSE_SECONDS)
    finally:
        connections.close_all()  # this thread's


@dataclass(frozen=True)
class InProcessWorker:
    worker: Worker
    scheduler: Scheduler
    thread: threading.Thread

    def stop(self, timeout: float = 10) -> None:
        """Stop both after the current task (tests; the server's threads end with it)."""
        self.scheduler.stop()
        self.worker.running = False
        self.thread.join(timeout)


def start_worker_thread(*, interval: float | None = None) -> InProcessWorker:
    """Start the worker of both queues and the scheduler in threads of this process."""
    worker = new_worker(interval=interval, worker_id=f"in-process-{get_random_string(12)}")
    scheduler = Scheduler()
    scheduler.start()
    thread = threading.Thread(target=keep_working, args=(worker,), name="task-worker", daemon=True)
    thread.start()
    return InProcessWorker(worker=worker, scheduler=scheduler, thread=thread)
