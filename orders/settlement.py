"""Settling a payment attempt (phase 3 of checkout, orders/checkout.py; and the sweeper's,
orders/recovery.py): by the provider's answer, the order with its tickets and its seats sold,
or a decline, a void, or a refund (made at once, or finished later).

Lock order: the hold row, then its payment attempt, then its seat rows (FOR UPDATE, ascending
id) — the order of reservations/services.py too, so settlements and holds never deadlock.
Expiry is compared with the database clock read *after* the seat locks are taken.
"""

import base64
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from catalog import inventory
from catalog.selectors import PricedSeat, seats_of_hold
from core.dbtime import db_now
from core.metrics import PAYMENT_REFUNDS
from core.sql import as_param, fetch_all, fetch_one
from orders.models import MailKind, Order, OrderStatus, PaymentAttempt, PaymentStatus, RefundReason
from orders.outbox import record_mail
from orders.payment_states import move_attempt
from orders.selectors import TicketView, payment_attempts
from payments.providers import PaymentResult, payment_provider
from reservations.errors import HoldExpired
from reservations.selectors import lock_hold
from reservations.services import close_hold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settlement:
    attempt: PaymentAttempt
    # Set only when this settlement made the order.
    order: Order | None = None
    tickets: list[TicketView] = field(default_factory=list)


def settle_payment(*, attempt: PaymentAttempt, result: PaymentResult | None) -> Settlement:
    """Phase 3: end a pending attempt by the provider's answer to the attempt's try as given
    (None: the charge was cancelled before it was made). Approved, it becomes the order if the
    hold still has exactly the seats that were charged for, or is marked for refund. Settling
    twice, or with the answer to an earlier try, changes nothing."""
    attempt_id, hold_id, tries = attempt.pk, attempt.hold_id, attempt.tries
    with transaction.atomic():
        locked = lock_hold(hold_id=hold_id)
        performance_id, expires_at = locked.performance_id, locked.expires_at
        (attempt,) = payment_attempts("id = %s", [attempt_id], for_update=True)
        if attempt.status != PaymentStatus.PENDING or attempt.tries != tries:
            return Settlement(attempt)
        if result is None:
            return Settlement(move_attempt(attempt, PaymentStatus.VOIDED))
        if not result.approved:
            declined = move_attempt(
                attempt, PaymentStatus.DECLINED, provider_reference=result.reference
            )
            return Settlement(declined)
        seats = seats_of_hold(hold_id=hold_id, for_update=True)
        now = db_now()
        reason = _refund_reason(attempt, seats, expired=expires_at <= now)
        if reason is not None:
            refunding = move_attempt(
                attempt,
                PaymentStatus.REFUNDING,
                provider_reference=result.reference,
                refund_reason=reason,
            )
            return Settlement(refunding)
        return _make_order(attempt, seats, performance_id, reference=result.reference, now=now)


def _refund_reason(
    attempt: PaymentAttempt, seats: list[PricedSeat], *, expired: bool
) -> RefundReason | None:
    """Why an approved payment cannot become its order: the hold lost its seats, or they are
    no longer exactly what was charged for. None: it can."""
    if not seats or expired:
        return RefundReason.HOLD_EXPIRED
    if (
        len(seats) != attempt.seat_count
        or any(s.price is None for s in seats)
        or (sum(s.price for s in seats) != attempt.amount)
    ):
        return RefundReason.HOLD_CHANGED
    return None


def _make_order(
    attempt: PaymentAttempt,
    seats: list[PricedSeat],
    performance_id: int,
    *,
    reference: str,
    now: datetime,
) -> Settlement:
    """The order of an approved attempt, its tickets and its seats sold, the attempt paid, and
    the buyer's confirmation mail recorded; inside settle_payment's transaction, with its
    locks."""
    order = Order(
        performance_id=performance_id,
        hold_id=attempt.hold_id,
        idempotency_key=attempt.idempotency_key,
        token_hash=attempt.order_token_hash,
        name=attempt.name,
        email=attempt.email,
        phone=attempt.phone,
        language=attempt.language,
        total=attempt.amount,
        currency=attempt.currency,
        status=OrderStatus.PAID,
        payment_reference=reference,
        created_at=now,
    )
    _insert_order(order)
    close_hold(hold_id=attempt.hold_id)
    tickets = _sell(order, seats)
    paid = move_attempt(
        attempt, PaymentStatus.PAID, provider_reference=reference, order_id=order.pk
    )
    record_mail(order_id=order.pk, kind=MailKind.CONFIRMATION, now=now)
    return Settlement(paid, order, tickets)


def finish_refund(attempt: PaymentAttempt) -> PaymentAttempt:
    """Refund an approved payment whose seats were lost (the provider refunds once however
    often it is asked). If the provider fails, the attempt stays refunding for the sweeper.

    The row is read again first and written only if it is still the same try: a copy read
    earlier (a sweeper's batch) may be of a try since refunded and tried again, whose refund
    must not be recorded against the next try's charge."""
    (attempt,) = payment_attempts("id = %s", [attempt.pk])
    if attempt.status != PaymentStatus.REFUNDING:
        return attempt
    try:
        reference = payment_provider().refund(
            reference=attempt.provider_reference, amount=attempt.amount, currency=attempt.currency
        )
    except Exception:
        log.exception("The refund of payment attempt %s failed; the sweeper retries.", attempt.pk)
        return attempt
    with transaction.atomic():
        (current,) = payment_attempts("id = %s", [attempt.pk], for_update=True)
        if (current.status, current.tries, current.provider_reference) != (
            PaymentStatus.REFUNDING,
            attempt.tries,
            attempt.provider_reference,
        ):
            return current
        refunded = move_attempt(current, PaymentStatus.REFUNDED, refund_reference=reference)
        # The buyer paid and got no tickets: they are told, by mail, that the money is back.
        record_mail(kind=MailKind.PAYMENT_REFUNDED, payment_attempt_id=attempt.pk)
    PAYMENT_REFUNDS.labels(attempt.refund_reason).inc()
    log.warning(
        "Refunded payment attempt %s of hold %s (%s %s, %s): %s.",
        attempt.pk, attempt.hold_id, attempt.amount, attempt.currency, attempt.refund_reason,
        reference,
    )  # fmt: skip
    return refunded


def _insert_order(order: Order) -> None:
    (order.id,) = fetch_one(
        """INSERT INTO orders_order (performance_id, hold_id, idempotency_key, token_hash, name,
             email, phone, language, total, currency, status, payment_reference,
             refund_reference, created_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s) RETURNING id""",
        [
            order.performance_id, order.hold_id, order.idempotency_key, order.token_hash,
            order.name, order.email, order.phone, order.language, order.total, order.currency,
            order.status, order.payment_reference, as_param(order.created_at),
        ],
    )  # fmt: skip


def _sell(order: Order, seats: list[PricedSeat]) -> list[TicketView]:
    """One ticket per seat, and each seat sold to its ticket, in two statements."""
    codes = [new_ticket_code() for _ in seats]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(seats))
    params = []
    for seat, code in zip(seats, codes, strict=True):
        params += [order.pk, seat.id, seat.ticket_type_id, seat.price, code, True]
    ticket_of_seat = dict(
        fetch_all(
            f"""INSERT INTO orders_ticket (order_id, seat_id, ticket_type_id, price, code, valid)
                VALUES {values} RETURNING seat_id, id""",
            params,
        )
    )
    sold = inventory.sell(hold_id=order.hold_id, ticket_of_seat=ticket_of_seat)
    if len(sold) != len(seats):  # cannot happen while the seats are locked; never sell part
        raise HoldExpired()
    return [
        TicketView(code, s.id, s.section, s.row, s.number, s.ticket_type, s.price, True)
        for s, code in zip(seats, codes, strict=True)
    ]


def new_ticket_code() -> str:
    """80 random bits, in letters and digits a person can read out (no 0/O, 1/I confusion)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()
