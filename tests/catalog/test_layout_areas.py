"""Standing areas in venue layouts: saved with a capacity and an outline, never with seats,
and made into places for each performance."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.errors import LayoutRefused
from catalog.layout_copies import create_performance_from_layout
from catalog.layout_geometry import PlacedSeat
from catalog.layouts import PlacedSection, save_placed_layout
from catalog.models import PLACE_ROW, Event, LayoutSection, SectionKind, TicketType, VenueLayout
from core.dbtime import db_now

pytestmark = pytest.mark.django_db

FLOOR = {"type": "rect", "x": 0, "y": 10, "width": 30, "height": 12}


@pytest.fixture
def layout():
    event = Event.objects.create(name="Gig", venue="Club")
    TicketType.objects.create(event=event, name="Normal")
    TicketType.objects.create(event=event, name="VIP")
    return VenueLayout.objects.create(event=event, name="Club, standing")


def sections(layout, **floor) -> list[PlacedSection]:
    normal, vip = TicketType.objects.filter(event=layout.event).order_by("id")
    seats = [PlacedSeat("A", n, float(n), 0.0, vip.pk) for n in range(1, 5)]
    area = {
        "name": "Floor",
        "seats": [],
        "prices": {normal.pk: Decimal("25")},
        "kind": SectionKind.STANDING,
        "capacity": 200,
        "outline": FLOOR,
    } | floor
    return [
        PlacedSection(name="Balcony", seats=seats, prices={vip.pk: Decimal("60")}),
        PlacedSection(**area),
    ]


def test_a_performance_from_a_layout_gets_the_areas_places(layout):
    assert save_placed_layout(layout=layout, sections=sections(layout)) == 204
    stored = LayoutSection.objects.get(name="Floor")
    assert (stored.kind, stored.capacity, stored.outline) == ("standing", 200, FLOOR)
    now = db_now()
    performance = create_performance_from_layout(
        layout=layout,
        starts_at=now + timedelta(days=3),
        sales_start=now,
        sales_end=now + timedelta(days=2),
    )
    floor = performance.sections.get(name="Floor")
    assert (floor.kind, floor.outline) == ("standing", FLOOR)
    places = floor.seats.order_by("number")
    assert places.count() == 200
    assert set(places.values_list("row", "status", "ticket_type__name", "x", "y")) == {
        (PLACE_ROW, "available", "Normal", 15.0, 16.0)
    }
    assert list(places.values_list("number", flat=True)) == list(range(1, 201))
    assert performance.sections.get(name="Balcony").seats.count() == 4


@pytest.mark.parametrize(
    "wrong",
    [
        {"capacity": 0},
        {"outline": {}},
        {"outline": {"type": "polygon", "points": [[0, 0], [1, 1]]}},
        {"prices": {}},
        {"seats": [PlacedSeat("A", 1, 50.0, 50.0, None)]},
    ],
)
def test_an_area_that_cannot_be_sold_is_refused_and_located(layout, wrong):
    with pytest.raises(LayoutRefused) as refused:
        save_placed_layout(layout=layout, sections=sections(layout, **wrong))
    problems = refused.value.details["problems"]
    assert [(p.code, p.section) for p in problems] == [("area_invalid", "Floor")]
    assert "Standing area Floor" in problems[0].message
    assert not LayoutSection.objects.exists()  # nothing saved


def test_a_plan_file_imported_into_a_layout_keeps_its_standing_areas(layout):
    """A CSV or pretix plan holds numbered seats only: importing one must not drop the floor."""
    from catalog.plan_import import import_plan
    from catalog.seating_csv import read_csv, write_csv

    save_placed_layout(layout=layout, sections=sections(layout))
    exported = write_csv(layout).replace("Balcony,A,4,4", "Balcony,A,5,4")  # a seat renumbered
    assert import_plan(layout=layout, plan=read_csv(exported, name="club.csv")) == 204
    floor = LayoutSection.objects.get(layout=layout, name="Floor")
    assert (floor.kind, floor.capacity, floor.outline) == ("standing", 200, FLOOR)
    assert floor.prices.get().price == Decimal("25")
    assert sorted(layout.sections.get(name="Balcony").seats.values_list("number", flat=True)) == [
        1, 2, 3, 5
    ]  # fmt: skip
