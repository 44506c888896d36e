"""The box office desk: staff choose seats on the seat map and sell them for cash, through a
card terminal, or as complimentary tickets (with a reason).

The seats are held as a buyer's are, through the reservation services (the same holds, SKIP
LOCKED takes, companion and orphan rules, the performance's limit per order), so a seat a
buyer holds cannot be sold at the desk and a seat held at the desk cannot be bought online.
Staff are not counted by the per-address cap and do not pass the waiting room: those keep
crowds fair, and the desk is one person serving one customer at a time. The hold may be any
hold: the house seats held back for a channel are put into a staff hold and sold here.

The sale takes checkout's locks in checkout's order: the hold row, then its seat rows (FOR
UPDATE, ascending id); expiry and the sales window are compared with the database clock read
after the seat locks. No payment provider is asked: the money changed hands at the desk, so
the order records the method, the terminal's reference or the complimentary reason, and who
sold it, in its own fields and in its history (OrderEvent), in the transaction that sells the
seats.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction

from backoffice.errors import ComplimentaryNeedsReason, DeskNotOnSale, UnknownDeskMethod
from catalog import inventory
from catalog.errors import InvalidSeats, PerformanceNotFound
from catalog.selectors import PricedSeat, seats_of_hold
from core.dbtime import db_now
from core.tokens import hash_token, new_token
from orders.history import record_change
from orders.models import DeskMethod, Order, OrderChange, OrderStatus, Ticket
from orders.selectors import TicketView, order_tickets
from orders.settlement import new_ticket_code
from reservations import services as holds
from reservations.areas import AreaQuantity
from reservations.errors import (
    AlreadyCheckedOut,
    HoldEmpty,
    HoldExpired,
    HoldNotFound,
    SalesClosed,
)
from reservations.hold_checks import check_sales_open
from reservations.selectors import owned_hold
from reservations.services import HoldState, close_hold

ZERO = Decimal("0.00")
NOTE_LENGTH = 200


@dataclass(frozen=True)
class DeskHold:
    """The desk's current hold, as the admin's session keeps it."""

    id: int
    token: str


@dataclass(frozen=True)
class DeskPayment:
    method: DeskMethod
    note: str = ""  # the terminal's reference (optional) or the complimentary reason (required)


@dataclass(frozen=True)
class Customer:
    """Who the tickets are for; every field may be empty for a walk-up customer."""

    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "en"


@dataclass(frozen=True)
class DeskSale:
    order: Order
    tickets: list[TicketView]
    created: bool  # False: the same hold was sold before (a form sent twice)


def choose_seat(
    *, performance_id: int, seat_id: int, hold: DeskHold | None, new_token: str | None = None
) -> HoldState:
    """Hold one more seat for the desk's customer: added to the desk's hold while it is live,
    else in a new hold, with `new_token` if given (the caller keeps the hold's id and token;
    the returned state's hold is another than `hold` when a new one was made)."""
    return _hold_more(performance_id, hold, new_token, seat_ids=[seat_id])


def choose_places(
    *,
    performance_id: int,
    area_id: int,
    quantity: int,
    hold: DeskHold | None,
    new_token: str | None = None,
) -> HoldState:
    """Hold `quantity` more places of a standing area for the desk's customer, as
    choose_seat holds a seat."""
    return _hold_more(performance_id, hold, new_token, areas=[AreaQuantity(area_id, quantity)])


def _hold_more(
    performance_id: int, hold: DeskHold | None, new_token: str | None, **asked
) -> HoldState:
    try:
        if hold is not None:
            try:
                return holds.add_seats(hold_id=hold.id, token=hold.token, **asked)
            except (HoldExpired, HoldNotFound, AlreadyCheckedOut):
                pass  # the last customer's hold is over: this choice starts the next one
        return holds.hold_seats(performance_id=performance_id, token=new_token, **asked)
    except (SalesClosed, PerformanceNotFound) as error:
        raise DeskNotOnSale() from error


def give_back_seat(*, hold: DeskHold, seat_id: int) -> HoldState:
    return holds.release_seat(hold_id=hold.id, token=hold.token, seat_id=seat_id)


def give_back_places(*, hold: DeskHold, area_id: int) -> HoldState:
    return holds.release_places(hold_id=hold.id, token=hold.token, area_id=area_id)


def clear_selection(*, hold: DeskHold) -> int:
    """Every seat of the desk's hold back on sale ("next customer"); how many there were."""
    try:
        return holds.release_hold(hold_id=hold.id, token=hold.token)
    except (HoldNotFound, AlreadyCheckedOut):
        return 0  # gone, or sold: nothing to give back


def sell_at_desk(
    *, hold: DeskHold, payment: DeskPayment, customer: Customer, actor: str
) -> DeskSale:
    """Turn the desk's hold into a paid order, one ticket per seat, sold by `actor` (a staff
    username). Complimentary tickets cost nothing and need a reason. Selling the same hold
    again returns its order (created False) rather than a second one."""
    method = DeskMethod(payment.method) if payment.method in DeskMethod.values else None
    if method is None:
        raise UnknownDeskMethod()
    note = payment.note.strip()[:NOTE_LENGTH]
    if method == DeskMethod.COMPLIMENTARY and not note:
        raise ComplimentaryNeedsReason()
    with transaction.atomic():
        held = owned_hold(hold_id=hold.id, token=hold.token, for_update=True)
        if held.checked_out:
            order = Order.objects.filter(hold_id=held.pk, status=OrderStatus.PAID).first()
            if order is None:
                raise AlreadyCheckedOut()
            return DeskSale(order, order_tickets(order=order), created=False)
        seats = seats_of_hold(hold_id=held.pk, for_update=True)
        now = db_now()
        try:
            check_sales_open(held.terms, now)
        except SalesClosed as error:
            raise DeskNotOnSale() from error
        if held.expires_at <= now:
            raise HoldExpired()
        if not seats:
            raise HoldEmpty()
        unpriced = [seat.id for seat in seats if seat.price is None]
        if unpriced:
            raise InvalidSeats(seats=unpriced)
        if method == DeskMethod.COMPLIMENTARY:
            seats = [replace(seat, price=ZERO) for seat in seats]
        order = Order.objects.create(
            performance_id=held.performance_id,
            hold_id=held.pk,
            idempotency_key=f"desk-{held.pk}",
            # Nobody holds the order's API token: staff reach it through the admin.
            token_hash=hash_token(new_token()),
            name=customer.name.strip()[:200],
            email=customer.email.strip(),
            phone=customer.phone.strip()[:40],
            language=customer.language,
            total=sum((seat.price for seat in seats), ZERO),
            currency=held.terms.currency,
            status=OrderStatus.PAID,
            payment_reference="",
            created_at=now,
            desk_method=method,
            sold_by=actor,
            desk_note=note,
        )
        close_hold(hold_id=held.pk)
        tickets = _sell(order, seats)
        record_change(
            order_id=order.pk,
            change=OrderChange.SOLD_AT_DESK,
            actor=actor,
            method=method.value,
            note=note,
            amount=str(order.total),
            currency=order.currency,
            codes=[ticket.code for ticket in tickets],
        )
    return DeskSale(order, tickets, created=True)


def _sell(order: Order, seats: list[PricedSeat]) -> list[TicketView]:
    """One ticket per seat at the price it was sold for, and each seat sold to its ticket
    through the inventory (with the seats locked, every one is sold)."""
    made = Ticket.objects.bulk_create(
        Ticket(
            order=order,
            seat_id=seat.id,
            ticket_type_id=seat.ticket_type_id,
            price=seat.price,
            code=new_ticket_code(),
            valid=True,
        )
        for seat in seats
    )
    sold = inventory.sell(
        hold_id=order.hold_id, ticket_of_seat={ticket.seat_id: ticket.pk for ticket in made}
    )
    if len(sold) != len(seats):  # cannot happen while the seats are locked; never sell part
        raise HoldExpired()
    return [
        TicketView(t.code, s.id, s.section, s.row, s.number, s.ticket_type, s.price, True)
        for s, t in zip(seats, made, strict=True)
    ]
