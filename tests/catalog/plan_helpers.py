"""A hall with everything a plan file must carry (straight and curved rows, an aisle, blocked
seats, flags, a rotated section, shapes), and the layout read back as plain values."""

from decimal import Decimal

import pytest

from catalog.layout_geometry import Arc, Gap, RowSpec
from catalog.layouts import SectionSpec, ShapeSpec, replace_layout
from catalog.models import (
    Event,
    LayoutSeat,
    LayoutSection,
    LayoutSectionPrice,
    LayoutShape,
    Performance,
    Seat,
    SectionTicketType,
    TicketType,
    VenueLayout,
)

SHAPES = [
    ShapeSpec("stage", {"type": "rect", "x": 2, "y": 1, "width": 12, "height": 3}, "Stage"),
    ShapeSpec("label", {"type": "text", "x": 20, "y": 30, "size": 0.75, "rotation": -5}, "Balcony"),
    ShapeSpec("decoration", {"type": "circle", "x": 1, "y": 6, "radius": 1}),
    ShapeSpec(
        "decoration",
        {"type": "polygon", "points": [[30, 0], [34, 0], [32, 3]], "rotation": 15},
        "Bar",
    ),
]


@pytest.fixture
def event():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    for name in ("Normal", "Student"):
        TicketType.objects.create(event=event, name=name)
    return event


def ticket_types(event) -> tuple[TicketType, TicketType]:
    return tuple(TicketType.objects.filter(event=event).order_by("name"))


@pytest.fixture
def full_hall(event):
    normal, student = ticket_types(event)
    layout = VenueLayout.objects.create(event=event, name="Grand hall, full")
    stalls = SectionSpec(
        name="Stalls",
        prices={normal.pk: Decimal("40"), student.pk: Decimal("20")},
        offset_x=4,
        offset_y=8,
        rows=[
            RowSpec("A", 10, normal.pk, gaps=[Gap(5, 2)], blocked=frozenset({1, 10})),
            RowSpec(
                "B",
                10,
                student.pk,
                y=1.5,
                flags={1: frozenset({"wheelchair", "aisle"}), 2: frozenset({"companion"})},
                companions={2: 1},  # a companion seat names its wheelchair space
            ),
        ],
    )
    balcony = SectionSpec(
        name="Balcony",
        prices={normal.pk: Decimal("25")},
        offset_x=8,
        offset_y=30,
        rotation=10,
        rows=[
            RowSpec(
                "AA",
                8,
                normal.pk,
                arc=Arc(0, -12, 12),
                numbering="odd_even",
                flags={3: frozenset({"restricted_view"})},
            )
        ],
    )
    replace_layout(layout=layout, sections=[stalls, balcony], shapes=SHAPES)
    return layout


def seats_of(layout) -> dict:
    """(section, row, number) -> (x, y, ticket type, blocked, flags)."""
    return {
        (s.section.name, s.row, s.number): (s.x, s.y, s.ticket_type.name, s.blocked, s.flags)
        for s in LayoutSeat.objects.filter(section__layout=layout).select_related(
            "section", "ticket_type"
        )
    }


def prices_of(layout) -> set:
    return {
        (p.section.name, p.ticket_type.name, p.price)
        for p in LayoutSectionPrice.objects.filter(section__layout=layout).select_related(
            "section", "ticket_type"
        )
    }


def shapes_of(layout) -> list:
    return [(s.kind, s.geometry, s.text) for s in layout.shapes.order_by("id")]


def database_state() -> dict:
    """Everything an import could write, to show that a refused one wrote nothing."""
    return {
        model.__name__: sorted(model.objects.values_list("id", flat=True))
        for model in (
            VenueLayout,
            LayoutSection,
            LayoutSectionPrice,
            LayoutSeat,
            LayoutShape,
            Performance,
            Seat,
            SectionTicketType,
        )
    } | {"seats": seats_of_all()}


def seats_of_all() -> list:
    return sorted(LayoutSeat.objects.values_list("id", "section_id", "row", "number", "x", "y"))
