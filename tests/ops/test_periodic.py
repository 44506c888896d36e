"""The sweeper's periodic tasks and their scheduler (ops/periodic.py): each task is enqueued once
an interval, never while one of it waits, whatever the number of schedulers, and not held up
by a row a dead worker left RUNNING; a worker runs them (an expired hold freed, a payment cut
short settled, a lost mail rescued), and their successful rows are pruned."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from catalog.models import Seat, SeatStatus
from ops.logsampling import QuietPeriodicTasks
from ops.periodic import PERIODIC, PRUNE_AFTER_SECONDS, Scheduler, prune_periodic_results
from ops.worker import start_worker_thread
from orders import checkout as checkout_module
from orders.checkout import checkout
from orders.models import MailStatus, Order, OrderMail, PaymentAttempt, PaymentStatus
from orders.outbox import deliver_mail, rescue_mails
from orders.recovery import recover_payments
from reservations.services import hold_seats, sweep_expired_holds
from tests.factories import expire_hold, seat_ids
from tests.mailserver import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)  # workers and schedulers in threads

# The first three; those added since (the waiting list's offers, ...) run on the same rules.
HOLDS, PAYMENTS, MAILS = (periodic.task.module_path for periodic in PERIODIC[:3])
INTERVAL = 0.2


@pytest.fixture(autouse=True)
def short_intervals(settings):
    settings.SANDALI_SWEEP_INTERVAL_SECONDS = INTERVAL
    settings.SANDALI_MAIL_RESCUE_SECONDS = 60


class Clock:
    """The scheduler's monotonic clock, moved by the test."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def rows(path: str, status: TaskResultStatus = TaskResultStatus.READY) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path, status=status))


def waiting() -> dict[str, int]:
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return {path: ready.filter(task_path=path).count() for path in (HOLDS, PAYMENTS, MAILS)}


def test_a_periodic_task_is_enqueued_once_while_one_waits_and_again_after_it_ran(settings):
    clock = Clock()
    scheduler = Scheduler(clock=clock)
    scheduler.run_pending()
    assert waiting() == {HOLDS: 1, PAYMENTS: 1, MAILS: 1}
    (first,) = rows(HOLDS)
    assert (first.queue_name, first.priority) == ("periodic", 10)
    time.sleep(INTERVAL)  # an interval later, the first still waits: no second
    clock.now += INTERVAL
    scheduler.run_pending()
    assert waiting() == {HOLDS: 1, PAYMENTS: 1, MAILS: 1}
    run_tasks()
    assert waiting() == {HOLDS: 0, PAYMENTS: 0, MAILS: 0}
    time.sleep(INTERVAL)
    clock.now += INTERVAL
    scheduler.run_pending()
    # The sweep and the payments again; the mails' rescue only every half minute.
    assert waiting() == {HOLDS: 1, PAYMENTS: 1, MAILS: 0}
    assert len(rows(HOLDS, TaskResultStatus.SUCCESSFUL)) == 1
    settings.SANDALI_MAIL_RESCUE_SECONDS = 2 * INTERVAL
    clock.now += 30
    time.sleep(INTERVAL)
    scheduler.run_pending()
    assert waiting()[MAILS] == 1


def ran_all() -> None:
    """Every waiting task has run (as a worker would have, only faster)."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )


def test_a_task_another_scheduler_enqueued_less_than_an_interval_ago_is_not_enqueued_again():
    Scheduler().run_pending()
    ran_all()
    Scheduler().run_pending()  # another worker's, at once
    assert waiting() == {HOLDS: 0, PAYMENTS: 0, MAILS: 0}
    time.sleep(INTERVAL)
    Scheduler().run_pending()
    assert waiting() == {HOLDS: 1, PAYMENTS: 1, MAILS: 0}  # the mails' is not yet due again


def test_schedulers_running_at_once_leave_at_most_one_of_each_task_waiting():
    """Four schedulers offer every task at the same moments, round after round; between
    rounds the tasks run. Each round leaves one of each waiting: the check and the insert are
    one, under a lock per task."""
    schedulers, rounds = 4, 8
    start, offered = threading.Barrier(schedulers), threading.Barrier(schedulers + 1)
    done = threading.Barrier(schedulers + 1)
    errors = []

    def schedule():
        clock = Clock()
        scheduler = Scheduler(clock=clock)
        try:
            for _ in range(rounds):
                start.wait(timeout=30)
                try:
                    scheduler.run_pending()
                except Exception as error:
                    errors.append(error)
                offered.wait(timeout=30)
                done.wait(timeout=30)
                clock.now += 60
        finally:
            connection.close()

    threads = [threading.Thread(target=schedule) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    seen = []
    for _ in range(rounds):
        offered.wait(timeout=30)
        seen.append(waiting())
        ran_all()  # and long enough ago that they are due again
        DBTaskResult.objects.update(enqueued_at=F("enqueued_at") - timedelta(minutes=1))
        done.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert seen == [{HOLDS: 1, PAYMENTS: 1, MAILS: 1}] * rounds


def test_a_task_a_dead_worker_left_running_does_not_stop_the_next():
    clock = Clock()
    scheduler = Scheduler(clock=clock)
    scheduler.run_pending()
    (dead,) = rows(HOLDS)
    dead.claim("a-worker-killed-mid-task")  # and never finished
    time.sleep(INTERVAL)
    clock.now += INTERVAL
    scheduler.run_pending()
    (running,) = rows(HOLDS, TaskResultStatus.RUNNING)
    (next_one,) = rows(HOLDS)
    assert running.pk == dead.pk and next_one.pk != dead.pk
    run_tasks()
    assert rows(HOLDS, TaskResultStatus.SUCCESSFUL)[0].pk == next_one.pk


def test_the_worker_in_the_server_process_frees_an_expired_hold_on_its_own(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    expire_hold(held.hold)
    running = start_worker_thread()
    try:
        deadline = time.monotonic() + 10
        while Seat.objects.filter(status=SeatStatus.RESERVED).exists():
            assert time.monotonic() < deadline, "the expired hold was never freed"
            time.sleep(0.05)
        # The seats are free once the sweep committed; its result row is written after the
        # task returned, a moment later (on a busy machine, after the first look).
        while not rows(HOLDS, TaskResultStatus.SUCCESSFUL) and time.monotonic() < deadline:
            time.sleep(0.05)
        freed_by = [row.return_value for row in rows(HOLDS, TaskResultStatus.SUCCESSFUL)]
        assert 2 in freed_by
    finally:
        running.stop()
    assert not running.thread.is_alive() and not running.scheduler.thread.is_alive()


def test_a_payment_cut_short_is_settled_by_the_recovery_task(performance, settings, monkeypatch):
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])

    class Killed(BaseException):
        pass

    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(checkout_module, "settle_payment", killed)
    with pytest.raises(Killed):
        checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                 email="ava@example.org")  # fmt: skip
    monkeypatch.undo()
    assert PaymentAttempt.objects.get().status == PaymentStatus.PENDING
    Scheduler().run_pending()
    run_tasks()
    assert PaymentAttempt.objects.get().status == PaymentStatus.PAID
    assert Order.objects.get().tickets.count() == 2
    (ran,) = rows(PAYMENTS, TaskResultStatus.SUCCESSFUL)
    assert ran.return_value == {"paid": 1}


def test_a_mail_whose_task_was_lost_is_rescued_by_its_task_and_sent(
    performance, settings, mail_server
):
    settings.SANDALI_MAIL_RESCUE_SECONDS = 0
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
             email="ava@example.org")  # fmt: skip
    DBTaskResult.objects.all().delete()  # the mail's task is lost
    Scheduler().run_pending()
    run_tasks()  # the rescue, then the mail task it enqueued
    assert OrderMail.objects.get().status == MailStatus.SENT
    assert len(mail_server.inbox.messages) == 1
    (ran,) = rows(MAILS, TaskResultStatus.SUCCESSFUL)
    assert ran.return_value == 1


def finished(task, *, status: TaskResultStatus, seconds_ago: float, args=()) -> str:
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return result.id


def test_the_scheduler_prunes_successful_periodic_runs_a_minute_after_they_finished(settings):
    settings.SANDALI_MAIL_RESCUE_SECONDS = 600  # a rescue every 300 s
    old = PRUNE_AFTER_SECONDS + 5
    pruned = [
        finished(sweep_expired_holds, status=TaskResultStatus.SUCCESSFUL, seconds_ago=old),
        finished(recover_payments, status=TaskResultStatus.SUCCESSFUL, seconds_ago=old),
    ]
    kept = [
        finished(sweep_expired_holds, status=TaskResultStatus.SUCCESSFUL, seconds_ago=5),
        finished(sweep_expired_holds, status=TaskResultStatus.FAILED, seconds_ago=old),
        finished(
            deliver_mail, status=TaskResultStatus.SUCCESSFUL, seconds_ago=old, args=["a-mail"]
        ),
        # The last rescue of mails is kept for as long as its interval, if that is longer.
        finished(rescue_mails, status=TaskResultStatus.SUCCESSFUL, seconds_ago=old),
    ]
    Scheduler().run_pending()  # its first round prunes, then enqueues
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert not {str(pk) for pk in left} & set(pruned)
    assert set(kept) <= {str(pk) for pk in left}
    assert prune_periodic_results() == 0


def test_the_log_leaves_out_the_periodic_tasks_routine_lines_but_not_their_failures():
    quiet = QuietPeriodicTasks()

    def line(path: str, level: int) -> logging.LogRecord:
        return logging.LogRecord(
            "django_tasks", level, __file__, 1, "Task id=%s path=%s state=%s",
            ("0f0f", path, "SUCCESSFUL"), None,
        )  # fmt: skip

    assert not quiet.filter(line(HOLDS, logging.INFO))
    assert quiet.filter(line(HOLDS, logging.ERROR))
    assert quiet.filter(line("orders.outbox.deliver_mail", logging.INFO))
