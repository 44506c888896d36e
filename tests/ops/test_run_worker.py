"""`manage.py run_worker`, the production worker: it schedules and runs the periodic tasks and
runs the mails, and SIGTERM stops it after the task it is running. `sweep_holds` runs the
sweeper once, for an operator."""

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from catalog.models import Seat, SeatStatus
from orders.checkout import checkout
from orders.models import MailStatus, OrderMail
from reservations.services import hold_seats
from tests.factories import expire_hold, seat_ids
from tests.servers import ROOT, shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)  # the worker is another process


def wait_for(condition, *, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_run_worker_sweeps_sends_mail_and_stops_after_its_task_on_sigterm(performance, mail_server):
    ids = seat_ids(performance)
    expired = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    expire_hold(expired.hold)
    mail_server.inbox.delay = 1.5  # the mail is being sent when the worker is told to stop
    env = {**os.environ, "DATABASE_URL": shared_database_url(), "EMAIL_URL": mail_server.url,
           "SANDALI_SWEEP_INTERVAL_SECONDS": "0.2"}  # fmt: skip
    with tempfile.TemporaryFile("w+") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            still_held = Seat.objects.filter(status=SeatStatus.RESERVED, pk__in=ids[:2])
            wait_for(lambda: not still_held.exists(), what="the expired hold to be freed")
            paid = hold_seats(performance_id=performance.pk, seat_ids=ids[2:3])
            checkout(hold_id=paid.hold.pk, token=paid.token, idempotency_key="k", name="Ava",
                     email="ava@example.org")  # fmt: skip
            mail_task = DBTaskResult.objects.filter(task_path="orders.outbox.deliver_mail")
            wait_for(
                lambda: mail_task.filter(status=TaskResultStatus.RUNNING).exists(),
                what="the mail task to start",
            )
            worker.send_signal(signal.SIGTERM)
            returncode = worker.wait(timeout=20)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        log.seek(0)
        output = log.read()
    assert returncode == 0, output
    assert "shutting down gracefully" in output
    # The task it was running was finished, not cut short.
    assert OrderMail.objects.get().status == MailStatus.SENT
    assert len(mail_server.inbox.messages) == 1
    assert mail_task.get().status == TaskResultStatus.SUCCESSFUL
    sweeps = DBTaskResult.objects.filter(task_path="reservations.services.sweep_expired_holds")
    assert 2 in sweeps.values_list("return_value", flat=True)
    # Routine runs of periodic tasks are left out of the log.
    assert "sweep_expired_holds" not in output, output


def test_sweep_holds_runs_the_sweeper_once(performance, capsys):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    expire_hold(held.hold)
    call_command("sweep_holds")
    assert capsys.readouterr().out.strip() == "Freed 2 seats."
    assert not Seat.objects.filter(status=SeatStatus.RESERVED).exists()
    assert not DBTaskResult.objects.exists()  # run here and now, nothing enqueued


def test_sweep_holds_loop_names_its_replacement():
    with pytest.raises(CommandError, match="run_worker"):
        call_command("sweep_holds", "--loop")
