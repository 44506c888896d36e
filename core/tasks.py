"""Background work runs on Django's task framework (django-tasks, Django 6's `django.tasks`
backported; its database backend, settings.TASKS), in two queues:

- `default`: work a request records in its own transaction (an order's mails, orders/outbox.py);
- `periodic`: housekeeping that the workers' scheduler (ops/periodic.py) enqueues every few
  seconds: freeing expired holds, settling payments cut short, rescuing lost mails.

Periodic tasks go first (a higher priority): a backlog of mails during an on-sale must not keep
an expired hold's seats from reaching the seat maps. Each is idempotent and safe to run in any
number of workers at once; a run cut short is simply the next run's work.
"""

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from core.sql import as_param, execute

PERIODIC_QUEUE = "periodic"
PERIODIC_PRIORITY = 10

T = TypeVar("T")


def periodic_task(function: Callable[[], T]) -> Task:
    """A task for the periodic queue, which takes no arguments."""
    return task(queue_name=PERIODIC_QUEUE, priority=PERIODIC_PRIORITY)(function)


_validated: set[Task] = set()


def enqueue_in_sql(task: Task, *args: str, now: datetime) -> str:
    """Enqueue `task` with `args` in the caller's transaction as django-tasks' database
    backend does (DatabaseBackend.enqueue: the same row in its table), in one SQL statement;
    returns the task's id. `now` (the database's time, which the caller has read) is when it
    was enqueued.

    Why: the backend makes the row through the ORM and builds a TaskResult for it, about
    0.6 ms of CPU, a tenth of a checkout's (docs/benchmarks.md, "The checkout's mail task in
    one statement"); one statement costs about 0.15 ms. What it leaves out: the backend's
    task_enqueued signal, which only logs at DEBUG. tests/core/test_task_rows.py compares the
    row with the backend's own, so that an upgrade of django-tasks-db that changes its table
    fails there and not in a checkout. Another backend than the database's is asked to
    enqueue as usual."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return task.enqueue(*args).id
    if task not in _validated:  # the backend's own checks (its queues, the priority), once
        backend.validate_task(task)
        _validated.add(task)
    task_id = uuid.uuid4()
    run_after = task.run_after or get_date_max()
    execute(
        f"""INSERT INTO {DBTaskResult._meta.db_table} (id, status, enqueued_at, started_at,
              finished_at, args_kwargs, priority, task_path, worker_ids, queue_name,
              backend_name, run_after, return_value, exception_class_path, traceback)
            VALUES (%s, %s, %s, NULL, NULL, %s, %s, %s, '[]', %s, %s, %s, NULL, '', '')""",
        [
            task_id.hex, TaskResultStatus.READY, as_param(now),
            json.dumps({"args": list(args), "kwargs": {}}), task.priority, task.module_path,
            task.queue_name, task.backend, as_param(run_after),
        ],
    )  # fmt: skip
    return str(task_id)
