"""Wheelchair spaces and companion seats under real concurrency on PostgreSQL: buyers in
threads, each with its own connection, racing for a space and its companion seats at once."""

import random

import pytest

from catalog.models import Seat
from ops.audit import audit
from orders.checkout import checkout
from reservations.errors import CompanionSeatAlone
from reservations.services import add_seats, hold_seats, release_hold
from tests.accessible import accessible_performance, seat_id
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True)]

BUYERS = 40  # PostgreSQL's default max_connections is 100, shared with the other tests' runs
SPACES = {"A-3": ["A-2", "A-4"], "A-7": ["A-8"]}


def companions_apart(performance) -> list[str]:
    """Companion seats held or sold apart from their wheelchair space: held by another hold
    (or the space not held at all), or sold in another order (or the space not sold)."""
    apart = []
    companions = Seat.objects.filter(performance=performance, companion_of__isnull=False)
    for seat in companions.select_related("companion_of__ticket", "ticket"):
        space = seat.companion_of
        if seat.status == "reserved" and not (
            space.status == "reserved" and space.hold_id == seat.hold_id
        ):
            apart.append(f"{seat.row}-{seat.number} held without its space")
        if seat.status == "sold" and not (
            space.status == "sold" and space.ticket.order_id == seat.ticket.order_id
        ):
            apart.append(f"{seat.row}-{seat.number} sold without its space")
    return apart


def race(performance, rounds: int, *, pay: bool) -> list:
    """Each buyer asks at the same moment for a space, for a companion seat alone, for both,
    or adds a companion seat to a hold of an ordinary seat; winners pay if `pay`."""
    ids = {place: seat_id(performance, place) for place in ["B-1", "B-2", "B-3", "B-4",
           *SPACES, *(c for cs in SPACES.values() for c in cs)]}  # fmt: skip
    ordinary = [ids[p] for p in ("B-1", "B-2", "B-3", "B-4")]

    def buyer(n: int):
        rng = random.Random(n * 1000 + rounds)
        space = rng.choice(sorted(SPACES))
        companion = rng.choice(SPACES[space])
        kind = n % 4
        try:
            if kind == 0:
                held = hold_seats(performance_id=performance.pk, seat_ids=[ids[space]])
            elif kind == 1:
                held = hold_seats(performance_id=performance.pk, seat_ids=[ids[companion]])
            elif kind == 2:
                held = hold_seats(
                    performance_id=performance.pk, seat_ids=[ids[companion], ids[space]]
                )
            else:
                held = hold_seats(performance_id=performance.pk, seat_ids=[rng.choice(ordinary)])
                try:
                    add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[companion]])
                finally:
                    release_hold(hold_id=held.hold.pk, token=held.token)
                return None
        except CompanionSeatAlone as refused:
            return refused
        except Exception:  # noqa: BLE001 - taken by another buyer: fine in a race
            return None
        if pay:
            checkout(hold_id=held.hold.pk, token=held.token, idempotency_key=f"k{n}",
                     name="Ava", email="ava@example.org")  # fmt: skip
        return held

    return run_threads(BUYERS, buyer)


def test_buyers_racing_for_spaces_and_companions_never_leave_a_companion_apart(postgres_only):
    performance = accessible_performance()  # companion seats never sell alone
    for round_number in range(4):
        results = race(performance, round_number, pay=False)
        refused = [r for r in results if isinstance(r, CompanionSeatAlone)]
        assert len(refused) >= BUYERS // 4, "every lone companion seat is refused"
        assert companions_apart(performance) == []
        assert audit()["inconsistency_count"] == 0
        for held in results:
            if held is not None and not isinstance(held, BaseException):
                release_hold(hold_id=held.hold.pk, token=held.token)
    race(performance, 9, pay=True)
    assert Seat.objects.filter(performance=performance, status="sold").exists()
    assert companions_apart(performance) == []
    assert audit()["inconsistency_count"] == 0


def test_when_companions_sell_alone_a_race_still_gives_each_seat_to_one_hold(postgres_only):
    performance = accessible_performance(companions_sell_alone=True)
    results = race(performance, 0, pay=False)
    holds = [r for r in results if r is not None and not isinstance(r, BaseException)]
    seats = [seat.id for held in holds for seat in held.seats]
    assert len(seats) == len(set(seats)), "no seat in two holds"
    for held in holds:
        in_db = Seat.objects.filter(hold_id=held.hold.pk, status="reserved")
        assert set(in_db.values_list("id", flat=True)) == {seat.id for seat in held.seats}
    assert audit()["inconsistency_count"] == 0
