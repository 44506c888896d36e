"""The outbox (orders/outbox.py): an order's mail is recorded in the order's own transaction,
sent after commit by the task worker to a real SMTP server, tried again with backoff while
that server is down, and sent once, however many workers run it and whatever task is lost."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.dbtime import db_now
from ops.periodic import sweep_once
from orders import outbox
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.models import MailKind, MailStatus, Order, OrderMail
from orders.outbox import deliver_mail, describe_error, record_mail, retry_delay
from reservations.services import hold_seats
from tests.factories import seat_ids
from tests.mailserver import run_tasks

# The worker reads only what is committed, as in production.
committed = pytest.mark.django_db(transaction=True)


class Killed(BaseException):
    """The worker's process died here."""


def buy(performance, *, language="en", email="ava@example.org"):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    return checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                    email=email, language=language).order  # fmt: skip


def the_mail(kind=MailKind.CONFIRMATION) -> OrderMail:
    return OrderMail.objects.get(kind=kind)


def ready_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


def run_tasks_until(condition, *, seconds: float = 10) -> None:
    """Run due tasks again and again (a worker's loop) until the condition holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        run_tasks()
        time.sleep(0.05)


@pytest.mark.django_db
def test_a_paid_order_records_one_mail_and_its_task_in_the_orders_transaction(performance):
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        order = buy(performance)
        (mail,) = OrderMail.objects.filter(order=order)
        assert (mail.kind, mail.status, mail.attempts) == (MailKind.CONFIRMATION, "pending", 0)
        (task,) = ready_tasks()
        assert task.id == mail.task_id and task.args_kwargs["args"] == [str(mail.pk)]
        assert task.task_path == "orders.outbox.deliver_mail"
        raise RolledBack()
    assert not Order.objects.exists()
    assert not OrderMail.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_checkout_records_the_mail_in_two_statements(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    with CaptureQueriesContext(connection) as queries:
        checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                 email="ava@example.org")  # fmt: skip
    mail_statements = [
        q["sql"] for q in queries if "ordermail" in q["sql"] or "dbtaskresult" in q["sql"]
    ]
    assert len(mail_statements) == 2 and all(s.startswith("INSERT") for s in mail_statements)
    # 19 before mail (savepoints included, as BEGIN and COMMIT would be): the checkout's
    # hot path must not grow unnoticed.
    assert len(queries) == 21, [q["sql"][:60] for q in queries]


@committed
def test_the_worker_sends_the_confirmation_after_commit_with_a_stable_message_id(
    performance, mail_server
):
    order = buy(performance)
    mail = the_mail()
    assert mail.message_id.startswith(f"<order-{order.pk}.confirmation.")
    assert mail.message_id.endswith("@sandali.example>")
    run_tasks()
    (message,) = mail_server.inbox.messages
    assert message["Message-ID"] == mail.message_id
    assert message["To"] == "Ava <ava@example.org>"
    assert message["From"] == "Sandali <tickets@sandali.example>"
    assert message["Subject"].startswith("Your tickets: Test concert, ")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Section 1 · Row A · Seat 1 · Normal · 20 EUR" in text and "Total: 40 EUR" in text
    assert 'dir="ltr"' in html and "Test concert" in html
    (pdf,) = message.iter_attachments()
    assert pdf.get_filename() == f"sandali-order-{order.pk}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (MailStatus.SENT, 1, "")
    assert mail.sent_at is not None
    run_tasks()
    sweep_once()
    run_tasks()
    assert len(mail_server.inbox.messages) == 1


@committed
def test_a_persian_order_is_mailed_in_persian(performance, mail_server):
    order = buy(performance, language="fa")
    run_tasks()
    (message,) = mail_server.inbox.messages
    # Django folds a non-ASCII subject onto the next line; a reader drops the space that leaves.
    assert message["Subject"].strip().startswith("بلیت‌های شما: Test concert، ")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    persian_id = str(order.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"سفارش {persian_id}" in text and "ردیف A · صندلی ۱" in text and "۴۰ EUR" in text
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert "Your tickets" not in text + html


@committed
def test_while_the_mail_server_is_down_the_mail_waits_and_then_arrives_once(
    performance, mail_server, settings
):
    settings.SANDALI_MAIL_RETRY_SECONDS = 0.4
    mail_server.stop()
    buy(performance)
    run_tasks()
    mail = the_mail()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert "ConnectionRefusedError" in mail.last_error
    (retry,) = ready_tasks()
    assert retry.id == mail.task_id and retry.run_after > retry.enqueued_at
    run_tasks()  # not yet due: nothing is tried
    assert the_mail().attempts == 1
    run_tasks_until(lambda: the_mail().attempts == 2)  # tried again after its backoff
    assert the_mail().status == MailStatus.PENDING and not mail_server.inbox.messages
    mail_server.start()
    run_tasks_until(lambda: the_mail().status == MailStatus.SENT)
    assert the_mail().attempts == 3 and the_mail().last_error == ""
    time.sleep(1)
    run_tasks()
    sweep_once()
    run_tasks()
    assert len(mail_server.inbox.messages) == 1
    assert mail_server.inbox.messages[0]["Message-ID"] == mail.message_id


def test_the_backoff_doubles_from_five_seconds_to_at_most_fifteen_minutes_with_jitter():
    for attempts in range(1, 15):
        ceiling = min(5 * 2 ** (attempts - 1), 900)
        delays = [retry_delay(attempts) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1


@committed
def test_two_workers_running_the_mail_at_once_send_it_once(performance, mail_server):
    buy(performance)
    mail = the_mail()
    deliver_mail.enqueue(str(mail.pk))  # a second task for the same mail
    mail_server.inbox.delay = 0.5  # the first is still sending when the second looks
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            run_tasks()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(mail_server.inbox.messages) == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 1)
    outcomes = sorted(DBTaskResult.objects.values_list("return_value", flat=True))
    assert outcomes == ["not claimed: sending", "sent"]


@committed
def test_a_cancelled_order_is_mailed_its_cancellation_once(performance, mail_server):
    order = buy(performance)
    cancel_order(order_id=order.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_mail(order_id=order.pk, kind=MailKind.CANCELLATION)
    run_tasks()
    subjects = sorted(message["Subject"] for message in mail_server.inbox.messages)
    assert len(subjects) == 2
    assert subjects[0] == f"Order {order.pk} cancelled and refunded: Test concert"
    cancellation = next(m for m in mail_server.inbox.messages if "cancelled" in m["Subject"])
    text = cancellation.get_body(("plain",)).get_content()
    assert "40 EUR has been refunded" in text and "no longer valid" in text
    assert the_mail(MailKind.CANCELLATION).status == MailStatus.SENT
    run_tasks()
    assert len(mail_server.inbox.messages) == 2


@committed
def test_the_sweeper_enqueues_again_a_mail_whose_task_was_lost_and_it_is_sent_once(
    performance, mail_server, settings
):
    settings.SANDALI_MAIL_RESCUE_SECONDS = 0
    buy(performance)
    DBTaskResult.objects.all().delete()  # the task is lost
    sweep_once()
    (task,) = ready_tasks()
    assert the_mail().task_id == task.id
    sweep_once()  # its new task is queued: nothing more to rescue
    assert len(ready_tasks()) == 1
    run_tasks()
    sweep_once()
    run_tasks()
    assert len(mail_server.inbox.messages) == 1 and the_mail().status == MailStatus.SENT


@committed
def test_a_mail_whose_worker_died_while_sending_is_sent_after_its_lease(
    performance, mail_server, settings, monkeypatch
):
    settings.SANDALI_MAIL_LEASE_SECONDS = 0.5
    settings.SANDALI_MAIL_RESCUE_SECONDS = 0  # the sweeper looks at every pass

    def dies(mail):
        raise Killed()

    buy(performance)
    settings.SANDALI_MAIL_COMPOSER = f"{__name__}.dying_composer"
    monkeypatch.setattr(f"{__name__}.dying_composer", dies, raising=False)
    run_tasks()
    assert the_mail().status == MailStatus.SENDING and not mail_server.inbox.messages
    settings.SANDALI_MAIL_COMPOSER = "delivery.mail.compose_order_mail"
    sweep_once()
    assert not ready_tasks()  # its lease has not run out yet
    time.sleep(0.6)
    sweep_once()
    run_tasks()
    assert len(mail_server.inbox.messages) == 1
    assert (the_mail().status, the_mail().attempts) == (MailStatus.SENT, 2)


@committed
def test_a_worker_that_dies_after_the_server_took_the_mail_sends_it_again_with_its_message_id(
    performance, mail_server, settings, monkeypatch
):
    """The one window where a mail goes twice (orders/outbox.py): the receiver can tell the
    copy by its Message-ID."""
    from delivery.mail import compose_order_mail

    settings.SANDALI_MAIL_LEASE_SECONDS = 0.3
    settings.SANDALI_MAIL_RESCUE_SECONDS = 0

    def sends_then_dies(mail):
        message = compose_order_mail(mail)
        real_send = message.send

        def send(*args, **kwargs):
            real_send(*args, **kwargs)
            raise Killed()

        message.send = send
        return message

    buy(performance)
    settings.SANDALI_MAIL_COMPOSER = f"{__name__}.dying_composer"
    monkeypatch.setattr(f"{__name__}.dying_composer", sends_then_dies, raising=False)
    run_tasks()
    settings.SANDALI_MAIL_COMPOSER = "delivery.mail.compose_order_mail"
    time.sleep(0.4)
    sweep_once()
    run_tasks()
    first, second = mail_server.inbox.messages
    assert first["Message-ID"] == second["Message-ID"] == the_mail().message_id


@committed
def test_an_address_the_mail_server_refuses_for_good_is_not_tried_again(performance, mail_server):
    mail_server.inbox.unknown_addresses.add("nobody@example.org")
    buy(performance, email="nobody@example.org")
    run_tasks()
    mail = the_mail()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 1)
    assert "550" in mail.last_error and not ready_tasks()


@committed
def test_a_task_run_before_its_mail_is_due_runs_again_when_it_is(performance, mail_server):
    buy(performance)
    OrderMail.objects.update(next_attempt_at=db_now() + timedelta(seconds=0.5))
    run_tasks()  # as a worker whose clock is ahead of the database's would
    assert the_mail().attempts == 0 and not mail_server.inbox.messages
    (again,) = ready_tasks()
    assert the_mail().task_id == again.id
    run_tasks_until(lambda: mail_server.inbox.messages)
    assert the_mail().attempts == 1


def test_an_error_recorded_never_holds_the_mail_password(settings):
    import smtplib

    settings.EMAIL_HOST_PASSWORD = "hunter2"
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 hunter2 is not accepted")
    assert "hunter2" not in describe_error(error) and "535" in describe_error(error)
    assert len(describe_error(OSError("x" * 1000))) == 200


@pytest.mark.django_db
def test_a_mail_recorded_outside_a_transaction_has_its_own(performance):
    order = buy(performance)
    mail_id = record_mail(order_id=order.pk, kind=MailKind.RESEND)
    assert OrderMail.objects.get(pk=mail_id).kind == MailKind.RESEND
    assert isinstance(mail_id, uuid.UUID) and outbox.RESCUE_BATCH


@committed
def test_a_payment_refunded_because_the_hold_expired_is_mailed_once_in_the_buyers_language(
    performance, mail_server, monkeypatch, settings
):
    """The buyer paid; the payment came back after the hold had run out (the process died
    between the provider's approval and the order): refunded, and the buyer is told."""
    from orders import checkout as checkout_module
    from orders.models import PaymentAttempt
    from orders.recovery import recover_payments
    from tests.factories import expire_hold

    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])

    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(checkout_module, "settle_payment", killed)
    with pytest.raises(Killed):
        checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                 email="ava@example.org", language="fa")  # fmt: skip
    monkeypatch.undo()
    expire_hold(held.hold)
    assert recover_payments.call() == {"refunded": 1}
    attempt = PaymentAttempt.objects.get()
    mail = the_mail(MailKind.PAYMENT_REFUNDED)
    assert (mail.payment_attempt_id, mail.order_id) == (attempt.pk, None)
    assert mail.message_id.startswith(f"<payment-{attempt.pk}.refunded.")
    run_tasks()
    recover_payments.call()
    run_tasks()
    (message,) = mail_server.inbox.messages
    assert message["To"] == "Ava <ava@example.org>"
    text = message.get_body(("plain",)).get_content()
    assert "پس از پایان زمان نگه‌داری صندلی‌هایتان رسید" in text
    assert "مبلغ ۴۰ EUR به همان روشی که با آن پرداخت کردید بازگردانده شد" in text
    assert not list(message.iter_attachments())
