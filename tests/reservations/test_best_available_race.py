"""Best available under real concurrency on PostgreSQL: buyers in threads, each with its own
connection, asking the server to choose for them at the same moment."""

import random
from collections import Counter
from decimal import Decimal

import pytest

from catalog.errors import NotEnoughSeats
from catalog.models import Seat
from ops.audit import audit
from reservations.best_holds import add_best_available, hold_best_available
from reservations.services import hold_seats
from tests.factories import make_performance
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True)]

BUYERS = 60  # PostgreSQL's default max_connections is 100, shared with the other tests' runs


def assert_each_seat_held_once(holds: list) -> None:
    seats = Counter(seat.id for held in holds for seat in held.seats)
    assert seats and max(seats.values()) == 1
    for held in holds:
        in_db = Seat.objects.filter(hold_id=held.hold.pk, status="reserved")
        assert set(in_db.values_list("id", flat=True)) == {seat.id for seat in held.seats}
    assert audit()["inconsistency_count"] == 0


def test_buyers_asking_for_best_available_at_once_all_get_their_seats(postgres_only):
    performance = make_performance(sections=1, rows=16, seats_per_row=20)  # 320 seats
    quantities = [random.Random(n).randint(2, 4) for n in range(BUYERS)]  # at most 240

    def buyer(n: int):
        return hold_best_available(performance_id=performance.pk, quantity=quantities[n])

    results = run_threads(BUYERS, buyer)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert [len(held.seats) for held in results] == quantities
    assert_each_seat_held_once(results)
    together = sum(held.together for held in results)
    assert together >= BUYERS * 0.9, f"only {together} of {BUYERS} buyers sit together"


def test_a_sell_out_refuses_only_buyers_for_whom_too_few_seats_remain(postgres_only):
    performance = make_performance(sections=1, rows=6, seats_per_row=15)  # 90 seats

    def buyer(n: int):
        return hold_best_available(performance_id=performance.pk, quantity=3)

    results = run_threads(BUYERS, buyer)  # 180 seats asked for
    held = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(error, NotEnoughSeats) for error in refused), refused
    assert len(held) == 30 and len(refused) == BUYERS - 30
    assert not Seat.objects.filter(performance=performance, status="available").exists()
    assert_each_seat_held_once(held)


def test_buyers_adding_best_available_up_to_a_price_to_their_holds_at_once(postgres_only):
    """Each buyer has a hold of one Normal seat (20.00) and adds three seats up to 10.00 (the
    Student rows) at the same moment: each gets three, none twice, none above the price."""
    performance = make_performance(sections=2, rows=16, seats_per_row=20)  # 40 Normal seats
    normal = Seat.objects.filter(performance=performance, row="A").order_by("id")
    first_seats = list(normal.values_list("id", flat=True))[:40]
    holds = [hold_seats(performance_id=performance.pk, seat_ids=[seat]) for seat in first_seats]

    def buyer(n: int):
        return add_best_available(
            hold_id=holds[n].hold.pk,
            token=holds[n].token,
            quantity=3,
            max_price=Decimal("10.00"),
            together=True,
        )

    results = run_threads(len(holds), buyer)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert all(len(added.chosen) == 3 and added.together for added in results)
    assert all(len(added.seats) == 4 for added in results)
    chosen = [seat for added in results for seat in added.chosen]
    assert len(chosen) == len(set(chosen)) == 120
    prices = {seat.price for added in results for seat in added.seats if seat.id in added.chosen}
    assert prices == {Decimal("10.00")}
    assert_each_seat_held_once(results)
