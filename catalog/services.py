"""Organizer actions on a performance's layout and seats; the seat rows themselves are written
by the inventory (catalog/inventory.py).

Blocking takes seats like holding does (FOR UPDATE SKIP LOCKED): a seat that a buyer is taking
at this moment counts as not free, and nobody waits.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction

from catalog import inventory
from catalog.errors import (
    CompanionWithoutWheelchair,
    InvalidSeats,
    LayoutSizeInvalid,
    RowInTwoRanges,
    RowRangeOutsideRows,
    RowsWithoutTicketType,
    SeatsUnavailable,
    SectionHasSeats,
    TicketTypesWithoutPrice,
)
from catalog.inventory import SeatPlacement
from catalog.layout_geometry import outline_centre
from catalog.layout_geometry import row_label as row_name  # one way to name rows
from catalog.models import (
    PLACE_ROW,
    Performance,
    Seat,
    Section,
    SectionKind,
    SectionTicketType,
    TicketType,
)
from catalog.seat_flags import ALL_BITS, WHEELCHAIR, flag_bits
from core.dbtime import db_now


def block_seats(*, performance_id: int, seat_ids: Sequence[int]) -> int:
    """Take seats off sale, all or nothing; only seats free to hold can be blocked."""
    with transaction.atomic():
        blocked = inventory.block(performance_id=performance_id, seat_ids=seat_ids, now=db_now())
        if len(blocked) != len(set(seat_ids)):
            taken = {change.seat_id for change in blocked}
            _raise_for_missing(performance_id, set(seat_ids) - taken, SeatsUnavailable)
        return len(blocked)


def unblock_seats(*, performance_id: int, seat_ids: Sequence[int]) -> int:
    """Put blocked seats back on sale, all or nothing."""
    with transaction.atomic():
        unblocked = inventory.unblock(performance_id=performance_id, seat_ids=seat_ids)
        if len(unblocked) != len(set(seat_ids)):
            freed = {change.seat_id for change in unblocked}
            _raise_for_missing(performance_id, set(seat_ids) - freed, InvalidSeats)
        return len(unblocked)


def _raise_for_missing(performance_id: int, missing: set[int], otherwise: type) -> None:
    existing = set(
        Seat.objects.filter(performance_id=performance_id, id__in=missing).values_list(
            "id", flat=True
        )
    )
    unknown = missing - existing
    if unknown:
        raise InvalidSeats(seats=sorted(unknown))
    raise otherwise(seats=sorted(missing))


MAX_SECTION_SEATS = 50_000


@dataclass(frozen=True)
class RowRange:
    """Rows first..last (1-based, inclusive) of a section sell as one ticket type."""

    first: int
    last: int
    ticket_type: TicketType


def generate_section_seats(
    *,
    section: Section,
    rows: int,
    seats_per_row: int,
    row_ranges: Sequence[RowRange],
    origin_x: float = 0,
    origin_y: float = 0,
    spacing: float = 1,
) -> int:
    """Lay out rows x seats_per_row seats on a grid; rows are named A, B, ... Z, AA, AB, ...

    Every row must fall in exactly one range, and each range's ticket type must have a price
    in this section, so that every generated seat can be sold.
    """
    if rows < 1 or seats_per_row < 1 or rows * seats_per_row > MAX_SECTION_SEATS or spacing <= 0:
        raise LayoutSizeInvalid(max_seats=MAX_SECTION_SEATS)
    if section.seats.exists():
        raise SectionHasSeats()
    ticket_type_of_row: dict[int, TicketType] = {}
    for row_range in row_ranges:
        if not 1 <= row_range.first <= row_range.last <= rows:
            raise RowRangeOutsideRows(first=row_range.first, last=row_range.last, rows=rows)
        for row in range(row_range.first, row_range.last + 1):
            if row in ticket_type_of_row:
                raise RowInTwoRanges(row=row)
            ticket_type_of_row[row] = row_range.ticket_type
    if len(ticket_type_of_row) != rows:
        raise RowsWithoutTicketType(row=min(set(range(1, rows + 1)) - set(ticket_type_of_row)))
    priced = set(
        SectionTicketType.objects.filter(section=section).values_list("ticket_type_id", flat=True)
    )
    unpriced = {t.name for t in ticket_type_of_row.values() if t.pk not in priced}
    if unpriced:
        raise TicketTypesWithoutPrice(ticket_types=sorted(unpriced))
    seats = [
        Seat(
            performance_id=section.performance_id,
            section=section,
            row=row_name(row),
            number=number,
            x=origin_x + (number - 1) * spacing,
            y=origin_y + (row - 1) * spacing,
            ticket_type=ticket_type_of_row[row],
        )
        for row in range(1, rows + 1)
        for number in range(1, seats_per_row + 1)
    ]
    with transaction.atomic():
        return inventory.create(seats)


def edit_seat_layout(
    *,
    seat_id: int,
    placement: SeatPlacement,
    flags: Collection[str] | None = None,
    companion_of_id: int | None = None,
) -> None:
    """Move or relabel one seat, or sell it as another ticket type (which must have a price in
    its section, checked by the form); given `flags`, set its flags and wheelchair space too
    (check_seat_flags). Its status is not touched."""
    with transaction.atomic():
        bits = None
        if flags is not None:
            check_seat_flags(seat_id=seat_id, flags=flags, companion_of_id=companion_of_id)
            bits = flag_bits(flags)
        inventory.edit_layout(
            seat_id=seat_id, placement=placement, flag_bits=bits, companion_of_id=companion_of_id
        )


def check_seat_flags(*, seat_id: int, flags: Collection[str], companion_of_id: int | None) -> None:
    """A companion seat (and only one) names a wheelchair space, another seat of its own
    performance; a wheelchair space with companion seats stays one. CompanionWithoutWheelchair
    otherwise."""
    seat = Seat.objects.get(pk=seat_id)
    is_companion = "companion" in flags
    if is_companion != (companion_of_id is not None):
        raise CompanionWithoutWheelchair()
    spaces = Seat.objects.filter(
        performance_id=seat.performance_id, flag_bits__in=_WHEELCHAIR_BITS
    ).exclude(pk=seat_id)
    if is_companion and not spaces.filter(pk=companion_of_id).exists():
        raise CompanionWithoutWheelchair()
    if "wheelchair" not in flags and Seat.objects.filter(companion_of_id=seat_id).exists():
        raise CompanionWithoutWheelchair()


# Every flag_bits value with the wheelchair bit: a plain IN that the ORM writes alike on
# PostgreSQL and SQLite.
_WHEELCHAIR_BITS = [bits for bits in range(ALL_BITS + 1) if bits & WHEELCHAIR]


def area_places(
    *, performance_id: int, section: Section, capacity: int, ticket_type_id: int
) -> list[Seat]:
    """A standing area's places, not yet saved: seat rows PLACE_ROW 1..capacity, available,
    all at the middle of the area's outline (they are never drawn one by one)."""
    x, y = outline_centre(section.outline)
    return [
        Seat(
            performance_id=performance_id,
            section=section,
            row=PLACE_ROW,
            number=number,
            x=x,
            y=y,
            ticket_type_id=ticket_type_id,
        )
        for number in range(1, capacity + 1)
    ]


def create_standing_area(
    *,
    performance: Performance,
    name: str,
    capacity: int,
    ticket_type: TicketType,
    price,
    outline: dict,
    position: int = 0,
) -> Section:
    """A standing (general-admission) area of `capacity` places of one ticket type at
    `price`, drawn as `outline` (e.g. {"type": "rect", "x": 0, "y": 0, "width": 20,
    "height": 8}) on the map."""
    if capacity < 1:
        raise LayoutSizeInvalid(max_seats=capacity)
    with transaction.atomic():
        section = Section.objects.create(
            performance=performance,
            name=name,
            position=position,
            kind=SectionKind.STANDING,
            outline=outline,
        )
        SectionTicketType.objects.create(section=section, ticket_type=ticket_type, price=price)
        inventory.create(
            area_places(
                performance_id=performance.pk,
                section=section,
                capacity=capacity,
                ticket_type_id=ticket_type.pk,
            )
        )
    return section
