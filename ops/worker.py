"""The task worker in a thread of the server process, for the local run command (scripts/run
sets SANDALI_WORKER_IN_PROCESS=1, sandali/asgi.py starts it): a laptop sends the orders' mail
with no other process. In production, run `manage.py db_worker` processes instead, as many as
needed (each claims its tasks with SKIP LOCKED); the app processes then run none.

It is django-tasks' own database worker (the loop `db_worker` runs), without its signal
handlers: those belong to a process's main thread, which here is the server's. The thread is
a daemon, ended with the process; a task cut short so is recovered (orders/outbox.py). A loop
that stops on an error (the database restarting) starts again after a pause.
"""

import logging
import threading
import time

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0


def start_worker_thread(*, interval: float = 1.0) -> Worker:
    """Start the worker; it looks for due tasks every `interval` seconds while it has none.
    Setting the worker's `running` to False stops it after its current task."""
    worker = Worker(
        queue_names=["default"], interval=interval, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=f"in-process-{get_random_string(12)}",
        excluded_queue_names=[],
    )  # fmt: skip
    threading.Thread(target=_work, args=(worker,), name="task-worker", daemon=True).start()
    return worker


def _work(worker: Worker) -> None:
    while worker.running:
        try:
            worker.run()
        except Exception:
            log.exception("The task worker stopped on an error; starting it again.")
            time.sleep(RESTART_PAUSE_SECONDS)
