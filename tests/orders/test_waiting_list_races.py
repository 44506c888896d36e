"""The waiting list offering freed seats while buyers hold, on PostgreSQL with real threads
(each its own connection): the public never takes a seat somebody waits for, the offers'
seats are the freed ones, no seat is held or sold twice, and buyers of other seats are not
held up."""

import random

import pytest

from catalog.errors import SeatsUnavailable
from catalog.models import Seat, SeatStatus
from orders.cancellation import cancel_order
from orders.waiting_list import join_waiting_list, serve_all
from reservations.models import Hold, WaitingEntry, WaitingStatus
from reservations.services import HoldState, hold_seats
from tests.factories import make_order, make_performance
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BUYERS = 6
TRIES = 15


def test_freed_seats_go_to_the_waiting_list_while_the_public_races_for_them(postgres_only):
    # Row A sells as Normal (5 seats), rows B-D as Student (15 seats).
    hall = make_performance(sections=1, rows=4, seats_per_row=5, max_seats_per_order=5)
    normal = list(Seat.objects.filter(performance=hall, row="A").order_by("id"))
    student = list(Seat.objects.filter(performance=hall).exclude(row="A").order_by("id"))
    order = make_order(hall, seats=5).order  # the five Normal seats: sold out
    assert {t.seat_id for t in order.tickets.all()} == {s.pk for s in normal}
    kind = {"section_id": normal[0].section_id, "ticket_type_id": normal[0].ticket_type_id}
    for n, quantity in enumerate((2, 2, 1)):
        join_waiting_list(performance_id=hall.pk, email=f"w{n}@example.org",
                          quantity=quantity, **kind)  # fmt: skip
    cancel_order(order_id=order.pk)  # five Normal seats freed
    freed = {s.pk for s in normal}

    def race(n: int):
        if n == 0:
            return serve_all()
        outcomes = []
        own_student_seat = student[n].pk  # nobody waits for Student seats: this one is mine
        outcomes.append(hold_seats(performance_id=hall.pk, seat_ids=[own_student_seat]))
        for _ in range(TRIES):
            try:
                outcomes.append(
                    hold_seats(performance_id=hall.pk, seat_ids=[random.choice(sorted(freed))])
                )
            except SeatsUnavailable as refused:
                outcomes.append(refused)
        return outcomes

    results = run_threads(1 + BUYERS, race)
    for outcomes in results[1:]:
        assert isinstance(outcomes, list), outcomes
        mine, *tries = outcomes
        assert isinstance(mine, HoldState) and len(mine.seats) == 1  # other seats sell as ever
        assert all(isinstance(outcome, SeatsUnavailable) for outcome in tries), tries
    serve_all()  # a seat a buyer was taking at that instant (SKIP LOCKED) goes in the next run
    entries = list(WaitingEntry.objects.filter(performance=hall).order_by("created_at", "id"))
    assert [e.status for e in entries] == [WaitingStatus.OFFERED] * 3
    assert sum(e.offered_seats for e in entries) == 5
    held = Seat.objects.filter(pk__in=freed)
    assert all(seat.status == SeatStatus.RESERVED for seat in held)
    offer_holds = {e.hold_id for e in entries}
    assert {seat.hold_id for seat in held} == offer_holds  # the freed seats, and only those
    public = Hold.objects.filter(performance=hall).exclude(pk__in=offer_holds)
    assert not Seat.objects.filter(hold__in=public, pk__in=freed).exists()
    assert Seat.objects.filter(performance=hall, status=SeatStatus.SOLD).count() == 0
    per_hold = [Seat.objects.filter(hold_id=h).count() for h in offer_holds]
    assert sorted(per_hold) == [1, 2, 2]
