"""Catalog models: events, performances and their seats (performances.py), and the venue
layouts they are made from (layouts.py), and the seats held back for channels
(house_seats.py). Imported from here, as Django expects."""

from catalog.models.house_seats import HeldBackSeat
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
    "HeldBackSeat",
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
