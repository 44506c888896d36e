"""Background work runs on Django's task framework (django-tasks, Django 6's `django.tasks`
backported; its database backend, settings.TASKS), in two queues:

- `default`: work a request records in its own transaction (an order's mails, orders/outbox.py);
- `periodic`: housekeeping that the workers' scheduler (ops/periodic.py) enqueues every few
  seconds: freeing expired holds, settling payments cut short, rescuing lost mails.

Periodic tasks go first (a higher priority): a backlog of mails during an on-sale must not keep
an expired hold's seats from reaching the seat maps. Each is idempotent and safe to run in any
number of workers at once; a run cut short is simply the next run's work.
"""

from collections.abc import Callable
from typing import TypeVar

from django_tasks import task
from django_tasks.base import Task

PERIODIC_QUEUE = "periodic"
PERIODIC_PRIORITY = 10

T = TypeVar("T")


def periodic_task(function: Callable[[], T]) -> Task:
    """A task for the periodic queue, which takes no arguments."""
    return task(queue_name=PERIODIC_QUEUE, priority=PERIODIC_PRIORITY)(function)
