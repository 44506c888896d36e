"""Checkout: pay for a hold and turn it into an order.

Checkout is a two-phase payment, so that no crash can leave a buyer charged without tickets:
  1. a short transaction records a PaymentAttempt (pending) for the hold and the key;
  2. the provider is charged, outside any transaction (idempotent by the attempt's key);
  3. a second transaction settles the attempt: it makes the order and sells the seats if the
     hold still has them, or marks the payment for refund if not (then refunded at once).
A process that dies after step 1 leaves a pending attempt: the same request again resumes it
(the provider returns the first charge), and the sweeper settles it after
SANDALI_PAYMENT_RECOVERY_SECONDS (orders/recovery.py). Phase 3 is orders/settlement.py; the
attempt moves only through orders/payment_states.py; checkout() maps the status it ends in to
an order or an error.

Lock order: the hold row, then its payment attempt, then its seat rows (FOR UPDATE, ascending
id) — the order of reservations/services.py too, so checkouts and holds never deadlock. Expiry
is compared with the database clock read *after* the seat locks are taken: a checkout that
waited for a lock can then not sell a seat another buyer took once the hold had expired.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_supported_language_variant

from catalog.errors import InvalidSeats
from catalog.selectors import PricedSeat, seats_of_hold
from core.dbtime import db_now
from core.errors import DomainError
from core.metrics import CHECKOUTS, count_outcomes
from core.tokens import hash_token
from orders.errors import (
    IdempotencyKeyRequired,
    PaymentDeclined,
    PaymentInProgress,
    PaymentRefunded,
    PaymentUnavailable,
)
from orders.models import Order, PaymentAttempt, PaymentStatus
from orders.payment_states import (
    RETRIABLE,
    Terms,
    move_attempt,
    open_attempt,
    postpone_recovery,
)
from orders.selectors import TicketView, order_tickets, order_token, payment_attempts
from orders.settlement import Settlement, finish_refund, settle_payment
from payments.providers import PaymentResult, payment_provider
from reservations.errors import AlreadyCheckedOut, HoldEmpty, HoldExpired
from reservations.selectors import OwnedHold, owned_hold

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_LENGTH = 200


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    token: str
    created: bool
    tickets: list[TicketView]


# The error a checkout ends with, by the status its attempt ended in (paid is the order).
ERROR_OF_STATUS: dict[PaymentStatus, type[DomainError]] = {
    PaymentStatus.DECLINED: PaymentDeclined,
    PaymentStatus.REFUNDING: PaymentRefunded,  # its refund failed; the sweeper finishes it
    PaymentStatus.REFUNDED: PaymentRefunded,
}


@count_outcomes(CHECKOUTS, success=lambda result: "paid" if result.created else "replayed")
def checkout(
    *,
    hold_id: int,
    token: str | None,
    idempotency_key: str | None,
    name: str,
    email: str,
    phone: str = "",
    payment_token: str = "",
    language: str = "",
) -> CheckoutResult:
    """Pay for a hold and turn it into an order with one ticket per seat.

    The same idempotency key is the same checkout: it returns the same order, or resumes a
    payment cut short, and never charges twice. Another key for a paid hold is refused.
    `language` is the buyer's (the request's, `get_language()`): the order's mails are
    written in it; one Sandali does not speak falls back to LANGUAGE_CODE."""
    if (
        not idempotency_key
        or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH
        or "\x00" in idempotency_key
    ):
        raise IdempotencyKeyRequired()
    token_of_order = order_token(hold_token=token, idempotency_key=idempotency_key)
    attempt, hold_live = record_attempt(
        hold_id=hold_id,
        token=token,
        idempotency_key=idempotency_key,
        order_token_hash=hash_token(token_of_order),
        buyer=(name, email, phone, buyer_language(language)),
    )
    settled = pay_attempt(attempt, hold_live=hold_live, payment_token=payment_token)
    status = settled.attempt.status
    if status == PaymentStatus.PAID:
        if settled.order is not None:
            return CheckoutResult(settled.order, token_of_order, True, settled.tickets)
        order = Order.objects.get(pk=settled.attempt.order_id)
        return CheckoutResult(order, token_of_order, False, order_tickets(order=order))
    if status in ERROR_OF_STATUS:
        raise ERROR_OF_STATUS[status]()
    if not hold_live:
        raise HoldExpired()  # resumed after the hold was gone: voided, nothing charged
    raise PaymentUnavailable()  # voided by the sweeper meanwhile: the same key starts again


def record_attempt(
    *,
    hold_id: int,
    token: str | None,
    idempotency_key: str,
    order_token_hash: str,
    buyer: tuple[str, str, str, str],
) -> tuple[PaymentAttempt, bool]:
    """Phase 1: the attempt of this key on this hold, recorded as pending before any charge,
    and whether the hold still has its seats. An attempt already settled is returned as it is
    (the request is a replay); one still pending is resumed."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        attempts = payment_attempts("hold_id = %s", [hold.pk])
        mine = next((a for a in attempts if a.idempotency_key == idempotency_key), None)
        if mine is not None and mine.status not in RETRIABLE:
            if mine.status != PaymentStatus.PENDING:
                return mine, False
            live = hold.expires_at > db_now() and bool(seats_of_hold(hold_id=hold.pk))
            return postpone_recovery(mine), live  # resumed: the sweeper leaves it alone
        if any(a.status == PaymentStatus.PAID for a in attempts):
            raise AlreadyCheckedOut()
        seats = seats_of_hold(hold_id=hold.pk)
        now = db_now()
        if (hold.expires_at <= now or not seats) and mine and mine.status == PaymentStatus.REFUNDED:
            return mine, False  # the answer that was lost: the payment was refunded
        _check_payable(hold, seats, now=now, attempts=attempts)
        name, email, phone, language = buyer
        terms = Terms(
            order_token_hash,
            name,
            email,
            phone,
            amount=sum(seat.price for seat in seats),
            currency=hold.terms.currency,
            seat_count=len(seats),
            language=language,
        )
        if mine is not None:
            # Tried again after a decline, a void or a refund, while the hold still has seats:
            # a new try, with its own charge key (the provider would repeat a decline, and
            # refuses a cancelled key), for the seats held now.
            return move_attempt(mine, PaymentStatus.PENDING, terms=terms), True
        attempt = open_attempt(
            hold_id=hold.pk, idempotency_key=idempotency_key, terms=terms, now=now
        )
        return attempt, True


def buyer_language(language: str) -> str:
    """The language of Sandali's that is closest to the buyer's ("fa-IR" is "fa")."""
    try:
        return get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _check_payable(
    hold: OwnedHold, seats: list[PricedSeat], *, now: datetime, attempts: list[PaymentAttempt]
) -> None:
    """Refuse a new try unless the hold is live, has seats, each priced, and no other key's
    payment is under way."""
    if hold.expires_at <= now:
        raise HoldExpired()
    if not seats:
        raise HoldEmpty()
    if any(a.status == PaymentStatus.PENDING for a in attempts):
        raise PaymentInProgress()
    unpriced = [seat.id for seat in seats if seat.price is None]
    if unpriced:
        raise InvalidSeats(seats=unpriced)


def pay_attempt(attempt: PaymentAttempt, *, hold_live: bool, payment_token: str) -> Settlement:
    """Phases 2 and 3 for a pending attempt (charge, settle, and refund at once if the seats
    were lost); an attempt already settled is returned as it is, or its refund finished."""
    settled = Settlement(attempt)
    if attempt.status == PaymentStatus.PENDING:
        result = _charge(attempt, hold_live=hold_live, payment_token=payment_token)
        settled = settle_payment(attempt=attempt, result=result)
    if settled.attempt.status == PaymentStatus.REFUNDING:
        return Settlement(finish_refund(settled.attempt))
    return settled


def _charge(
    attempt: PaymentAttempt, *, hold_live: bool, payment_token: str
) -> PaymentResult | None:
    """Phase 2: the provider's answer for the attempt's try, asked outside any transaction."""
    try:
        if hold_live:
            return payment_provider().charge(
                amount=attempt.amount,
                currency=attempt.currency,
                idempotency_key=attempt.provider_key,
                payment_token=payment_token,
            )
        # A payment cut short, resumed once its hold is gone: never charge now. If the first
        # request's charge went through, it is refunded.
        return payment_provider().cancel(idempotency_key=attempt.provider_key)
    except Exception:
        # Charged or not, the attempt stays pending: the same request again, or the sweeper,
        # asks the provider and settles it.
        log.exception("The payment provider failed for payment attempt %s.", attempt.pk)
        raise PaymentUnavailable() from None
