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
from django.db.models import F, OuterRef, Subquery

from catalog.errors import InvalidSeats
from catalog.models import Seat, SeatStatus
from live.publish import publish_seat_changes
from ops.metrics import CHECKOUTS, count_outcomes
from orders.errors import IdempotencyKeyRequired, OrderNotCancellable, PaymentDeclined
from orders.models import Order, OrderStatus, Ticket
from orders.payments import payment_provider
from orders.selectors import TicketView, order_tickets
from reservations.errors import AlreadyCheckedOut, HoldEmpty, HoldExpired
from reservations.selectors import owned_hold, seat_prices
from sandali.dbtime import db_now
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
        existing = Order.objects.filter(hold=hold).first()
        if existing is not None:
            if existing.idempotency_key != idempotency_key:
                raise AlreadyCheckedOut()
            tickets = order_tickets(order=existing)
            return CheckoutResult(existing, order_token, created=False, tickets=tickets)

        seats = seat_prices(
            Seat.objects.select_for_update(of=("self",)).filter(
                hold=hold, status=SeatStatus.RESERVED
            )
        )
        now = db_now()
        if hold.expires_at <= now:
            raise HoldExpired()
        if not seats:
            raise HoldEmpty()
        unpriced = [seat.id for seat in seats if seat.price is None]
        if unpriced:
            raise InvalidSeats(seats=unpriced)
        total = sum(seat.price for seat in seats)
        currency = hold.performance.event.currency

        order = Order.objects.create(
            performance_id=hold.performance_id,
            hold=hold,
            idempotency_key=idempotency_key,
            token_hash=hash_token(order_token),
            name=name,
            email=email,
            phone=phone,
            total=total,
            currency=currency,
            created_at=now,
        )
        tickets = Ticket.objects.bulk_create(
            Ticket(
                order=order,
                seat_id=seat.id,
                ticket_type_id=seat.ticket_type_id,
                price=seat.price,
                code=_ticket_code(),
            )
            for seat in seats
        )
        seat_ids = [seat.id for seat in seats]
        ticket_of_seat = Ticket.objects.filter(order=order, seat_id=OuterRef("pk")).values("id")
        sold = Seat.objects.filter(id__in=seat_ids, hold=hold, status=SeatStatus.RESERVED).update(
            status=SeatStatus.SOLD,
            hold=None,
            hold_expires_at=None,
            ticket_id=Subquery(ticket_of_seat[:1]),
            version=F("version") + 1,
        )
        if sold != len(seat_ids):  # cannot happen while the seats are locked; never sell part
            raise HoldExpired()

        # Charged last, once every write has succeeded: a decline rolls them all back, and no
        # database error can come after the money has moved.
        payment = payment_provider().charge(
            amount=total,
            currency=currency,
            idempotency_key=f"hold-{hold.pk}-{idempotency_key}",
            payment_token=payment_token,
        )
        if not payment.approved:
            raise PaymentDeclined()
        order.payment_reference = payment.reference
        order.save(update_fields=["payment_reference"])
        publish_seat_changes(
            ((hold.performance_id, s.id, SeatStatus.SOLD, s.version + 1) for s in seats),
            reason="sold",
        )
    views = [TicketView.of(ticket, seat) for ticket, seat in zip(tickets, seats, strict=True)]
    return CheckoutResult(order, order_token, created=True, tickets=views)


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
