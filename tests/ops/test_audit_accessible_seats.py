"""The audit reports companion seats held or sold apart from their wheelchair space (where the
performance keeps them for the spaces' companions), and companions of seats that are no space."""

import pytest

from catalog.models import Seat
from ops.audit import audit
from reservations.services import hold_seats
from tests.accessible import accessible_performance, seat_id

pytestmark = pytest.mark.django_db


def test_a_consistent_hall_with_spaces_and_companions_held_has_nothing_to_report():
    performance = accessible_performance()
    hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "A-3")])
    assert audit()["inconsistency_count"] == 0


def test_a_companion_seat_planted_into_another_hold_is_reported_and_left_as_it_is():
    performance = accessible_performance()
    space = hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "A-7")])
    other = hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "B-2")])
    companion = seat_id(performance, "A-8")
    # Planted directly (a test may; the product may not): A-8 moved to the other hold.
    Seat.objects.filter(pk=companion).update(hold_id=other.hold.pk)
    report = audit(fix=True)
    assert report["inconsistencies"]["companion_seat_apart_from_its_space"]["ids"] == [companion]
    assert Seat.objects.get(pk=companion).hold_id == other.hold.pk
    assert space.hold.pk != other.hold.pk


def test_when_companions_sell_alone_a_companion_held_alone_is_no_inconsistency():
    performance = accessible_performance(companions_sell_alone=True)
    hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "A-8")])
    assert audit()["inconsistency_count"] == 0


def test_a_companion_of_a_seat_that_is_no_wheelchair_space_is_reported():
    performance = accessible_performance()
    Seat.objects.filter(pk=seat_id(performance, "A-7")).update(flag_bits=0)
    report = audit()
    found = report["inconsistencies"]["companion_of_seat_that_is_no_wheelchair_space"]["ids"]
    assert found == [seat_id(performance, "A-8")]
