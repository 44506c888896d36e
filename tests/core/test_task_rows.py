"""core/tasks.py's enqueue_in_sql writes the row that django-tasks' database backend writes for
the same task and arguments: an upgrade of django-tasks-db that changes its table fails here,
not in a checkout. (The worker running such rows, and the mails they send, is tested in
tests/orders/test_outbox.py.)"""

from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from core.dbtime import db_now
from core.tasks import enqueue_in_sql
from orders.outbox import deliver_mail, rescue_mails

pytestmark = pytest.mark.django_db


def row(task_id: str) -> dict:
    return DBTaskResult.objects.filter(pk=task_id).values().get()


@pytest.mark.parametrize("task", [deliver_mail, rescue_mails.using(priority=3)])
def test_the_row_is_the_backends_own(task):
    args = ("6f1c0d2e-7a6b-4a55-9d0e-1c2b3a4d5e6f",) if task is deliver_mail else ()
    now = db_now()
    ours = row(enqueue_in_sql(task, *args, now=now))
    theirs = row(task.enqueue(*args).id)
    assert ours.pop("id") != theirs.pop("id")
    assert ours.pop("enqueued_at") == now
    assert abs(theirs.pop("enqueued_at") - now) < timedelta(seconds=5)
    assert ours == theirs


def test_the_row_is_the_callers_transactions():
    with transaction.atomic():
        task_id = enqueue_in_sql(deliver_mail, "x", now=db_now())
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.filter(pk=task_id).exists()


def test_a_task_the_backend_refuses_is_refused():
    with pytest.raises(Exception, match="not valid for backend"):  # no such queue in TASKS
        enqueue_in_sql(deliver_mail.using(queue_name="nowhere"), "x", now=db_now())
