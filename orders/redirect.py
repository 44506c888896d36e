"""Paying at the provider's hosted page (issue #19): the buyer is sent to the provider, pays
there, comes back; Sandali verifies with the provider, server to server, and settles the
attempt exactly as the synchronous checkout does (orders/settlement.py).

The steps, each safe to cut short:
  1. record the attempt, pending (orders/checkout.py record_attempt, the same phase 1);
  2. keep the hold while the buyer is away, within the performance's `payment_page_minutes`
     (reservations/extension.py keep_for_payment_page);
  3. start the payment at the provider (outside any transaction; idempotent by the try's key);
  4. record the visit (GatewayVisit: the provider's reference, the URL, until when the hold is
     kept), then send the buyer to the URL.
Then whichever comes first settles it, and the others find it settled: the buyer's return
(`return_from_page`), the provider's webhook (`receive_webhook`), or the sweeper
(`recover_visit`, from orders/recovery.py). Each asks the provider (`verify`) and never
believes what the return's URL or the webhook's body say; the webhook's signature only makes
it worth asking. An approved payment becomes the order if the hold still has its seats, or is
refunded (settle_payment decides under the hold's lock). A visit still open after its hold's
time is ended at the provider (`cancel`: void, or the payment made meanwhile). A payment the
provider completes for a try that had ended (voided, declined, or tried again) is refunded,
reported and its buyer mailed, once (`_refund_late`): on its webhook, or, the webhook lost,
when the sweeper closes the ended try's visit at the provider (orders/visit_closing.py).

A process killed after 1 or 2 leaves a pending attempt without a visit: the sweeper voids it
after SANDALI_PAYMENT_RECOVERY_SECONDS (the buyer was never sent away). Killed after 3, the
same; a payment somehow made at that page is then a late payment, refunded on its webhook.
Killed after 4, or while handling the return, the webhook or the sweeper settles it.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from core.dbtime import db_now
from core.metrics import PAYMENT_REFUNDS
from core.tokens import hash_token
from orders.checkout import (
    ERROR_OF_STATUS,
    CheckoutResult,
    IdempotencyKeyRequired,
    buyer_language,
    pay_attempt,
    record_attempt,
)
from orders.errors import PaymentNotFinished, PaymentUnavailable
from orders.models import GatewayVisit, MailKind, Order, PaymentAttempt, PaymentStatus
from orders.outbox import record_mail
from orders.selectors import order_tickets, order_token, payment_attempts
from orders.settlement import Settlement, finish_refund, settle_payment
from payments.providers import PaymentResult, payment_provider
from reservations.errors import HoldExpired
from reservations.extension import keep_for_payment_page
from reservations.selectors import owned_hold

log = logging.getLogger(__name__)

LATE_PAYMENT = "payment_after_try_ended"  # the refund metric's reason for _refund_late


@dataclass(frozen=True)
class PaymentPage:
    """Where to send the buyer: the provider's page, or (already settled) the order."""

    url: str | None
    result: CheckoutResult | None = None


def start_payment(
    *,
    hold_id: int,
    token: str | None,
    idempotency_key: str | None,
    name: str,
    email: str,
    phone: str = "",
    language: str = "",
    return_url: str,
    webhook_url: str,
) -> PaymentPage:
    """Start paying for a hold at the provider's page (steps 1-4). The same key again is the
    same payment: the same page while it is open, the order once it is paid; after a decline
    or a cancel at the page, a new try. Raises what checkout raises."""
    if not idempotency_key:
        raise IdempotencyKeyRequired()
    token_of_order = order_token(hold_token=token, idempotency_key=idempotency_key)
    attempt, hold_live = record_attempt(
        hold_id=hold_id,
        token=token,
        idempotency_key=idempotency_key,
        order_token_hash=hash_token(token_of_order),
        buyer=(name, email, phone, buyer_language(language)),
    )
    whose = {"hold_token": token, "key": idempotency_key}
    if attempt.status != PaymentStatus.PENDING or not hold_live:
        # Settled already, or resumed after its hold was gone: never send the buyer to pay.
        return _settled_here(attempt, **whose)
    visit = visit_of(attempt)
    if visit is not None:
        return PaymentPage(visit.url)
    first = GatewayVisit.objects.filter(attempt_id=attempt.pk).order_by("tries").first()
    until = keep_for_payment_page(
        hold_id=hold_id, first_visit_at=first.created_at if first else None
    )
    if until is None:  # the hold was lost meanwhile: void the attempt, charge nothing
        return _settled_here(attempt, **whose)
    try:
        hosted = payment_provider().start(
            amount=attempt.amount,
            currency=attempt.currency,
            idempotency_key=attempt.provider_key,
            return_url=return_url,
            webhook_url=webhook_url,
            language=attempt.language,
            until=until,
        )
    except Exception:
        log.exception("The payment provider failed to start attempt %s.", attempt.pk)
        raise PaymentUnavailable() from None  # pending, no visit: the sweeper voids it
    try:
        with transaction.atomic():
            GatewayVisit.objects.create(
                attempt_id=attempt.pk,
                tries=attempt.tries,
                provider_key=attempt.provider_key,
                reference=hosted.reference,
                url=hosted.url,
                until=until,
                amount=attempt.amount,
                created_at=db_now(),
            )
    except IntegrityError:
        pass  # recorded by a request of the same key at the same moment: the same payment
    return PaymentPage(hosted.url)


def _settled_here(attempt: PaymentAttempt, *, hold_token: str | None, key: str) -> PaymentPage:
    """No page to send the buyer to: the attempt as settled (resumed without a live hold, it
    is ended at the provider: void, or the payment made meanwhile)."""
    settled = pay_attempt(attempt, hold_live=False, payment_token="")
    return PaymentPage(None, _result(settled, hold_token=hold_token, key=key))


def visit_of(attempt: PaymentAttempt) -> GatewayVisit | None:
    """The visit of the attempt's current try, if it went to the provider's page."""
    return GatewayVisit.objects.filter(attempt_id=attempt.pk, tries=attempt.tries).first()


def return_from_page(
    *,
    hold_id: int,
    token: str | None,
    idempotency_key: str,
    callback: Mapping[str, str] | None = None,
) -> CheckoutResult:
    """The buyer is back from the provider's page: the order, once the provider confirms the
    payment. Only the hold's owner reaches its attempt (the URL carries nothing: the page
    passes the session's hold and key). Raises PaymentDeclined (cancelled at the page: the
    seats are still held, the same key tries again), PaymentRefunded, HoldExpired, or
    PaymentNotFinished while the provider has no answer yet. `callback`: the fields the
    provider's page sent back with the buyer, given to the provider's verify as a hint."""
    owned_hold(hold_id=hold_id, token=token)
    attempts = payment_attempts("hold_id = %s AND idempotency_key = %s", [hold_id, idempotency_key])
    if not attempts:
        raise PaymentNotFinished()
    (attempt,) = attempts
    settled = Settlement(attempt)
    visit = visit_of(attempt)
    if attempt.status == PaymentStatus.PENDING and visit is not None:
        settled = settle_visit(visit, callback=callback)
    if settled.attempt.status == PaymentStatus.PENDING:
        raise PaymentNotFinished()
    return _result(settled, hold_token=token, key=idempotency_key)


def buyer_of_checkout(*, hold_id: int, token: str | None, idempotency_key: str) -> dict:
    """The name, e-mail and phone the hold's owner gave for this checkout (to fill the form
    in again after a cancel at the provider's page); empty if none was recorded."""
    owned_hold(hold_id=hold_id, token=token)
    attempts = payment_attempts("hold_id = %s AND idempotency_key = %s", [hold_id, idempotency_key])
    if not attempts:
        return {}
    return {field: getattr(attempts[0], field) for field in ("name", "email", "phone")}


def receive_webhook(*, body: bytes, headers) -> Settlement | None:
    """A webhook from the provider: verified (WebhookRefused otherwise), then the visit it
    names is settled by asking the provider. Idempotent, in any order, any number of times;
    a reference Sandali never recorded is ignored (None)."""
    reference = payment_provider().read_webhook(body=body, headers=headers)
    visit = GatewayVisit.objects.filter(reference=reference).first()
    return None if visit is None else settle_visit(visit)


def recover_visit(visit: GatewayVisit) -> Settlement:
    """The sweeper's turn (orders/recovery.py): ask the provider; once the hold's time at the
    page is over, end an open payment there (void, or the payment it had made)."""
    return settle_visit(visit, end_if_open=visit.until <= db_now())


def settle_visit(
    visit: GatewayVisit, *, end_if_open: bool = False, callback: Mapping[str, str] | None = None
) -> Settlement:
    """Settle the visit's try by the provider's own answer: order, decline, void or refund;
    a payment for a try that had already ended is refunded. Still open: nothing changes."""
    provider = payment_provider()
    result = provider.verify(
        idempotency_key=visit.provider_key, reference=visit.reference, callback=callback
    )
    if result is None and end_if_open:
        result = provider.cancel(idempotency_key=visit.provider_key)
        ended = True
    else:
        ended = False
    (attempt,) = payment_attempts("id = %s", [visit.attempt_id])
    settled = Settlement(attempt)
    current = attempt.tries == visit.tries
    if current and attempt.status == PaymentStatus.PENDING and (result is not None or ended):
        settled = settle_payment(attempt=attempt, result=result)
        if settled.attempt.status == PaymentStatus.REFUNDING:
            settled = Settlement(finish_refund(settled.attempt))
    account_for(visit, settled.attempt, result)
    return settled


def account_for(visit: GatewayVisit, attempt: PaymentAttempt, result: PaymentResult | None):
    """After the provider's answer about the visit's payment: remember it if its own try took
    it (the attempt may move on to a new try), refund it if no try accounts for it."""
    if attempt.tries == visit.tries and _took(attempt, result):
        GatewayVisit.objects.filter(pk=visit.pk).update(accounted_reference=result.reference)
        visit.accounted_reference = result.reference
    if result is not None and result.approved and not _accounted(attempt, visit, result):
        _refund_late(visit, attempt, result)


def _took(attempt: PaymentAttempt, result: PaymentResult | None) -> bool:
    """Whether the attempt's settlement took `result`'s payment: its order or its refund
    (settle_payment recorded its reference on the attempt)."""
    return (
        result is not None
        and result.approved
        and attempt.provider_reference == result.reference
        and attempt.status in (PaymentStatus.PAID, PaymentStatus.REFUNDING, PaymentStatus.REFUNDED)
    )


def _accounted(attempt: PaymentAttempt, visit: GatewayVisit, result: PaymentResult) -> bool:
    """Whether an approved payment of the visit is its try's own: its order, or its refund
    (settle_payment recorded its reference on the attempt, and the visit remembers it once the
    attempt has moved on to another try), or not settled yet."""
    if visit.accounted_reference and visit.accounted_reference == result.reference:
        return True
    if attempt.tries != visit.tries:
        return False
    if attempt.status == PaymentStatus.PENDING:
        return True  # a concurrent settlement holds it; it will account for it
    return _took(attempt, result)


def _refund_late(visit: GatewayVisit, attempt: PaymentAttempt, result: PaymentResult) -> None:
    """Refund a payment made for a try that had ended: the provider refunds once however
    often asked; reported in the log, the refunds metric, the visit's row and a mail to the
    buyer, each once (the first to record the refund on the visit's row does them)."""
    amount = attempt.amount if visit.amount is None else visit.amount  # visits before 0013
    reference = payment_provider().refund(
        reference=result.reference, amount=amount, currency=attempt.currency
    )
    with transaction.atomic():
        changed = GatewayVisit.objects.filter(pk=visit.pk, late_refund_reference="").update(
            late_refund_reference=reference
        )
        if changed:
            # The buyer paid and got nothing for this payment: told, once, that it is back.
            record_mail(
                kind=MailKind.PAYMENT_REFUNDED,
                payment_attempt_id=attempt.pk,
                gateway_visit_id=visit.pk,
            )
    if changed:
        PAYMENT_REFUNDS.labels(LATE_PAYMENT).inc()
        log.warning(
            "Refunded a payment made after its try had ended: attempt %s (try %s, now %s),"
            " provider payment %s: %s.",
            attempt.pk, visit.tries, attempt.status, result.reference, reference,
        )  # fmt: skip


def _result(settled: Settlement, *, hold_token: str | None, key: str) -> CheckoutResult:
    """What checkout answers for a settled attempt: the order, or its error."""
    attempt = settled.attempt
    if attempt.status == PaymentStatus.PAID:
        order = settled.order or Order.objects.get(pk=attempt.order_id)
        token = order_token(hold_token=hold_token, idempotency_key=key)
        return CheckoutResult(order, token, settled.order is not None, order_tickets(order=order))
    if attempt.status in ERROR_OF_STATUS:
        raise ERROR_OF_STATUS[attempt.status]()
    raise HoldExpired()  # voided: the hold was gone, nothing was charged
