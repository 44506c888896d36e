"""The demo arena is a real-looking large hall, drawn with the layout services."""

import math
from collections import defaultdict
from datetime import timedelta

import pytest

from catalog.models import LayoutSeat, SeatStatus, SectionKind
from core.dbtime import db_now
from ops.demo_arena import create_arena

pytestmark = pytest.mark.django_db


def test_the_arena_is_a_standing_floor_and_curved_tiers_with_wheelchair_platforms():
    now = db_now()
    performance = create_arena(starts_at=now + timedelta(days=60), sales_start=now)
    assert performance.seats.count() > 19_000
    floor = performance.sections.get(kind=SectionKind.STANDING)
    assert floor.name == "Floor" and floor.seats.count() == 5_000
    seats = list(
        performance.seats.exclude(section=floor).values("section__name", "row", "x", "y", "status")
    )
    assert len(seats) > 14_000
    assert {seat["status"] for seat in seats} == {SeatStatus.AVAILABLE}
    # Curved: each row's seats are equally far from the stage's centre, the origin.
    radii = defaultdict(set)
    for seat in seats:
        radii[seat["section__name"], seat["row"]].add(round(math.hypot(seat["x"], seat["y"]), 6))
    assert all(len(distances) == 1 for distances in radii.values())
    # Every seat sells: its section prices its ticket type.
    priced = set(performance.sections.values_list("name", "prices__ticket_type__name"))
    sold_as = set(performance.seats.values_list("section__name", "ticket_type__name"))
    assert sold_as <= priced and {"VIP", "Student"} <= {name for _, name in sold_as}
    flags = [seat.flags for seat in LayoutSeat.objects.filter(row="WC")]
    assert flags.count(["wheelchair"]) == flags.count(["companion"]) == 12
