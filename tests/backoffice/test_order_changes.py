"""Moving a paid ticket to another seat (backoffice/order_changes.py): one transaction, the
old seat freed and the new one sold to a new ticket, recorded in the order's history."""

from decimal import Decimal

import pytest
from django.db.models import F

from backoffice.errors import (
    PriceDiffers,
    SameSeat,
    SeatNotFound,
    SeatNotFree,
    TicketAlreadyUsed,
    TicketNotMovable,
)
from backoffice.order_changes import move_ticket
from catalog.models import Seat, SeatStatus
from checkin.devices import device_for_token
from checkin.services import check_in
from ops.audit import audit
from orders.cancellation import cancel_order
from orders.models import MailKind, OrderMail, Ticket
from reservations.services import hold_seats
from tests.checkin.door import device, qr, sell

pytestmark = pytest.mark.django_db


def free_seat_at(performance, price: str) -> Seat:
    """The last free seat of the performance priced `price`."""
    free = performance.seats.filter(
        status=SeatStatus.AVAILABLE,
        ticket_type__prices__section=F("section"),
        ticket_type__prices__price=Decimal(price),
    )
    return free.order_by("-id")[0]


def test_a_moved_ticket_frees_its_seat_and_takes_the_new_one_under_a_new_code(performance):
    (ticket,) = sell(performance)
    old_seat, old_code = ticket.seat, ticket.code
    target = free_seat_at(performance, str(int(ticket.price)))
    versions = (old_seat.version, target.version)

    moved = move_ticket(ticket_id=ticket.pk, to_seat_id=target.pk, actor="box-office-1")

    old_seat.refresh_from_db()
    target.refresh_from_db()
    assert moved.pk == ticket.pk and moved.valid and moved.price == ticket.price
    assert moved.code != old_code and not Ticket.objects.filter(code=old_code).exists()
    assert Ticket.objects.filter(order=ticket.order).count() == 1  # no refund, no new ticket
    assert (old_seat.status, old_seat.ticket_id) == (SeatStatus.AVAILABLE, None)
    assert (target.status, target.ticket_id) == (SeatStatus.SOLD, moved.pk)
    assert (old_seat.version, target.version) == (versions[0] + 1, versions[1] + 1)
    entry = ticket.order.history.get()
    assert (entry.change, entry.actor) == ("ticket_moved", "box-office-1")
    assert entry.detail["old_code"] == old_code and entry.detail["new_code"] == moved.code
    assert OrderMail.objects.filter(order=ticket.order, kind=MailKind.CHANGED).count() == 1
    assert audit()["inconsistency_count"] == 0  # the order's total and payment still agree


def test_a_moved_ticket_is_no_refund_in_the_sales_figures(performance):
    from backoffice.sales import refunds

    (ticket,) = sell(performance)
    move_ticket(
        ticket_id=ticket.pk,
        to_seat_id=free_seat_at(performance, str(int(ticket.price))).pk,
        actor="desk",
    )

    assert refunds(performance_id=performance.pk).tickets == 0


@pytest.mark.parametrize("taken_by", ["hold", "sale", "block"])
def test_a_seat_held_sold_or_blocked_is_refused_and_nothing_changes(performance, taken_by):
    (ticket,) = sell(performance)
    target = free_seat_at(performance, str(int(ticket.price)))
    if taken_by == "hold":
        hold_seats(performance_id=performance.pk, seat_ids=[target.pk])
    elif taken_by == "sale":
        Ticket.objects.get(pk=sell(performance, first=list_index(performance, target))[0].pk)
    else:
        from catalog.services import block_seats

        block_seats(performance_id=performance.pk, seat_ids=[target.pk])
    before = Seat.objects.get(pk=target.pk).status

    with pytest.raises(SeatNotFree):
        move_ticket(ticket_id=ticket.pk, to_seat_id=target.pk, actor="staff")

    ticket.refresh_from_db()
    assert ticket.valid and Seat.objects.get(pk=ticket.seat_id).status == SeatStatus.SOLD
    assert Seat.objects.get(pk=target.pk).status == before
    assert not ticket.order.history.exists()
    assert Ticket.objects.filter(order=ticket.order).count() == 1


def list_index(performance, seat: Seat) -> int:
    return list(performance.seats.order_by("id").values_list("id", flat=True)).index(seat.pk)


def test_the_new_seat_must_be_at_the_tickets_price(performance):
    (ticket,) = sell(performance)
    other_price = "10" if ticket.price == Decimal("20") else "20"

    with pytest.raises(PriceDiffers):
        move_ticket(
            ticket_id=ticket.pk,
            to_seat_id=free_seat_at(performance, other_price).pk,
            actor="staff",
        )


def test_the_same_seat_another_performances_seat_and_a_used_or_cancelled_ticket_are_refused(
    performance,
):
    from tests.factories import make_performance

    first, second = sell(performance, 2)
    elsewhere = make_performance().seats.first()
    with pytest.raises(SameSeat):
        move_ticket(ticket_id=first.pk, to_seat_id=first.seat_id, actor="staff")
    with pytest.raises(SeatNotFound):
        move_ticket(ticket_id=first.pk, to_seat_id=elsewhere.pk, actor="staff")

    check_in(device=device_for_token(device(performance)), text=qr(first))
    target = free_seat_at(performance, str(int(first.price)))
    with pytest.raises(TicketAlreadyUsed):
        move_ticket(ticket_id=first.pk, to_seat_id=target.pk, actor="staff")

    cancel_order(order_id=second.order_id)
    with pytest.raises(TicketNotMovable):
        move_ticket(ticket_id=second.pk, to_seat_id=target.pk, actor="staff")
