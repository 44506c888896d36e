"""A venue layout's geometry as pure functions: no database, no Django models.

A row is laid out from its spec (straight or on an arc, spacing, aisle gaps, a numbering
scheme); rows and sections are moved, rotated and duplicated by transforms of placed seats;
`find_problems` refuses what cannot be sold, each problem located (section, row, number) with a
stable code and a translatable message. A companion seat belongs to the wheelchair space whose
number it names (`companion_of`) in its own section and row: named, not guessed from
neighbours, since odd/even numbering and aisles make "next to" ambiguous and a companion seat
between two spaces must belong to one. Coordinates are plain floats in the layout's units
(one seat is SEAT_WIDTH wide unless told otherwise); y grows downwards, as on a screen.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

SEAT_WIDTH = 1.0
SEAT_FLAGS = frozenset({"wheelchair", "companion", "restricted_view", "aisle"})


class Numbering:
    LEFT_TO_RIGHT = "ltr"
    RIGHT_TO_LEFT = "rtl"
    ODD_EVEN_FROM_CENTRE = "odd_even"  # odd to the left of the centre, even to the right
    ALL = (LEFT_TO_RIGHT, RIGHT_TO_LEFT, ODD_EVEN_FROM_CENTRE)


@dataclass(frozen=True)
class Arc:
    """A curved row: seats on the circle of `radius` around (centre_x, centre_y), centred on
    the direction `angle` (degrees from +x, clockwise on a screen: 90 points down), each seat
    the row's spacing (a straight line) from the next."""

    centre_x: float
    centre_y: float
    radius: float
    angle: float = 90.0


@dataclass(frozen=True)
class Gap:
    """An aisle of `width` after the k-th seat of the row, counted from the left."""

    after: int
    width: float


@dataclass(frozen=True)
class RowSpec:
    """One row as an organizer describes it. A straight row starts at (x, y) and runs to +x;
    a curved one follows `arc` (x, y are then ignored). `ticket_type` is whatever the caller
    names ticket types by (an id); None is refused by validation."""

    label: str
    seats: int
    ticket_type: Hashable | None
    x: float = 0.0
    y: float = 0.0
    spacing: float = SEAT_WIDTH
    arc: Arc | None = None
    gaps: Sequence[Gap] = ()
    numbering: str = Numbering.LEFT_TO_RIGHT
    first_number: int = 1
    blocked: frozenset[int] = frozenset()  # seat numbers that are never sold (kills)
    flags: Mapping[int, frozenset[str]] = field(default_factory=dict)  # number -> SEAT_FLAGS
    # companion seat number -> its wheelchair space's number in this row (flags it companion)
    companions: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlacedSeat:
    row: str
    number: int
    x: float
    y: float
    ticket_type: Hashable | None
    blocked: bool = False
    flags: frozenset[str] = frozenset()
    companion_of: int | None = None  # a companion seat's wheelchair space: its number, same row


def row_label(index: int, *, scheme: str = "letters") -> str:
    """The index-th row (1-based): letters A, B, ... Z, AA, AB, ... as halls name rows, or
    the number itself (scheme "numbers")."""
    if scheme == "numbers":
        return str(index)
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def offsets_along_row(seats: int, spacing: float, gaps: Iterable[Gap] = ()) -> list[float]:
    """Each seat's distance from the row's first seat, aisles included (left to right)."""
    extra = defaultdict(float)
    for gap in gaps:
        extra[gap.after] += gap.width
    offsets, position = [], 0.0
    for k in range(1, seats + 1):
        offsets.append(position)
        position += spacing + extra[k]
    return offsets


def seat_numbers(seats: int, scheme: str = Numbering.LEFT_TO_RIGHT, first: int = 1) -> list[int]:
    """The number of each seat, the seats taken left to right."""
    if scheme == Numbering.LEFT_TO_RIGHT:
        return [first + k for k in range(seats)]
    if scheme == Numbering.RIGHT_TO_LEFT:
        return [first + seats - 1 - k for k in range(seats)]
    if scheme == Numbering.ODD_EVEN_FROM_CENTRE:
        left = (seats + 1) // 2  # the middle seat of an odd row is number 1
        numbers = [0] * seats
        for step, position in enumerate(range(left - 1, -1, -1)):
            numbers[position] = first + 2 * step
        for step, position in enumerate(range(left, seats)):
            numbers[position] = first + 1 + 2 * step
        return numbers
    raise ValueError(f"unknown numbering scheme {scheme!r}")


def place_row(spec: RowSpec) -> list[PlacedSeat]:
    """The row's seats where they stand, left to right."""
    offsets = offsets_along_row(spec.seats, spec.spacing, spec.gaps)
    numbers = seat_numbers(spec.seats, spec.numbering, spec.first_number)
    if spec.arc is None:
        points = [(spec.x + offset, spec.y) for offset in offsets]
    else:
        # Spacing is the distance between seat centres, the chord, as on a straight row; the
        # angle falls as seats go left to right on a screen.
        arc, turns = spec.arc, [0.0]
        for before, after in zip(offsets, offsets[1:], strict=False):
            chord = min(after - before, 2 * arc.radius)
            turns.append(turns[-1] + 2 * math.asin(chord / (2 * arc.radius)))
        centre = math.radians(arc.angle) + turns[-1] / 2
        angles = [centre - turn for turn in turns]
        points = [
            (arc.centre_x + arc.radius * math.cos(a), arc.centre_y + arc.radius * math.sin(a))
            for a in angles
        ]
    return [
        PlacedSeat(
            row=spec.label,
            number=number,
            x=x,
            y=y,
            ticket_type=spec.ticket_type,
            blocked=number in spec.blocked,
            flags=frozenset(spec.flags.get(number, ()))
            | ({"companion"} if number in spec.companions else set()),
            companion_of=spec.companions.get(number),
        )
        for (x, y), number in zip(points, numbers, strict=True)
    ]


# Transforms: the same for a row's seats as for a section's.


def translate(seats: Iterable[PlacedSeat], dx: float, dy: float) -> list[PlacedSeat]:
    return [replace(seat, x=seat.x + dx, y=seat.y + dy) for seat in seats]


def rotate(
    seats: Iterable[PlacedSeat], degrees: float, about: tuple[float, float] = (0.0, 0.0)
) -> list[PlacedSeat]:
    """Turned by `degrees` (clockwise on a screen) around the point `about`."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    ax, ay = about
    return [
        replace(
            seat,
            x=ax + (seat.x - ax) * cos - (seat.y - ay) * sin,
            y=ay + (seat.x - ax) * sin + (seat.y - ay) * cos,
        )
        for seat in seats
    ]


def place_section(
    seats: Iterable[PlacedSeat], *, offset_x: float, offset_y: float, rotation: float
) -> list[PlacedSeat]:
    """A section's seats from its own frame to the layout's: rotated about the section's
    origin, then moved to its offset."""
    return translate(rotate(seats, rotation), offset_x, offset_y)


def duplicate(
    seats: Iterable[PlacedSeat], dx: float, dy: float, *, row: str | None = None
) -> list[PlacedSeat]:
    """A copy of seats moved by (dx, dy): a row's, renamed `row`, or a section's as they are."""
    moved = translate(seats, dx, dy)
    return moved if row is None else [replace(seat, row=row) for seat in moved]


def link_companions(seats: Sequence[PlacedSeat]) -> list[PlacedSeat]:
    """A section's seats with each companion seat that names no wheelchair space tied to the
    nearest wheelchair space of its row (ties: the lower number), for plans that cannot say
    which (a pretix or CSV file has no field for it); one with no space in its row is left
    as it is, for validation to refuse."""
    spaces: dict[str, list[PlacedSeat]] = defaultdict(list)
    for seat in seats:
        if "wheelchair" in seat.flags:
            spaces[seat.row].append(seat)
    linked = []
    for seat in seats:
        if "companion" in seat.flags and seat.companion_of is None and spaces[seat.row]:
            nearest = min(
                spaces[seat.row],
                key=lambda s: ((s.x - seat.x) ** 2 + (s.y - seat.y) ** 2, s.number),
            )
            seat = replace(seat, companion_of=nearest.number)
        linked.append(seat)
    return linked


# Validation.

MAX_LAYOUT_SEATS = 100_000
MAX_ROW_LABEL = 10  # LayoutSeat.row and Seat.row hold ten characters


PROBLEM_MESSAGES = {
    "seats_overlap": _(
        "Seat %(row)s-%(number)s of section %(section)s overlaps seat %(other_row)s-"
        "%(other_number)s of section %(other_section)s."
    ),
    "row_spec_invalid": _(
        "Row %(row)s of section %(section)s cannot be laid out: it needs a label of 1 to 10 "
        "characters, at least one seat, a spacing and radius above zero, aisles inside the row "
        "and numbers from 1."
    ),
    "too_many_seats": _("A layout can have at most %(number)s seats."),
    "duplicate_section": _("There are two sections named %(section)s."),
    "duplicate_seat": _("Section %(section)s has seat %(row)s-%(number)s more than once."),
    "seat_without_ticket_type": _(
        "Seat %(row)s-%(number)s of section %(section)s has no ticket type."
    ),
    "ticket_type_not_priced": _(
        "Seat %(row)s-%(number)s of section %(section)s is of a ticket type with no price in "
        "its section."
    ),
    "unknown_seat_flag": _("Seat %(row)s-%(number)s of section %(section)s has an unknown flag."),
    "companion_without_wheelchair": _(
        "Seat %(row)s-%(number)s of section %(section)s is a companion seat, but names no "
        "wheelchair space in its row."
    ),
    "area_invalid": _(
        "Standing area %(section)s needs no seats drawn, a capacity above zero, one ticket type "
        "with a price, and an outline (a rectangle, or a polygon of three points or more)."
    ),
}


@dataclass(frozen=True)
class LayoutProblem:
    code: str
    section: str
    row: str
    number: int
    other: tuple[str, str, int] | None = None  # the seat it clashes with: section, row, number

    @property
    def message(self) -> str:
        values = {"section": self.section, "row": self.row, "number": self.number}
        if self.other is not None:
            values |= dict(
                zip(("other_section", "other_row", "other_number"), self.other, strict=True)
            )
        return str(PROBLEM_MESSAGES[self.code]) % values


def spec_problems(section: str, rows: Sequence[RowSpec]) -> list[LayoutProblem]:
    """What keeps a section's row specs from being laid out at all, each located by row: no
    seats, a spacing, radius or gap that is not a length, a gap outside the row, an unknown
    numbering, a number below 1, a label empty or too long."""
    problems = []
    for spec in rows:
        arc_ok = spec.arc is None or spec.arc.radius > 0
        if not (
            1 <= len(spec.label) <= MAX_ROW_LABEL
            and 1 <= spec.seats <= MAX_LAYOUT_SEATS
            and spec.spacing > 0
            and arc_ok
            and all(1 <= gap.after < spec.seats and gap.width >= 0 for gap in spec.gaps)
            and spec.numbering in Numbering.ALL
            and spec.first_number >= 1
        ):
            problems.append(LayoutProblem("row_spec_invalid", section, spec.label, 0))
    return problems


def find_problems(
    sections: Mapping[str, Sequence[PlacedSeat]],
    *,
    seat_width: float = SEAT_WIDTH,
    priced: Mapping[str, set] | None = None,
) -> list[LayoutProblem]:
    """Everything that keeps the layout (section name -> seats, in layout coordinates) from
    being sold: seats closer than `seat_width`, a row and number twice in a section, a seat
    with no ticket type (or, given `priced`, one not priced in its section), unknown flags, a
    companion seat (or a seat naming a wheelchair space) that names no wheelchair space of its
    own row.
    Overlaps are found through a grid of seat-wide cells, so 20,000 seats take milliseconds."""
    problems: list[LayoutProblem] = []
    for name, seats in sections.items():
        seen: set[tuple[str, int]] = set()
        wheelchairs = {(s.row, s.number) for s in seats if "wheelchair" in s.flags}
        for seat in seats:
            where = (name, seat.row, seat.number)
            if (seat.row, seat.number) in seen:
                problems.append(LayoutProblem("duplicate_seat", *where))
            seen.add((seat.row, seat.number))
            if seat.ticket_type is None:
                problems.append(LayoutProblem("seat_without_ticket_type", *where))
            elif priced is not None and seat.ticket_type not in priced.get(name, set()):
                problems.append(LayoutProblem("ticket_type_not_priced", *where))
            if not seat.flags <= SEAT_FLAGS:
                problems.append(LayoutProblem("unknown_seat_flag", *where))
            if ("companion" in seat.flags or seat.companion_of is not None) and not (
                "companion" in seat.flags
                and "wheelchair" not in seat.flags
                and (seat.row, seat.companion_of) in wheelchairs
            ):
                problems.append(LayoutProblem("companion_without_wheelchair", *where))
    problems += overlaps(sections, seat_width=seat_width)
    return problems


def overlaps(
    sections: Mapping[str, Sequence[PlacedSeat]], *, seat_width: float = SEAT_WIDTH
) -> list[LayoutProblem]:
    """Each pair of seats closer than `seat_width`, once; a spatial hash of cells as wide as a
    seat means each seat is compared only with those in its own and the 8 cells around it."""
    cells: dict[tuple[int, int], list[tuple[str, PlacedSeat]]] = defaultdict(list)
    problems = []
    limit = seat_width * seat_width - 1e-9  # seats exactly a seat's width apart touch: fine
    for name, seats in sections.items():
        for seat in seats:
            cx, cy = math.floor(seat.x / seat_width), math.floor(seat.y / seat_width)
            for nx in (cx - 1, cx, cx + 1):
                for ny in (cy - 1, cy, cy + 1):
                    for other_name, other in cells.get((nx, ny), ()):
                        if (seat.x - other.x) ** 2 + (seat.y - other.y) ** 2 < limit:
                            problems.append(
                                LayoutProblem(
                                    "seats_overlap",
                                    name,
                                    seat.row,
                                    seat.number,
                                    other=(other_name, other.row, other.number),
                                )
                            )
            cells[(cx, cy)].append((name, seat))
    return problems


def outline_points(outline: Mapping) -> list[tuple[float, float]]:
    """The corners of a standing area's outline: {"type": "rect", "x", "y", "width",
    "height"} or {"type": "polygon", "points": [[x, y], ...]}; [] if it is neither."""
    try:
        if outline.get("type") == "rect":
            x, y = float(outline["x"]), float(outline["y"])
            w, h = float(outline["width"]), float(outline["height"])
            if w <= 0 or h <= 0:
                return []
            return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        if outline.get("type") == "polygon":
            points = [(float(px), float(py)) for px, py in outline["points"]]
            return points if len(points) >= 3 else []
    except (KeyError, TypeError, ValueError):
        return []
    return []


def outline_centre(outline: Mapping) -> tuple[float, float]:
    """The middle of the outline's corners (0, 0 for none): where its places sit."""
    points = outline_points(outline)
    if not points:
        return 0.0, 0.0
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def area_problems(
    section: str, *, seats: int, capacity: int, priced: set, outline: Mapping
) -> list[LayoutProblem]:
    """What keeps a standing area from being sold: seats drawn in it, no places, not exactly
    one priced ticket type (its places' ticket type), no outline to draw it by."""
    if seats or capacity < 1 or len(priced) != 1 or not outline_points(outline):
        return [LayoutProblem("area_invalid", section, "", capacity)]
    return []
