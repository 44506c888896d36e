"""Staff moving a ticket while a buyer takes the same seat, or while the ticket is scanned at
the door: exactly one wins, and the seats, tickets and check-ins agree. Real threads, each
with its own connection to PostgreSQL."""

import pytest

from backoffice.errors import SeatNotFree, TicketAlreadyUsed
from backoffice.order_changes import move_ticket
from catalog.errors import SeatsUnavailable
from catalog.models import Seat, SeatStatus
from checkin.devices import device_for_token
from checkin.errors import TicketCancelled, TicketNotFound
from checkin.models import CheckIn
from checkin.services import Admission, check_in
from orders.models import Ticket
from reservations.services import HoldState, hold_seats
from tests.backoffice.test_order_changes import free_seat_at
from tests.checkin.door import device, qr, sell
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_staff_moving_a_ticket_and_a_buyer_holding_the_same_seat_never_both_get_it(
    postgres_only, performance
):
    tickets = sell(performance, 5)
    for ticket in tickets:  # five rounds: each a fresh race for a fresh seat
        target = free_seat_at(performance, str(int(ticket.price)))

        def race(n: int, ticket=ticket, target=target):
            if n == 0:
                return move_ticket(ticket_id=ticket.pk, to_seat_id=target.pk, actor="staff")
            return hold_seats(performance_id=performance.pk, seat_ids=[target.pk])

        moved, held = run_threads(2, race)
        target.refresh_from_db()
        if isinstance(moved, Ticket):
            assert isinstance(held, SeatsUnavailable), held
            assert (target.status, target.ticket_id) == (SeatStatus.SOLD, moved.pk)
            assert Seat.objects.get(pk=ticket.seat_id).status == SeatStatus.AVAILABLE
        else:
            assert isinstance(moved, SeatNotFree) and isinstance(held, HoldState), (moved, held)
            assert (target.status, target.hold_id) == (SeatStatus.RESERVED, held.hold.pk)
            assert Ticket.objects.get(pk=ticket.pk).code == ticket.code
            assert Seat.objects.get(pk=ticket.seat_id).ticket_id == ticket.pk


def test_moving_a_ticket_while_it_is_scanned_lets_in_the_old_code_or_moves_it_never_both(
    postgres_only, performance
):
    tickets = sell(performance, 5)
    gate = device_for_token(device(performance))
    outcomes = set()
    for ticket in tickets:
        target = free_seat_at(performance, str(int(ticket.price)))

        def race(n: int, ticket=ticket, target=target):
            if n == 0:
                return move_ticket(ticket_id=ticket.pk, to_seat_id=target.pk, actor="staff")
            return check_in(device=gate, text=qr(ticket))

        moved, scanned = run_threads(2, race)
        checked_in = CheckIn.objects.filter(ticket_id=ticket.pk).exists()
        if isinstance(moved, Ticket):  # the old code opens nothing: unknown, or read before
            assert isinstance(scanned, TicketNotFound | TicketCancelled), scanned
            assert not checked_in
            outcomes.add("moved")
        else:
            assert isinstance(moved, TicketAlreadyUsed), moved
            assert isinstance(scanned, Admission) and checked_in
            assert Ticket.objects.get(pk=ticket.pk).code == ticket.code
            outcomes.add("admitted")
    assert outcomes  # which wins each round is the scheduler's; never both, never neither


def test_cancelling_a_ticket_while_it_is_scanned_admits_it_or_refunds_it_never_both(
    postgres_only, performance
):
    from backoffice.order_changes import cancel_tickets
    from payments.models import PartialRefund

    tickets = sell(performance, 6)
    gate = device_for_token(device(performance))
    for ticket in tickets[:5]:  # the sixth keeps the order paid throughout

        def race(n: int, ticket=ticket):
            if n == 0:
                return cancel_tickets(order_id=ticket.order_id, ticket_ids=[ticket.pk],
                                      actor="desk")  # fmt: skip
            return check_in(device=gate, text=qr(ticket))

        cancelled, scanned = run_threads(2, race)
        refunded = PartialRefund.objects.filter(idempotency_key=f"ticket-{ticket.pk}-refund")
        checked_in = CheckIn.objects.filter(ticket_id=ticket.pk).exists()
        if isinstance(cancelled, list):
            assert isinstance(scanned, TicketCancelled) and not checked_in, scanned
            assert refunded.count() == 1
        else:
            assert isinstance(cancelled, TicketAlreadyUsed), cancelled
            assert isinstance(scanned, Admission) and checked_in and not refunded.exists()
