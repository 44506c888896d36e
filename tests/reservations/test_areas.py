"""Standing areas: places held by quantity through the same services as seats."""

import pytest

from catalog.errors import NotEnoughPlaces, SeatsUnavailable, TooManySeats, UnknownArea
from catalog.models import Seat, SeatStatus
from catalog.selectors import capacity_by_section_and_ticket_type
from ops.audit import audit
from orders.checkout import checkout
from reservations.areas import AreaQuantity
from reservations.errors import SeatNotInHold
from reservations.models import Hold
from reservations.services import add_seats, hold_seats, release_expired_holds, release_places
from tests.factories import expire_hold, make_standing_area, place_ids, seat_ids

pytestmark = pytest.mark.django_db


def places_of(hold_id: int) -> int:
    return Seat.objects.filter(hold_id=hold_id, row="").count()


def area_figures(performance, area) -> dict:
    figures = capacity_by_section_and_ticket_type(performance_id=performance.pk)
    (row,) = [c for c in figures if c.section_id == area.pk]
    return {"allocated": row.allocated, "available": row.available, "reserved": row.reserved}


def test_holding_places_reserves_that_many_of_the_area(performance):
    area = make_standing_area(performance, capacity=10)
    held = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 3)])
    assert places_of(held.hold.pk) == 3
    assert [seat.standing for seat in held.seats] == [True] * 3
    assert {seat.section for seat in held.seats} == {"Floor"}
    assert held.total == 45
    assert area_figures(performance, area) == {"allocated": 10, "available": 7, "reserved": 3}


def test_places_and_seats_are_held_together_or_not_at_all(performance):
    area = make_standing_area(performance, capacity=4)
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=[ids[0]])
    with pytest.raises(SeatsUnavailable):
        hold_seats(
            performance_id=performance.pk, seat_ids=ids[:2], areas=[AreaQuantity(area.pk, 2)]
        )
    with pytest.raises(NotEnoughPlaces) as refused:
        hold_seats(
            performance_id=performance.pk, seat_ids=[ids[3]], areas=[AreaQuantity(area.pk, 5)]
        )
    assert refused.value.details == {"area": area.pk, "name": "Floor", "left": 4}
    assert Seat.objects.get(pk=ids[3]).status == SeatStatus.AVAILABLE
    assert area_figures(performance, area)["available"] == 4
    assert Hold.objects.count() == 1
    both = hold_seats(
        performance_id=performance.pk, seat_ids=[ids[3]], areas=[AreaQuantity(area.pk, 4)]
    )
    assert len(both.seats) == 5


def test_a_seated_section_or_another_performances_area_is_no_area(performance):
    seated = performance.sections.first()
    with pytest.raises(UnknownArea):
        hold_seats(performance_id=performance.pk, areas=[AreaQuantity(seated.pk, 1)])
    area = make_standing_area(performance)
    with pytest.raises(UnknownArea):
        hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 0)])
    with pytest.raises(UnknownArea):
        hold_seats(
            performance_id=performance.pk,
            areas=[AreaQuantity(area.pk, 1), AreaQuantity(area.pk, 1)],
        )


def test_places_count_toward_the_seats_per_order(performance):
    area = make_standing_area(performance, capacity=20)
    with pytest.raises(TooManySeats):  # the factory's performance allows 10
        hold_seats(
            performance_id=performance.pk,
            seat_ids=seat_ids(performance)[:2],
            areas=[AreaQuantity(area.pk, 9)],
        )
    held = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 8)])
    with pytest.raises(TooManySeats):
        add_seats(hold_id=held.hold.pk, token=held.token, areas=[AreaQuantity(area.pk, 3)])


def test_places_added_to_a_hold_and_given_back_by_quantity(performance):
    area = make_standing_area(performance, capacity=10)
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    added = add_seats(hold_id=held.hold.pk, token=held.token, areas=[AreaQuantity(area.pk, 3)])
    assert sum(seat.standing for seat in added.seats) == 3
    fewer = release_places(hold_id=held.hold.pk, token=held.token, area_id=area.pk, quantity=2)
    assert sum(seat.standing for seat in fewer.seats) == 1 and len(fewer.seats) == 2
    none = release_places(hold_id=held.hold.pk, token=held.token, area_id=area.pk)
    assert [seat.standing for seat in none.seats] == [False]
    with pytest.raises(SeatNotInHold):
        release_places(hold_id=held.hold.pk, token=held.token, area_id=area.pk)
    assert area_figures(performance, area)["available"] == 10


def test_expired_places_are_free_to_the_next_buyer_before_any_sweep(performance):
    area = make_standing_area(performance, capacity=5)
    first = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 5)])
    with pytest.raises(NotEnoughPlaces):
        hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 1)])
    expire_hold(first.hold)
    assert area_figures(performance, area)["available"] == 5
    second = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 5)])
    assert places_of(second.hold.pk) == 5
    assert release_expired_holds() == []  # nothing left to tidy: the places were taken over


def test_sold_places_stay_sold_and_the_audit_finds_them_consistent(performance):
    area = make_standing_area(performance, capacity=6)
    held = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 2)])
    result = checkout(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org"
    )
    assert len(result.tickets) == 2
    assert {ticket.row for ticket in result.tickets} == {""}
    sold = Seat.objects.filter(section=area, status=SeatStatus.SOLD)
    assert sold.count() == 2 and set(sold.values_list("id", flat=True)) <= set(place_ids(area))
    assert audit()["inconsistency_count"] == 0


def test_best_available_never_chooses_places_of_an_area(performance):
    from catalog.errors import NotEnoughSeats, UnknownSeatChoice
    from reservations.best_holds import hold_best_available

    area = make_standing_area(performance, capacity=50)
    with pytest.raises(UnknownSeatChoice):
        hold_best_available(performance_id=performance.pk, quantity=2, section_id=area.pk)
    ids = seat_ids(performance)  # 20 seats and the area's 50 places
    seats = [i for i in ids if not Seat.objects.filter(pk=i, row="").exists()]
    hold_seats(performance_id=performance.pk, seat_ids=seats[:10])
    hold_seats(performance_id=performance.pk, seat_ids=seats[10:17])
    held = hold_best_available(performance_id=performance.pk, quantity=3)
    assert not any(seat.standing for seat in held.seats)
    with pytest.raises(NotEnoughSeats):  # no seat is left; places are not seats
        hold_best_available(performance_id=performance.pk, quantity=1)
