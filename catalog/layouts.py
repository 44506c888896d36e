"""Venue layouts: drawn once from row specs, then copied into as many performances as needed.

A layout is replaced as a whole: its specs are laid out (catalog/layout_geometry.py) and
validated together, and only a layout with no problem replaces the old one, in one transaction.
Performances are made from a layout by catalog/layout_copies.py, so changing the layout
afterwards never touches a seat already on sale. Sections keep their places in the hall: seats
carry layout coordinates.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from catalog.errors import (
    LayoutChangedElsewhere,
    LayoutRefused,
)
from catalog.layout_geometry import (
    MAX_LAYOUT_SEATS,
    SEAT_WIDTH,
    LayoutProblem,
    PlacedSeat,
    RowSpec,
    area_problems,
    find_problems,
    place_row,
    place_section,
    spec_problems,
)
from catalog.models import (
    LayoutSeat,
    LayoutSection,
    LayoutSectionPrice,
    LayoutShape,
    SectionKind,
    VenueLayout,
)


@dataclass(frozen=True)
class SectionSpec:
    """A section of a layout: its rows in its own frame, placed at (offset_x, offset_y) and
    turned by `rotation` degrees; `prices` maps ticket type ids to prices."""

    name: str
    rows: Sequence[RowSpec]
    prices: Mapping[int, Decimal]
    offset_x: float = 0.0
    offset_y: float = 0.0
    rotation: float = 0.0


@dataclass(frozen=True)
class ShapeSpec:
    kind: str
    geometry: Mapping = field(default_factory=dict)
    text: str = ""


def lay_out(sections: Sequence[SectionSpec]) -> dict[str, list[PlacedSeat]]:
    """Each section's seats in layout coordinates."""
    return {
        spec.name: place_section(
            [seat for row in spec.rows for seat in place_row(row)],
            offset_x=spec.offset_x,
            offset_y=spec.offset_y,
            rotation=spec.rotation,
        )
        for spec in sections
    }


@dataclass(frozen=True)
class PlacedSection:
    """A section whose seats are already placed in layout coordinates (drawn in the designer
    or read from an imported plan); `prices` maps ticket type ids to prices."""

    name: str
    seats: Sequence[PlacedSeat]
    prices: Mapping[int, Decimal]
    offset_x: float = 0.0
    offset_y: float = 0.0
    rotation: float = 0.0
    # A standing area (kind "standing"): no seats, `capacity` places of its one priced ticket
    # type, drawn as `outline` (a LayoutShape geometry: rect or polygon).
    kind: str = SectionKind.SEATED
    capacity: int = 0
    outline: Mapping = field(default_factory=dict)


def replace_layout(
    *,
    layout: VenueLayout,
    sections: Sequence[SectionSpec],
    shapes: Sequence[ShapeSpec] = (),
    seat_width: float = SEAT_WIDTH,
) -> int:
    """Replace the layout's sections, seats and shapes with those laid out from the row specs,
    all or nothing; refuses (LayoutRefused, every problem listed) a layout that cannot be
    sold. Returns the number of seats."""
    problems = [problem for spec in sections for problem in spec_problems(spec.name, spec.rows)]
    if sum(row.seats for spec in sections for row in spec.rows) > MAX_LAYOUT_SEATS:
        problems.append(LayoutProblem("too_many_seats", "", "", MAX_LAYOUT_SEATS))
    if problems:  # rows that cannot be laid out are not laid out
        _refuse(problems)
    placed = lay_out(sections)
    return save_placed_layout(
        layout=layout,
        sections=[
            PlacedSection(
                name=spec.name,
                seats=placed[spec.name],
                prices=spec.prices,
                offset_x=spec.offset_x,
                offset_y=spec.offset_y,
                rotation=spec.rotation,
            )
            for spec in sections
        ],
        shapes=shapes,
        seat_width=seat_width,
    )


def save_placed_layout(
    *,
    layout: VenueLayout,
    sections: Sequence[PlacedSection],
    shapes: Sequence[ShapeSpec] = (),
    seat_width: float = SEAT_WIDTH,
    expected_revision: int | None = None,
) -> int:
    """Replace the layout's sections, seats and shapes with these placed ones, all or nothing:
    the one writer of a layout, whatever drew it. Refuses (LayoutRefused, every problem
    listed) overlapping seats, a row and number twice in a section, seats with no ticket type
    or one unpriced in their section; and, given the revision the caller read, a layout saved
    since (LayoutChangedElsewhere). Raises the layout's revision. Returns the number of
    seats."""
    _check_placed_layout(layout, sections, seat_width=seat_width)
    with transaction.atomic():
        # Saves of one layout take turns: without the lock, two at once each delete the old
        # sections and both insert theirs (a unique-name error, or a mix of the two).
        revision = (
            VenueLayout.objects.select_for_update()
            .values_list("revision", flat=True)
            .get(pk=layout.pk)
        )
        if expected_revision is not None and expected_revision != revision:
            raise LayoutChangedElsewhere()
        VenueLayout.objects.filter(pk=layout.pk).update(revision=revision + 1)
        layout.revision = revision + 1
        layout.sections.all().delete()
        layout.shapes.all().delete()
        for position, spec in enumerate(sections):
            _write_section(layout, spec, position=position)
        LayoutShape.objects.bulk_create(
            LayoutShape(layout=layout, kind=s.kind, geometry=dict(s.geometry), text=s.text)
            for s in shapes
        )
    return sum(len(section.seats) + section.capacity for section in sections)


def _check_placed_layout(
    layout: VenueLayout, sections: Sequence[PlacedSection], *, seat_width: float
) -> None:
    """Refuse, all problems listed, what save_placed_layout must not write: first what makes
    the rest meaningless (a name twice, too many seats), then every seat and area problem."""
    names = [section.name for section in sections]
    problems = [
        LayoutProblem("duplicate_section", name, "", 0)
        for name in sorted({name for name in names if names.count(name) > 1})
    ]
    if sum(len(section.seats) + section.capacity for section in sections) > MAX_LAYOUT_SEATS:
        problems.append(LayoutProblem("too_many_seats", "", "", MAX_LAYOUT_SEATS))
    if problems:
        _refuse(problems)
    event_types = set(layout.event.ticket_types.values_list("id", flat=True))
    priced = {section.name: set(section.prices) & event_types for section in sections}
    placed = {s.name: s.seats for s in sections if s.kind != SectionKind.STANDING}
    problems = find_problems(placed, seat_width=seat_width, priced=priced)
    for s in sections:
        if s.kind == SectionKind.STANDING:
            problems += area_problems(
                s.name,
                seats=len(s.seats),
                capacity=s.capacity,
                priced=priced[s.name],
                outline=s.outline,
            )
        elif s.kind != SectionKind.SEATED or s.capacity:
            problems.append(LayoutProblem("area_invalid", s.name, "", s.capacity))
    if problems:
        _refuse(problems)


def _write_section(layout: VenueLayout, spec: PlacedSection, *, position: int) -> None:
    section = LayoutSection.objects.create(
        layout=layout,
        name=spec.name,
        position=position,
        offset_x=spec.offset_x,
        offset_y=spec.offset_y,
        rotation=spec.rotation,
        kind=spec.kind,
        capacity=spec.capacity,
        outline=dict(spec.outline),
    )
    LayoutSectionPrice.objects.bulk_create(
        LayoutSectionPrice(section=section, ticket_type_id=type_id, price=price)
        for type_id, price in spec.prices.items()
    )
    LayoutSeat.objects.bulk_create(
        (
            LayoutSeat(
                section=section,
                row=seat.row,
                number=seat.number,
                x=seat.x,
                y=seat.y,
                ticket_type_id=seat.ticket_type,
                blocked=seat.blocked,
                flags=sorted(seat.flags),
                companion_of=seat.companion_of,
            )
            for seat in spec.seats
        ),
        batch_size=2000,
    )


def _refuse(problems: list[LayoutProblem]):
    raise LayoutRefused(count=len(problems), first=problems[0].message, problems=problems)


def standing_areas_of(layout: VenueLayout) -> list[PlacedSection]:
    """The layout's standing areas as save_placed_layout takes them back."""
    return [
        PlacedSection(
            name=section.name,
            seats=[],
            prices={price.ticket_type_id: price.price for price in section.prices.all()},
            kind=SectionKind.STANDING,
            capacity=section.capacity,
            outline=section.outline,
        )
        for section in layout.sections.filter(kind=SectionKind.STANDING).order_by("position")
    ]
