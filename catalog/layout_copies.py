"""Copying a layout into a performance: a venue layout's (a new performance of its event, or an
empty one filled), or another performance's (the admin's "copy layout").

Both are read into one plain description, a LayoutCopy, and written by one copier: sections,
prices, seats with their flags, companion seats tied to their wheelchair spaces, blocked seats
still blocked (a seat held back for a channel held back for it, catalog/house_seats.py),
standing areas with their places, and the shapes. Seats go through the inventory, the only
writer of seat rows. Nothing of the source's holds or sales is copied, and
later changes to the source touch no seat already on sale.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from catalog import inventory
from catalog.errors import PerformanceHasSeats, SalesEndBeforeStart
from catalog.models import (
    HeldBackSeat,
    LayoutSeat,
    LayoutSectionPrice,
    Performance,
    Seat,
    SeatStatus,
    Section,
    SectionKind,
    SectionTicketType,
    VenueLayout,
)
from catalog.seat_flags import flag_bits
from catalog.services import area_places
from core.dbtime import db_now


@dataclass(frozen=True, slots=True)
class CopiedSection:
    """`key` names the source section (its id); `places` is the number of standing places to
    make, where the source keeps a capacity rather than place rows."""

    key: int
    name: str
    position: int
    kind: str
    outline: Mapping
    prices: Mapping[int, Decimal]
    places: int = 0


@dataclass(frozen=True, slots=True)
class CopiedSeat:
    """`companion_of`: the index, in the copy's seats, of the wheelchair space this companion
    seat belongs to."""

    section: int
    row: str
    number: int
    x: float
    y: float
    ticket_type_id: int
    flag_bits: int
    blocked: bool
    companion_of: int | None
    channel: str | None = None  # held back for this channel (blocked too)


@dataclass(frozen=True)
class LayoutCopy:
    sections: Sequence[CopiedSection]
    seats: Sequence[CopiedSeat]
    shapes: list[dict]


# The columns each source's seats are read with.
_LAYOUT_SEAT = ("section_id", "row", "number", "x", "y", "ticket_type_id", "flags", "blocked",
                "companion_of")  # fmt: skip
_PERFORMANCE_SEAT = ("id", "section_id", "row", "number", "x", "y", "ticket_type_id",
                     "flag_bits", "status", "companion_of_id")  # fmt: skip


def copy_of_layout(layout: VenueLayout) -> LayoutCopy:
    """A venue layout as the copier takes it; a companion link mended by hand in the admin to
    a seat that is not there is left out."""
    sections = _copied_sections(
        layout.sections.all(),
        LayoutSectionPrice.objects.filter(section__layout=layout),
        places=lambda section: section.capacity,  # a layout's area keeps a capacity
    )
    rows = list(
        LayoutSeat.objects.filter(section__layout=layout)
        .order_by("section__position", "id")
        .values_list(*_LAYOUT_SEAT)
    )
    # A layout's companion seat names its wheelchair space by number, in its own row.
    index_of = {(section, row, number): i for i, (section, row, number, *_rest) in enumerate(rows)}
    seats = [
        CopiedSeat(
            section=section,
            row=row,
            number=number,
            x=x,
            y=y,
            ticket_type_id=ticket_type_id,
            flag_bits=flag_bits(flags),
            blocked=blocked,
            companion_of=index_of.get((section, row, space)),
        )
        for section, row, number, x, y, ticket_type_id, flags, blocked, space in rows
    ]
    shapes = [
        {"kind": shape.kind, "geometry": shape.geometry, "text": shape.text}
        for shape in layout.shapes.order_by("id")
    ]
    return LayoutCopy(sections=sections, seats=seats, shapes=shapes)


def copy_of_performance(performance: Performance) -> LayoutCopy:
    """A performance's layout as the copier takes it: its seat rows (a standing area's places
    among them) with their flags and companions, a blocked seat blocked, a seat held back for a
    channel held back for it (catalog/house_seats.py), any other free."""
    sections = _copied_sections(
        performance.sections.all(),
        SectionTicketType.objects.filter(section__performance=performance),
        places=lambda _section: 0,  # a performance's area has its places as seat rows
    )
    rows = list(
        Seat.objects.filter(performance=performance).order_by("id").values_list(*_PERFORMANCE_SEAT)
    )
    index_of = {row[0]: i for i, row in enumerate(rows)}
    channel_of = dict(
        HeldBackSeat.objects.filter(performance=performance).values_list("seat_id", "channel")
    )
    seats = [
        CopiedSeat(
            section=section,
            row=row,
            number=number,
            x=x,
            y=y,
            ticket_type_id=ticket_type_id,
            flag_bits=bits,
            # A channel's seat stays the channel's, whether the desk has sold it here or not.
            blocked=status == SeatStatus.BLOCKED or seat_id in channel_of,
            companion_of=index_of.get(space),
            channel=channel_of.get(seat_id),
        )
        for seat_id, section, row, number, x, y, ticket_type_id, bits, status, space in rows
    ]
    return LayoutCopy(sections=sections, seats=seats, shapes=list(performance.shapes))


def _copied_sections(sections, prices, *, places) -> list[CopiedSection]:
    """`sections` (a layout's or a performance's) with `prices`, their rows of (section,
    ticket type, price); `places(section)` is how many standing places the copy makes."""
    price_of: dict[int, dict[int, Decimal]] = {}
    for section_id, ticket_type_id, price in prices.values_list(
        "section_id", "ticket_type_id", "price"
    ):
        price_of.setdefault(section_id, {})[ticket_type_id] = price
    return [
        CopiedSection(
            key=section.pk,
            name=section.name,
            position=section.position,
            kind=section.kind,
            outline=section.outline,
            prices=price_of.get(section.pk, {}),
            places=places(section) if section.kind == SectionKind.STANDING else 0,
        )
        for section in sections
    ]


def create_performance_from_layout(
    *,
    layout: VenueLayout,
    starts_at: datetime,
    sales_start: datetime,
    sales_end: datetime,
    hold_minutes: int = 10,
    max_seats_per_order: int = 10,
    companions_sell_alone: bool = False,
) -> Performance:
    """A new performance of the layout's event with the layout's sections, prices, seats and
    shapes: every seat available but the layout's blocked ones, which stay blocked (flags
    copied, each companion seat tied to the seat of its wheelchair space); each standing area
    gets its capacity's places, all available."""
    with transaction.atomic():
        return _new_performance(
            event_id=layout.event_id,
            source=copy_of_layout(layout),
            starts_at=starts_at,
            sales_start=sales_start,
            sales_end=sales_end,
            hold_minutes=hold_minutes,
            max_seats_per_order=max_seats_per_order,
            companions_sell_alone=companions_sell_alone,
        )


def copy_performance_layout(
    *, performance: Performance, starts_at: datetime, sales_start: datetime, sales_end: datetime
) -> Performance:
    """A new performance of the same event with the same sections, prices, seats (flags and
    companions too), standing areas, shapes and buying rules: its blocked seats stay blocked
    (issue #18: an organizer's kills are part of the layout), every other seat is available;
    nothing of the original's holds or sales is copied."""
    with transaction.atomic():
        return _new_performance(
            event_id=performance.event_id,
            source=copy_of_performance(performance),
            starts_at=starts_at,
            sales_start=sales_start,
            sales_end=sales_end,
            hold_minutes=performance.hold_minutes,
            max_seats_per_order=performance.max_seats_per_order,
            refuse_single_seat_gaps=performance.refuse_single_seat_gaps,
            companions_sell_alone=performance.companions_sell_alone,
        )


def fill_performance_from_layout(*, performance: Performance, layout: VenueLayout) -> int:
    """Give a performance that has no seats yet the layout's sections, prices and seats, as a
    new performance gets them; refuses (PerformanceHasSeats) one that has any. Sections it
    already has are kept, and take the layout's prices where both price a ticket type.
    Returns the number of seats. Locks the performance's row first, so two fills of one
    performance run one after the other and the second is refused."""
    if layout.event_id != performance.event_id:
        raise ValueError("a layout fills only performances of its own event")
    with transaction.atomic():
        Performance.objects.select_for_update().filter(pk=performance.pk).get()
        if Seat.objects.filter(performance=performance).exists():
            raise PerformanceHasSeats(performance=performance.pk)
        source = copy_of_layout(layout)
        Performance.objects.filter(pk=performance.pk).update(shapes=source.shapes)
        return _copy_layout(source=source, performance=performance)


def _new_performance(
    *,
    event_id: int,
    source: LayoutCopy,
    starts_at: datetime,
    sales_start: datetime,
    sales_end: datetime,
    **rules,
) -> Performance:
    """A new performance of the event with `rules` (hold minutes, seats per order...) and the
    source's layout; the caller's transaction holds the reading and the writing."""
    if sales_end <= sales_start:
        raise SalesEndBeforeStart()
    performance = Performance.objects.create(
        event_id=event_id,
        starts_at=starts_at,
        sales_start=sales_start,
        sales_end=sales_end,
        shapes=source.shapes,
        **rules,
    )
    _copy_layout(source=source, performance=performance)
    return performance


def _copy_layout(*, source: LayoutCopy, performance: Performance) -> int:
    """The one copier: the source's sections, prices, seats and standing places into the
    performance, whose sections of the same names are reused. Returns the number of seats."""
    existing = {section.name: section for section in performance.sections.all()}
    section_of = {}
    for copied in source.sections:
        section = existing.get(copied.name)
        if section is None:
            section = Section.objects.create(
                performance=performance,
                name=copied.name,
                position=copied.position,
                kind=copied.kind,
                outline=copied.outline,
            )
        section_of[copied.key] = section
        for ticket_type_id, price in copied.prices.items():
            SectionTicketType.objects.update_or_create(
                section=section, ticket_type_id=ticket_type_id, defaults={"price": price}
            )
    seats = [
        Seat(
            performance=performance,
            section=section_of[seat.section],
            row=seat.row,
            number=seat.number,
            x=seat.x,
            y=seat.y,
            ticket_type_id=seat.ticket_type_id,
            status=SeatStatus.BLOCKED if seat.blocked else SeatStatus.AVAILABLE,
            flag_bits=seat.flag_bits,
        )
        for seat in source.seats
    ]
    created = inventory.create(
        seats,
        companions=[
            (i, seat.companion_of)
            for i, seat in enumerate(source.seats)
            if seat.companion_of is not None
        ],
    )
    if any(seat.channel for seat in source.seats):
        now = db_now()
        HeldBackSeat.objects.bulk_create(
            HeldBackSeat(seat=new, performance=performance, channel=seat.channel, held_at=now)
            for new, seat in zip(seats, source.seats, strict=True)
            if seat.channel
        )
    for copied in source.sections:  # a standing area kept as a capacity: its places, available
        if copied.places:
            created += inventory.create(
                area_places(
                    performance_id=performance.pk,
                    section=section_of[copied.key],
                    capacity=copied.places,
                    ticket_type_id=next(iter(copied.prices)),  # an area sells one ticket type
                )
            )
    return created
