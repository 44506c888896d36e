"""Checkout and cancellation.

Checkout is a two-phase payment, so that no crash can leave a buyer charged without tickets:
  1. a short transaction records a PaymentAttempt (pending) for the hold and the key;
  2. the provider is charged, outside any transaction (idempotent by the attempt's key);
  3. a second transaction settles the attempt: it makes the order and sells the seats if the
     hold still has them, or marks the payment for refund if not (then refunded at once).
A process that dies after step 1 leaves a pending attempt: the same request again resumes it
(the provider returns the first charge), and the sweeper settles it after
SANDALI_PAYMENT_RECOVERY_SECONDS (orders/recovery.py).

Lock order: the hold row, then its payment attempt, then its seat rows (FOR UPDATE, ascending
id) — the order of reservations/services.py too, so checkouts and holds never deadlock. Expiry
is compared with the database clock read *after* the seat locks are taken: a checkout that
waited for a lock can then not sell a seat another buyer took once the hold had expired.
"""

import base64
import logging
import secrets
from dataclasses import dataclass, field

from django.db import transaction

from catalog import inventory
from catalog.errors import InvalidSeats
from catalog.models import Seat, SeatStatus
from core.dbtime import db_now, now_sql
from core.metrics import CHECKOUTS, PAYMENT_REFUNDS, count_outcomes
from core.sql import (
    as_datetime,
    as_param,
    fetch_all,
    fetch_one,
    lock,
)
from core.tokens import hash_token
from orders.errors import (
    IdempotencyKeyRequired,
    OrderNotCancellable,
    PaymentDeclined,
    PaymentInProgress,
    PaymentRefunded,
    PaymentUnavailable,
)
from orders.models import Order, OrderStatus, PaymentAttempt, PaymentStatus, RefundReason
from orders.selectors import (
    ATTEMPT_COLUMNS,
    TicketView,
    order_tickets,
    order_token,
    payment_attempt_of_row,
    payment_attempts,
)
from payments.providers import PaymentResult, payment_provider
from reservations.errors import AlreadyCheckedOut, HoldEmpty, HoldExpired
from reservations.selectors import HeldSeat, held_seats, owned_hold

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_LENGTH = 200
# Ended without money kept: the same key may try again while the hold has seats.
RETRIABLE = (PaymentStatus.DECLINED, PaymentStatus.VOIDED, PaymentStatus.REFUNDED)


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    token: str
    created: bool
    tickets: list[TicketView]


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
) -> CheckoutResult:
    """Pay for a hold and turn it into an order with one ticket per seat.

    The same idempotency key is the same checkout: it returns the same order, or resumes a
    payment cut short, and never charges twice. Another key for a paid hold is refused."""
    if (
        not idempotency_key
        or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH
        or "\x00" in idempotency_key
    ):
        raise IdempotencyKeyRequired()
    token_of_order = order_token(hold_token=token, idempotency_key=idempotency_key)
    attempt, hold_live = _record_attempt(
        hold_id=hold_id,
        token=token,
        idempotency_key=idempotency_key,
        order_token_hash=hash_token(token_of_order),
        buyer=(name, email, phone),
    )
    settled = Settlement(attempt)
    if attempt.status == PaymentStatus.PENDING:
        try:
            if hold_live:
                result = payment_provider().charge(
                    amount=attempt.amount,
                    currency=attempt.currency,
                    idempotency_key=attempt.provider_key,
                    payment_token=payment_token,
                )
            else:
                # A payment cut short, resumed once its hold is gone: never charge now. If the
                # first request's charge went through, it is refunded.
                result = payment_provider().cancel(idempotency_key=attempt.provider_key)
        except Exception:
            # Charged or not, the attempt stays pending: the same request again, or the
            # sweeper, asks the provider and settles it.
            log.exception("The payment provider failed for payment attempt %s.", attempt.pk)
            raise PaymentUnavailable() from None
        settled = settle_payment(attempt=attempt, result=result)
    attempt = settled.attempt
    if attempt.status == PaymentStatus.REFUNDING:
        attempt = finish_refund(attempt)
    if attempt.status == PaymentStatus.PAID:
        if settled.order is not None:
            return CheckoutResult(settled.order, token_of_order, True, settled.tickets)
        order = Order.objects.get(pk=attempt.order_id)
        return CheckoutResult(order, token_of_order, False, order_tickets(order=order))
    if attempt.status == PaymentStatus.DECLINED:
        raise PaymentDeclined()
    if attempt.status in (PaymentStatus.REFUNDING, PaymentStatus.REFUNDED):
        raise PaymentRefunded()
    if not hold_live:
        raise HoldExpired()
    raise PaymentUnavailable()  # voided by the sweeper meanwhile: the same key starts again


def _record_attempt(
    *,
    hold_id: int,
    token: str | None,
    idempotency_key: str,
    order_token_hash: str,
    buyer: tuple[str, str, str],
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
            now = db_now()
            live = hold.expires_at > now and bool(held_seats(hold_id=hold.pk))
            return update_attempt(mine), live  # resumed: the sweeper leaves it alone a while longer
        if any(a.status == PaymentStatus.PAID for a in attempts):
            raise AlreadyCheckedOut()
        seats = held_seats(hold_id=hold.pk)
        now = db_now()
        if (hold.expires_at <= now or not seats) and mine and mine.status == PaymentStatus.REFUNDED:
            return mine, False  # the answer that was lost: the payment was refunded
        if hold.expires_at <= now:
            raise HoldExpired()
        if not seats:
            raise HoldEmpty()
        if any(a.status == PaymentStatus.PENDING for a in attempts):
            raise PaymentInProgress()
        unpriced = [seat.id for seat in seats if seat.price is None]
        if unpriced:
            raise InvalidSeats(seats=unpriced)
        amount = sum(seat.price for seat in seats)
        currency = hold.performance.event.currency
        values = [order_token_hash, *buyer, amount, currency, len(seats), as_param(now)]
        if mine is not None:
            # Tried again after a decline, a void or a refund, while the hold still has seats:
            # a new try, with its own charge key (the provider would repeat a decline, and
            # refuses a cancelled key), for the seats held now.
            tries = mine.tries + 1
            row = fetch_one(
                f"""UPDATE orders_paymentattempt SET status = 'pending', order_token_hash = %s,
                     name = %s, email = %s, phone = %s, amount = %s, currency = %s,
                     seat_count = %s, updated_at = %s, tries = %s, provider_reference = '',
                     refund_reference = '', refund_reason = ''
                   WHERE id = %s RETURNING {ATTEMPT_COLUMNS}""",
                [*values, tries, mine.pk],
            )
        else:
            row = fetch_one(
                f"""INSERT INTO orders_paymentattempt (hold_id, idempotency_key,
                     order_token_hash, name, email, phone, amount, currency, seat_count,
                     status, tries, provider_reference, refund_reference, refund_reason,
                     created_at, updated_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'pending', 1, '', '', '', %s, %s)
                   RETURNING {ATTEMPT_COLUMNS}""",
                [hold.pk, idempotency_key, *values, as_param(now)],
            )
        return payment_attempt_of_row(row), True


@dataclass(frozen=True)
class Settlement:
    attempt: PaymentAttempt
    # Set only when this settlement made the order.
    order: Order | None = None
    tickets: list[TicketView] = field(default_factory=list)


def settle_payment(*, attempt: PaymentAttempt, result: PaymentResult | None) -> Settlement:
    """Phase 2: end a pending attempt by the provider's answer to the attempt's try as given
    (None: the charge was cancelled before it was made). Approved, it becomes the order if the
    hold still has exactly the seats that were charged for, or is marked for refund. Settling
    twice, or with the answer to an earlier try, changes nothing."""
    attempt_id, hold_id, tries = attempt.pk, attempt.hold_id, attempt.tries
    with transaction.atomic():
        hold_row = fetch_one(
            f"""SELECT h.performance_id, h.expires_at FROM reservations_hold h
                WHERE h.id = %s {lock()}""",
            [hold_id],
        )
        performance_id, expires_at = hold_row[0], as_datetime(hold_row[1])
        (attempt,) = payment_attempts("id = %s", [attempt_id], for_update=True)
        if attempt.status != PaymentStatus.PENDING or attempt.tries != tries:
            return Settlement(attempt)
        if result is None:
            return Settlement(update_attempt(attempt, status=PaymentStatus.VOIDED))
        if not result.approved:
            return Settlement(
                update_attempt(
                    attempt, status=PaymentStatus.DECLINED, provider_reference=result.reference
                )
            )
        seats = held_seats(hold_id=hold_id, for_update=True)
        now = db_now()
        reason = None
        if not seats or expires_at <= now:
            reason = RefundReason.HOLD_EXPIRED
        elif (
            len(seats) != attempt.seat_count
            or any(s.price is None for s in seats)
            or (sum(s.price for s in seats) != attempt.amount)
        ):
            reason = RefundReason.HOLD_CHANGED
        if reason is not None:
            refunding = update_attempt(
                attempt,
                status=PaymentStatus.REFUNDING,
                provider_reference=result.reference,
                refund_reason=reason,
            )
            return Settlement(refunding)
        order = Order(
            performance_id=performance_id,
            hold_id=hold_id,
            idempotency_key=attempt.idempotency_key,
            token_hash=attempt.order_token_hash,
            name=attempt.name,
            email=attempt.email,
            phone=attempt.phone,
            total=attempt.amount,
            currency=attempt.currency,
            status=OrderStatus.PAID,
            payment_reference=result.reference,
            created_at=now,
        )
        _insert_order(order)
        tickets = _sell(order, seats)
        paid = update_attempt(
            attempt,
            status=PaymentStatus.PAID,
            provider_reference=result.reference,
            order_id=order.pk,
        )
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
        refunded = update_attempt(
            current, status=PaymentStatus.REFUNDED, refund_reference=reference
        )
    PAYMENT_REFUNDS.labels(attempt.refund_reason).inc()
    log.warning(
        "Refunded payment attempt %s of hold %s (%s %s, %s): %s.",
        attempt.pk, attempt.hold_id, attempt.amount, attempt.currency, attempt.refund_reason,
        reference,
    )  # fmt: skip
    return refunded


def update_attempt(attempt: PaymentAttempt, **changes) -> PaymentAttempt:
    """Change an attempt's columns (none: only its updated_at) and the object with them."""
    columns = "".join(f"{column} = %s, " for column in changes)
    (updated_at,) = fetch_one(
        f"""UPDATE orders_paymentattempt SET {columns}updated_at = {now_sql()} WHERE id = %s
            RETURNING updated_at""",
        [*changes.values(), attempt.pk],
    )
    for column, value in {**changes, "updated_at": as_datetime(updated_at)}.items():
        setattr(attempt, column, value)
    return attempt


def _insert_order(order: Order) -> None:
    (order.id,) = fetch_one(
        """INSERT INTO orders_order (performance_id, hold_id, idempotency_key, token_hash, name,
             email, phone, total, currency, status, payment_reference, refund_reference,
             created_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s) RETURNING id""",
        [
            order.performance_id, order.hold_id, order.idempotency_key, order.token_hash,
            order.name, order.email, order.phone, order.total, order.currency,
            order.status, order.payment_reference, as_param(order.created_at),
        ],
    )  # fmt: skip


def _sell(order: Order, seats: list[HeldSeat]) -> list[TicketView]:
    """One ticket per seat, and each seat sold to its ticket, in two statements."""
    codes = [_ticket_code() for _ in seats]
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


def cancel_order(*, order_id: int) -> Order:
    """Cancel a paid order (organizer): refund it, void its tickets, free its seats."""
    with transaction.atomic():
        # Only the order's row: locking its performance would stop every hold meanwhile.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("performance__event")
            .get(pk=order_id)
        )
        if order.status != OrderStatus.PAID:
            raise OrderNotCancellable()
        now = db_now()
        sold = Seat.objects.filter(ticket__order=order, status=SeatStatus.SOLD).order_by("id")
        # Locked in ascending id, the order every writer of seats takes them in.
        seat_ids = list(sold.select_for_update(of=("self",)).values_list("id", flat=True))
        inventory.unsell(seat_ids=seat_ids)
        order.tickets.update(valid=False)
        # Inside the transaction, unlike checkout's calls: the provider refunds a charge once
        # however often it is asked, so a cancel cut short after the refund is simply run again.
        order.refund_reference = payment_provider().refund(
            reference=order.payment_reference, amount=order.total, currency=order.currency
        )
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = now
        order.save(update_fields=["status", "cancelled_at", "refund_reference"])
    return order


def _ticket_code() -> str:
    """80 random bits, in letters and digits a person can read out (no 0/O, 1/I confusion)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()
