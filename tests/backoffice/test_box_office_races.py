"""A desk sale racing a buyer for the same seat: exactly one gets it, and the seats agree with
the tickets. Real threads, each with its own connection to PostgreSQL."""

import pytest

from backoffice.box_office import Customer, DeskPayment, DeskSale, choose_seat, sell_at_desk
from catalog.errors import SeatsUnavailable
from catalog.models import Seat, SeatStatus
from ops.audit import audit
from orders.models import DeskMethod, Ticket
from reservations.services import HoldState, hold_seats
from tests.factories import make_performance, seat_ids
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def desk_sale(performance_id: int, seat_id: int) -> DeskSale:
    from backoffice.box_office import DeskHold

    state = choose_seat(performance_id=performance_id, seat_id=seat_id, hold=None)
    return sell_at_desk(
        hold=DeskHold(state.hold.pk, state.token),
        payment=DeskPayment(DeskMethod.CASH),
        customer=Customer(),
        actor="desk",
    )


def test_a_desk_sale_and_a_buyer_racing_for_the_same_seat_never_both_get_it(postgres_only):
    performance = make_performance(sections=2, rows=2, seats_per_row=5)
    winners = set()
    for seat_id in seat_ids(performance):  # twenty rounds, each a fresh seat

        def race(n: int, seat_id=seat_id):
            if n == 0:
                return desk_sale(performance.pk, seat_id)
            return hold_seats(performance_id=performance.pk, seat_ids=[seat_id])

        sold, held = run_threads(2, race)
        seat = Seat.objects.get(pk=seat_id)
        if isinstance(sold, DeskSale):
            assert isinstance(held, SeatsUnavailable), held
            (ticket,) = sold.order.tickets.all()
            assert (seat.status, seat.ticket_id) == (SeatStatus.SOLD, ticket.pk)
            winners.add("desk")
        else:
            assert isinstance(sold, SeatsUnavailable) and isinstance(held, HoldState), (sold, held)
            assert (seat.status, seat.hold_id) == (SeatStatus.RESERVED, held.hold.pk)
            assert not Ticket.objects.filter(seat_id=seat_id).exists()
            winners.add("buyer")
    assert winners  # which wins each round is the scheduler's; never both, never neither
    sold_seats = Seat.objects.filter(performance=performance, status=SeatStatus.SOLD)
    assert sold_seats.count() == Ticket.objects.filter(order__performance=performance).count()
    assert audit()["inconsistency_count"] == 0
