"""A small hall with accessible seats, made as an organizer makes one: a venue layout from row
specs, then a performance from the layout."""

from datetime import timedelta
from decimal import Decimal

from catalog.layout_copies import create_performance_from_layout
from catalog.layout_geometry import RowSpec
from catalog.layouts import SectionSpec, replace_layout
from catalog.models import Event, Performance, TicketType, VenueLayout
from catalog.publishing import publish_performance
from core.dbtime import db_now


def accessible_layout() -> VenueLayout:
    """Stalls, row A (front, 8 seats): wheelchair spaces A-3 (companions A-2 and A-4) and A-7
    (companion A-8); row B (8 seats): B-1 on the aisle, B-5 with a restricted view; a second
    section, Balcony, of 8 ordinary seats farther back."""
    event = Event.objects.create(name="Accessible concert", venue="Hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    layout = VenueLayout.objects.create(event=event, name="Hall")
    price = {normal.pk: Decimal("20")}
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls",
                prices=price,
                rows=[
                    RowSpec(
                        label="A",
                        seats=8,
                        ticket_type=normal.pk,
                        flags={3: frozenset({"wheelchair"}), 7: frozenset({"wheelchair"})},
                        companions={2: 3, 4: 3, 8: 7},
                    ),
                    RowSpec(
                        label="B",
                        seats=8,
                        ticket_type=normal.pk,
                        y=1.5,
                        flags={1: frozenset({"aisle"}), 5: frozenset({"restricted_view"})},
                    ),
                ],
            ),
            SectionSpec(
                name="Balcony",
                prices=price,
                offset_y=10,
                rows=[RowSpec(label="A", seats=8, ticket_type=normal.pk)],
            ),
        ],
    )
    return layout


def accessible_performance(*, companions_sell_alone: bool = False, **terms) -> Performance:
    """A published performance of accessible_layout()."""
    now = db_now()
    performance = create_performance_from_layout(
        layout=accessible_layout(),
        starts_at=now + timedelta(days=10),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=9),
        companions_sell_alone=companions_sell_alone,
        **terms,
    )
    publish_performance(performance_id=performance.pk)
    return performance


def seat_id(performance: Performance, place: str, section: str = "Stalls") -> int:
    """The id of a seat named like "A-3"."""
    row, number = place.split("-")
    return performance.seats.get(section__name=section, row=row, number=int(number)).pk
