"""Catalog models: events, performances and their seats (performances.py), and the venue
layouts they are made from (layouts.py). Imported from here, as Django expects."""

from catalog.models.layouts import (
    LayoutSeat,
    LayoutSection,
    LayoutSectionPrice,
    LayoutShape,
    ShapeKind,
    VenueLayout,
)
from catalog.models.performances import (
    PLACE_ROW,
    Event,
    Performance,
    Seat,
    SeatStatus,
    Section,
    SectionKind,
    SectionTicketType,
    TicketType,
)

__all__ = [
    "PLACE_ROW",
    "Event",
    "LayoutSeat",
    "LayoutSection",
    "LayoutSectionPrice",
    "LayoutShape",
    "Performance",
    "Seat",
    "SeatStatus",
    "Section",
    "SectionKind",
    "SectionTicketType",
    "ShapeKind",
    "TicketType",
    "VenueLayout",
]
