"""Venue layouts: built from row specs all or nothing, copied into performances through the
inventory, and never reaching back into a performance already on sale."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog import inventory
from catalog.errors import LayoutRefused
from catalog.layout_copies import create_performance_from_layout
from catalog.layout_geometry import Arc, Gap, PlacedSeat, RowSpec, row_label
from catalog.layouts import (
    PlacedSection,
    SectionSpec,
    ShapeSpec,
    replace_layout,
    save_placed_layout,
)
from catalog.models import (
    Event,
    LayoutSeat,
    Seat,
    SeatStatus,
    SectionTicketType,
    TicketType,
    VenueLayout,
)
from catalog.publishing import publish_performance
from core.dbtime import db_now
from reservations.services import hold_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    TicketType.objects.create(event=event, name="Normal")
    TicketType.objects.create(event=event, name="Student")
    return VenueLayout.objects.create(event=event, name="Grand hall, full")


def types(layout):
    return list(TicketType.objects.filter(event=layout.event).order_by("id"))


def hall(layout, *, blocked=frozenset()) -> list[SectionSpec]:
    """Stalls: two straight rows of 10 with an aisle; a curved balcony, turned and moved
    away so that its seats never meet the stalls'."""
    normal, student = types(layout)
    stalls = SectionSpec(
        name="Stalls",
        prices={normal.pk: Decimal("40"), student.pk: Decimal("20")},
        rows=[
            RowSpec(label="A", seats=10, ticket_type=normal.pk, gaps=[Gap(5, 2)], blocked=blocked),
            RowSpec(
                label="B",
                seats=10,
                ticket_type=student.pk,
                y=1.5,
                flags={1: frozenset({"wheelchair", "aisle"})},
            ),
        ],
    )
    balcony = SectionSpec(
        name="Balcony",
        prices={normal.pk: Decimal("25")},
        offset_x=0,
        offset_y=30,
        rotation=10,
        rows=[RowSpec(label="A", seats=8, ticket_type=normal.pk, arc=Arc(6, -10, 12))],
    )
    return [stalls, balcony]


def make_performance_of(layout, *, days=10):
    now = db_now()
    return create_performance_from_layout(
        layout=layout,
        starts_at=now + timedelta(days=days),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=days - 1),
    )


def test_a_layout_is_built_from_row_specs(layout):
    stage = ShapeSpec(kind="stage", geometry={"type": "rect", "width": 20}, text="Stage")
    assert replace_layout(layout=layout, sections=hall(layout), shapes=[stage]) == 28
    assert LayoutSeat.objects.filter(section__layout=layout).count() == 28
    a6 = LayoutSeat.objects.get(section__name="Stalls", row="A", number=6)
    assert (a6.x, a6.y) == (7, 0)  # five seats, then the aisle of 2
    assert layout.shapes.get().text == "Stage"
    b1 = LayoutSeat.objects.get(section__name="Stalls", row="B", number=1)
    assert b1.flags == ["aisle", "wheelchair"]


def test_a_performance_from_a_layout_copies_its_sections_prices_and_seats(layout):
    replace_layout(layout=layout, sections=hall(layout))
    performance = make_performance_of(layout)
    assert performance.event_id == layout.event_id
    assert list(performance.sections.values_list("name", flat=True)) == ["Stalls", "Balcony"]
    prices = SectionTicketType.objects.filter(section__performance=performance)
    assert sorted((p.section.name, p.ticket_type.name, p.price) for p in prices) == [
        ("Balcony", "Normal", Decimal("25")),
        ("Stalls", "Normal", Decimal("40")),
        ("Stalls", "Student", Decimal("20")),
    ]
    copied = {
        (s.section.name, s.row, s.number): (s.x, s.y, s.ticket_type_id, s.status)
        for s in performance.seats.select_related("section")
    }
    drawn = {
        (s.section.name, s.row, s.number): (s.x, s.y, s.ticket_type_id, SeatStatus.AVAILABLE)
        for s in LayoutSeat.objects.filter(section__layout=layout).select_related("section")
    }
    assert copied == drawn and len(copied) == 28
    assert performance.published_at is None  # a draft until its organizer publishes it
    publish_performance(performance_id=performance.pk)
    seat = performance.seats.get(section__name="Balcony", number=1)
    hold_seats(performance_id=performance.pk, seat_ids=[seat.pk])  # on sale at its price
    assert Seat.objects.get(pk=seat.pk).status == SeatStatus.RESERVED


def test_a_layouts_blocked_seats_stay_blocked_in_its_performances(layout):
    replace_layout(layout=layout, sections=hall(layout, blocked=frozenset({1, 10})))
    performance = make_performance_of(layout)
    blocked = performance.seats.filter(status=SeatStatus.BLOCKED)
    assert sorted((s.section.name, s.row, s.number) for s in blocked) == [
        ("Stalls", "A", 1),
        ("Stalls", "A", 10),
    ]
    assert performance.seats.filter(status=SeatStatus.AVAILABLE).count() == 26


def test_changing_a_layout_afterwards_does_not_touch_a_performance_on_sale(layout):
    replace_layout(layout=layout, sections=hall(layout))
    performance = make_performance_of(layout)
    before = list(performance.seats.order_by("id").values_list("id", "row", "number", "x", "y"))
    normal, _ = types(layout)
    moved = SectionSpec(
        name="Stalls",
        prices={normal.pk: Decimal("99")},
        offset_x=50,
        rows=[RowSpec(label="Z", seats=3, ticket_type=normal.pk)],
    )
    replace_layout(layout=layout, sections=[moved])
    after = list(performance.seats.order_by("id").values_list("id", "row", "number", "x", "y"))
    assert after == before
    assert set(SectionTicketType.objects.filter(section__performance=performance).values_list(
        "price", flat=True
    )) == {Decimal("40"), Decimal("20"), Decimal("25")}  # fmt: skip
    assert make_performance_of(layout, days=20).seats.count() == 3


FAULTS = ["overlap", "duplicate", "no_ticket_type", "unpriced", "twice", "bad_row"]


@pytest.mark.parametrize("fault", FAULTS)
def test_invalid_specs_change_nothing(layout, fault):
    replace_layout(layout=layout, sections=hall(layout))
    before = list(LayoutSeat.objects.order_by("id").values_list("id", "x", "y"))
    stalls, balcony = hall(layout)
    normal, student = types(layout)
    row = {
        "overlap": RowSpec(label="C", seats=3, ticket_type=normal.pk, y=1.9),
        "duplicate": RowSpec(label="A", seats=3, ticket_type=normal.pk, y=5),
        "no_ticket_type": RowSpec(label="C", seats=3, ticket_type=None, y=5),
        "unpriced": RowSpec(label="C", seats=3, ticket_type=student.pk, y=5),
        "twice": RowSpec(label="C", seats=3, ticket_type=normal.pk, y=5),
        "bad_row": RowSpec(label="C", seats=3, ticket_type=normal.pk, y=5, spacing=-1),
    }[fault]
    sections = [SectionSpec(name="Stalls", prices=stalls.prices, rows=[*stalls.rows, row])]
    sections.append(SectionSpec(name="Stalls", prices={}, rows=[]) if fault == "twice" else balcony)
    if fault == "unpriced":
        sections[0] = SectionSpec(name="Stalls", prices={normal.pk: 1}, rows=[row])
    with pytest.raises(LayoutRefused) as refused:
        replace_layout(layout=layout, sections=sections)
    expected = {
        "overlap": {"seats_overlap"},
        "duplicate": {"duplicate_seat"},
        "no_ticket_type": {"seat_without_ticket_type"},
        "unpriced": {"ticket_type_not_priced"},
        "twice": {"duplicate_section"},
        "bad_row": {"row_spec_invalid"},
    }
    assert {p.code for p in refused.value.details["problems"]} == expected[fault]
    assert list(LayoutSeat.objects.order_by("id").values_list("id", "x", "y")) == before


def test_a_ticket_type_of_another_event_is_not_priced_in_a_layout(layout):
    stranger = TicketType.objects.create(event=Event.objects.create(name="Other"), name="VIP")
    spec = SectionSpec(
        name="Box", prices={stranger.pk: 5}, rows=[RowSpec("A", 2, ticket_type=stranger.pk)]
    )
    with pytest.raises(LayoutRefused):
        replace_layout(layout=layout, sections=[spec])
    assert not Seat.objects.exists() and not LayoutSeat.objects.exists()


def test_a_layout_of_more_seats_than_a_hall_can_have_is_refused_before_it_is_laid_out(layout):
    normal, _ = types(layout)
    rows = [RowSpec(row_label(i), 1_000, ticket_type=normal.pk, y=i) for i in range(1, 102)]
    spec = SectionSpec(name="Arena", prices={normal.pk: 1}, rows=rows)
    with pytest.raises(LayoutRefused) as refused:
        replace_layout(layout=layout, sections=[spec])
    assert [p.code for p in refused.value.details["problems"]] == ["too_many_seats"]


def test_the_inventory_creates_new_seats_only_available_or_blocked(layout):
    replace_layout(layout=layout, sections=hall(layout))
    performance = make_performance_of(layout)
    seat = performance.seats.first()
    sold = Seat(
        performance=performance,
        section=seat.section,
        row="Q",
        number=1,
        ticket_type_id=seat.ticket_type_id,
        status=SeatStatus.SOLD,
    )
    with pytest.raises(ValueError):
        inventory.create([sold])


def test_placed_seats_are_saved_and_refused_like_drawn_rows(layout):
    """The designer and the importers hand over seats already placed: the same checks apply."""
    normal, _ = types(layout)
    prices = {normal.pk: Decimal("30")}
    seats = [PlacedSeat(row="A", number=n, x=n * 1.2, y=0, ticket_type=normal.pk) for n in (1, 2)]
    assert save_placed_layout(layout=layout, sections=[PlacedSection("Floor", seats, prices)]) == 2
    clash = [*seats, PlacedSeat(row="B", number=1, x=1.3, y=0.2, ticket_type=normal.pk)]
    with pytest.raises(LayoutRefused) as refused:
        save_placed_layout(layout=layout, sections=[PlacedSection("Floor", clash, prices)])
    assert [problem.code for problem in refused.value.details["problems"]] == ["seats_overlap"]
    assert LayoutSeat.objects.filter(section__layout=layout).count() == 2  # nothing changed
