"""The outbox: mail to an order's buyer, recorded in the transaction that makes it due, and sent
after commit by a task (django-tasks' database backend), tried again until the mail server
takes it.

record_mail, called where an order is made paid (orders/settlement.py, for checkout and the
sweeper's recovery alike) and where it is cancelled (orders/cancellation.py), inserts the
mail's row and its task's row in the caller's transaction (the task's row as the database
backend writes it: core/tasks.py, enqueue_in_sql), so both commit with the order or neither
does. No broker, and nothing between commit and send that a crash could lose.

deliver_mail, the task:
  1. claims the mail: one that is pending and due, or sending with an expired lease (its worker
     died), becomes sending for SANDALI_MAIL_LEASE_SECONDS, its attempts + 1. It is one
     conditional UPDATE, so of two workers running it at once only one claims it; the other
     finds it claimed and stops;
  2. composes it with SANDALI_MAIL_COMPOSER (delivery/mail.py: in the buyer's language) and
     sends it through EMAIL_BACKEND, outside any transaction;
  3. records it sent; or, when sending failed (the mail server down), pending again after a
     backoff (SANDALI_MAIL_RETRY_SECONDS doubling, at most SANDALI_MAIL_RETRY_MAX_SECONDS,
     with jitter), with the task that will try it then, enqueued in the same transaction. A
     mail server's permanent refusal of the address (5xx) is final: failed.
What a try records is fenced by its attempt number: a worker that outlived its lease cannot
put back to pending a mail that a later try has claimed.

At most once per order and kind: a confirmation and a cancellation are unique per order in the
database, and only the claim sends. The one window where a mail can go twice: a worker that
dies (or stalls past its lease) after the mail server accepted the mail and before the row
says sent. After the lease another try sends it again; SMTP cannot ask a server whether it
already has a message, so no sender can close this window. Every try of a mail carries the
same Message-ID (kept on its row), by which the receiving mail system or program can drop the
second copy.

No mail is lost: the periodic task rescue_mails (enqueued by the workers' scheduler,
ops/periodic.py, every half SANDALI_MAIL_RESCUE_SECONDS) enqueues a new task for a mail whose
task is gone (its row deleted or ended without sending, or run by a worker that died) once the
mail is SANDALI_MAIL_RESCUE_SECONDS overdue, or its lease has expired. The extra task cannot
send twice: it must claim the mail like any other. Needs the database task backend
(settings.TASKS), whose task table it reads.
"""

import logging
import random
import smtplib
import uuid
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskContext, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from core.dbtime import db_now
from core.sql import as_param, execute
from core.tasks import enqueue_in_sql, periodic_task
from orders.models import MailKind, MailStatus, OrderMail

log = logging.getLogger(__name__)

RESCUE_BATCH = 100


def record_mail(
    *,
    kind: MailKind,
    order_id: int | None = None,
    payment_attempt_id: int | None = None,
    waiting_entry_id: int | None = None,
    gateway_visit_id: int | None = None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Record a mail to a buyer about an order (or about a payment that made none), and
    enqueue the task that sends it, in the caller's transaction (a transaction of its own if
    there is none). `now` is the database's time if the caller has read it. A second
    confirmation or cancellation of one order, or a second mail about one late payment's
    refund (`gateway_visit_id`), is refused by the database (IntegrityError)."""
    mail_id = uuid.uuid4()
    about = f"order-{order_id}" if order_id is not None else f"payment-{payment_attempt_id}"
    if waiting_entry_id is not None:
        about = f"waiting-{waiting_entry_id}"
    if gateway_visit_id is not None:
        about = f"visit-{gateway_visit_id}"
    with transaction.atomic(savepoint=False):
        now = now or db_now()
        task_id = enqueue_in_sql(deliver_mail, str(mail_id), now=now)
        # SQL, as the rest of checkout's hot path; a UUID's hex is accepted by both databases.
        execute(
            """INSERT INTO orders_ordermail (id, order_id, payment_attempt_id, waiting_entry_id,
                 gateway_visit_id, kind, status, attempts, next_attempt_at, task_id,
                 message_id, last_error, created_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, '', %s)""",
            [
                mail_id.hex, order_id, payment_attempt_id, waiting_entry_id, gateway_visit_id,
                kind,
                MailStatus.PENDING,
                as_param(now), uuid.UUID(task_id).hex,
                message_id(mail_id=mail_id, about=about, kind=kind), as_param(now),
            ],
        )  # fmt: skip
    return mail_id


def message_id(*, mail_id: uuid.UUID, about: str, kind: str) -> str:
    """The mail's Message-ID, the same for every try: named after what it is about ("order-12",
    "payment-7") and its kind, unique across installations by the mail's own id, in the
    sender's domain."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{about}.{kind}.{mail_id.hex[:16]}@{domain}>"


@task(takes_context=True)
def deliver_mail(context: TaskContext, mail_id: str) -> str:
    """Send one mail if this try may claim it; says what became of it."""
    mail = _claim(uuid.UUID(mail_id))
    if mail is None:
        return _not_claimed(uuid.UUID(mail_id), task_id=uuid.UUID(context.task_result.id))
    try:
        message = import_string(settings.SANDALI_MAIL_COMPOSER)(mail)
        message.extra_headers["Message-ID"] = mail.message_id
        message.send()
    except Exception as error:  # whatever failed, the mail is tried again later
        return _failed(mail, error)
    OrderMail.objects.filter(
        pk=mail.pk, status__in=[MailStatus.PENDING, MailStatus.SENDING]
    ).update(status=MailStatus.SENT, sent_at=db_now(), last_error="")
    return "sent"


def _claim(mail_id: uuid.UUID) -> OrderMail | None:
    """The mail, now sending under this try's lease, if it was due; None if it was not (sent,
    claimed by another worker, or not yet time)."""
    with transaction.atomic():
        now = db_now()
        claimed = OrderMail.objects.filter(
            pk=mail_id,
            status__in=[MailStatus.PENDING, MailStatus.SENDING],
            next_attempt_at__lte=now,
        ).update(
            status=MailStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.SANDALI_MAIL_LEASE_SECONDS),
        )
        if not claimed:
            return None
        return OrderMail.objects.select_related("order").get(pk=mail_id)


def _not_claimed(mail_id: uuid.UUID, *, task_id: uuid.UUID) -> str:
    mail = OrderMail.objects.filter(pk=mail_id).first()
    if mail is None:
        return "gone"
    if mail.status == MailStatus.PENDING and mail.task_id == task_id:
        # This mail's own task, run before the mail is due by the database's clock (the
        # worker's clock is ahead): again when it is due.
        wait = max((mail.next_attempt_at - db_now()).total_seconds(), 0.0) + 0.5
        _try_again(mail, status=MailStatus.PENDING, wait=wait, changes={})
        return "early"
    return f"not claimed: {mail.status}"


def _failed(mail: OrderMail, error: Exception) -> str:
    text = describe_error(error)
    if refused_for_good(error):
        OrderMail.objects.filter(
            pk=mail.pk, status=MailStatus.SENDING, attempts=mail.attempts
        ).update(status=MailStatus.FAILED, last_error=text)
        log.error("The mail server refused mail %s of order %s: %s", mail.pk, mail.order_id, text)
        return "failed"
    wait = retry_delay(mail.attempts)
    changes = {"status": MailStatus.PENDING, "last_error": text}
    if not _try_again(mail, status=MailStatus.SENDING, wait=wait, changes=changes):
        return "superseded"  # a later try claimed it meanwhile (this one outlived its lease)
    log.warning(
        "Could not send mail %s of order %s (try %d): %s. Trying again in %.0f s.",
        mail.pk, mail.order_id, mail.attempts, text, wait,
        # A mail server's or the network's failure is expected; anything else is a bug.
        exc_info=not isinstance(error, smtplib.SMTPException | OSError),
    )  # fmt: skip
    return "retry"


def _try_again(mail: OrderMail, *, status: MailStatus, wait: float, changes: dict) -> bool:
    """Enqueue the mail's next try `wait` seconds from now and make it the mail's task, if the
    mail is still as this try left it (the same status and attempt number)."""
    with transaction.atomic():
        run_after = timezone.now() + timedelta(seconds=wait)
        queued = deliver_mail.using(run_after=run_after).enqueue(str(mail.pk))
        moved = OrderMail.objects.filter(pk=mail.pk, status=status, attempts=mail.attempts).update(
            next_attempt_at=db_now() + timedelta(seconds=wait),
            task_id=uuid.UUID(queued.id),
            **changes,
        )
        if not moved:
            transaction.set_rollback(True)  # and the task with it
    return bool(moved)


def retry_delay(attempts: int) -> float:
    """Seconds to wait after a mail's try number `attempts` failed: SANDALI_MAIL_RETRY_SECONDS
    doubled for each failed try, at most SANDALI_MAIL_RETRY_MAX_SECONDS, less a random part of
    up to half (so that mails that failed together are not all tried again together)."""
    doubled = settings.SANDALI_MAIL_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 30)
    return min(doubled, settings.SANDALI_MAIL_RETRY_MAX_SECONDS) * random.uniform(0.5, 1.0)


def refused_for_good(error: Exception) -> bool:
    """The mail server refused every recipient with a permanent (5xx) answer: no later try
    would change that (a wrong address)."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(code >= 500 for code, _ in error.recipients.values())


def describe_error(error: Exception) -> str:
    """What went wrong, short, for the mail's row and the log; never the mail password."""
    text = f"{type(error).__name__}: {error}"
    if settings.EMAIL_HOST_PASSWORD:
        text = text.replace(settings.EMAIL_HOST_PASSWORD, "***")
    return text[:200]


@periodic_task
def rescue_mails() -> int:
    """Enqueue a new task for each unsent mail whose task is gone: overdue by
    SANDALI_MAIL_RESCUE_SECONDS (or sending past its lease) and no task of its queued. Returns
    how many were enqueued. Any number of workers may run it at once."""
    now = db_now()
    overdue = now - timedelta(seconds=settings.SANDALI_MAIL_RESCUE_SECONDS)
    queued = DBTaskResult.objects.filter(id=OuterRef("task_id"), status=TaskResultStatus.READY)
    lost = (
        OrderMail.objects.filter(
            Q(status=MailStatus.PENDING, next_attempt_at__lte=overdue)
            | Q(status=MailStatus.SENDING, next_attempt_at__lte=now)
        )
        .filter(~Exists(queued))
        .order_by("next_attempt_at")
        .values_list("pk", "order_id", "task_id")[:RESCUE_BATCH]
    )
    rescued = 0
    for mail_id, order_id, task_id in lost:
        with transaction.atomic():
            queued = deliver_mail.enqueue(str(mail_id))
            if not OrderMail.objects.filter(pk=mail_id, task_id=task_id).update(
                task_id=uuid.UUID(queued.id)
            ):
                transaction.set_rollback(True)  # another worker rescued it meanwhile
                continue
        rescued += 1
        log.warning("The task of mail %s of order %s was lost; enqueued again.", mail_id, order_id)
    return rescued
