"""Checkout and cancellation.

Lock order: the hold row, then its seat rows (FOR UPDATE, ascending id) — the same order as
reservations/services.py, so checkouts and holds never deadlock. Expiry is compared with the
database clock read *after* the seat locks are taken: a checkout that waited for a lock can
then not sell a seat that another buyer took once the hold had expired.
"""

import base64
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from catalog.errors import InvalidSeats
from catalog.models import Seat, SeatStatus
from live.publish import publish_seat_changes
from ops.metrics import CHECKOUTS, count_outcomes
from orders.errors import IdempotencyKeyRequired, OrderNotCancellable, PaymentDeclined
from orders.models import Order, OrderStatus
from orders.payments import payment_provider
from orders.selectors import TicketView, order_tickets
from reservations.errors import AlreadyCheckedOut, HoldEmpty, HoldExpired
from reservations.selectors import HeldSeat, held_seats, order_of_hold, owned_hold
from sandali.dbtime import db_now
from sandali.sql import as_param, execute, fetch_all, fetch_one, in_list
from sandali.tokens import derived_token, hash_token

MAX_IDEMPOTENCY_KEY_LENGTH = 200


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

    The same idempotency key returns the same order; another key for a paid hold is refused.
    """
    if (
        not idempotency_key
        or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH
        or "\x00" in idempotency_key
    ):
        raise IdempotencyKeyRequired()
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        # The order token can be computed again only by whoever has the hold token and the
        # key, so a repeated request gets the same token back while only its hash is stored.
        order_token = derived_token(f"{token}:{idempotency_key}", purpose="order")
        seats = held_seats(hold_id=hold.pk, for_update=True)
        now = db_now()
        if not seats or hold.expires_at <= now:
            # A live hold has reserved seats; a paid one has none left (they are sold).
            existing = order_of_hold(hold_id=hold.pk)
            if existing is not None:
                order_id, key = existing
                if key != idempotency_key:
                    raise AlreadyCheckedOut()
                order = Order.objects.get(pk=order_id)
                return CheckoutResult(order, order_token, False, order_tickets(order=order))
            raise HoldExpired() if hold.expires_at <= now else HoldEmpty()
        unpriced = [seat.id for seat in seats if seat.price is None]
        if unpriced:
            raise InvalidSeats(seats=unpriced)
        total = sum(seat.price for seat in seats)
        order = Order(
            performance_id=hold.performance_id,
            hold_id=hold.pk,
            idempotency_key=idempotency_key,
            token_hash=hash_token(order_token),
            name=name,
            email=email,
            phone=phone,
            total=total,
            currency=hold.performance.event.currency,
            status=OrderStatus.PAID,
            created_at=now,
        )
        _insert_order(order)
        tickets = _sell(order, seats)

        # Charged last, once every write has succeeded: a decline rolls them all back, and no
        # database error can come after the money has moved.
        payment = payment_provider().charge(
            amount=total,
            currency=order.currency,
            idempotency_key=f"hold-{hold.pk}-{idempotency_key}",
            payment_token=payment_token,
        )
        if not payment.approved:
            raise PaymentDeclined()
        order.payment_reference = payment.reference
        execute(
            "UPDATE orders_order SET payment_reference = %s WHERE id = %s",
            [payment.reference, order.pk],
        )
        publish_seat_changes(
            ((hold.performance_id, s.id, SeatStatus.SOLD, s.version + 1) for s in seats),
            reason="sold",
        )
    return CheckoutResult(order, order_token, created=True, tickets=tickets)


def _insert_order(order: Order) -> None:
    (order.id,) = fetch_one(
        """INSERT INTO orders_order (performance_id, hold_id, idempotency_key, token_hash, name,
             email, phone, total, currency, status, payment_reference, refund_reference,
             created_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', %s) RETURNING id""",
        [
            order.performance_id, order.hold_id, order.idempotency_key, order.token_hash,
            order.name, order.email, order.phone, order.total, order.currency,
            order.status, as_param(order.created_at),
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
    ids = [seat.id for seat in seats]
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    sold = execute(
        f"""UPDATE catalog_seat
            SET status = 'sold', hold_id = NULL, hold_expires_at = NULL, version = version + 1,
                ticket_id = CASE id {cases} END
            WHERE id IN ({in_list(ids)}) AND hold_id = %s AND status = 'reserved'""",
        [*(v for i in ids for v in (i, ticket_of_seat[i])), *ids, order.hold_id],
    )
    if sold != len(ids):  # cannot happen while the seats are locked; never sell part
        raise HoldExpired()
    return [
        TicketView(code, s.id, s.section, s.row, s.number, s.ticket_type, s.price, True)
        for s, code in zip(seats, codes, strict=True)
    ]


def cancel_order(*, order_id: int) -> Order:
    """Cancel a paid order (organizer): refund it, void its tickets, free its seats."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update().select_related("performance__event").get(pk=order_id)
        )
        if order.status != OrderStatus.PAID:
            raise OrderNotCancellable()
        now = db_now()
        sold = Seat.objects.select_for_update().filter(ticket__order=order, status=SeatStatus.SOLD)
        rows = list(sold.values_list("performance_id", "id", "version"))
        Seat.objects.filter(id__in=[i for _p, i, _v in rows], status=SeatStatus.SOLD).update(
            status=SeatStatus.AVAILABLE, ticket=None, version=F("version") + 1
        )
        publish_seat_changes(
            ((p, i, SeatStatus.AVAILABLE, v + 1) for p, i, v in rows), reason="cancelled"
        )
        order.tickets.update(valid=False)
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
