"""Which seats of a row stand side by side: a pure function of the row's seats, no database.

Best available (catalog/best_available.py) and the hand-picking orphan rule both need a seat's
neighbours. Seat numbers do not give them: a row numbered odd/even from the centre has 3 next
to 1, not to 2, and numbers run on across an aisle. So a row's seats are put in order along
the row by where they stand — projected on the row's main direction (its principal axis), so
that curved rows and rotated sections order as well as straight ones — and each seat gets a
`place`: consecutive places are neighbours. Two seats next to each other in that order are not
neighbours when an aisle lies between them (more than AISLE_FACTOR times the row's usual
spacing, the smallest distance between two seats next to each other in it) or when they are of
different ticket types: a buyer of one ticket type cannot use the other's seat, so for the
orphan rule it ends the row. There the place jumps by 2, as if a seat were missing.

Only all of a row's seats, whatever their status, give its spacing and aisles; a row whose
seats all stand on one point (no positions given) is ordered by number.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

AISLE_FACTOR = 1.5


@dataclass(frozen=True)
class RowSeat:
    """A seat as its row's order needs it."""

    id: int
    section_id: int
    row: str
    number: int
    x: float
    y: float
    ticket_type_id: int


def places_in_rows(seats: Iterable[RowSeat]) -> dict[int, int]:
    """Each seat's place in its row (section, row): neighbours have consecutive places."""
    rows: dict[tuple, list[RowSeat]] = defaultdict(list)
    for seat in seats:
        rows[(seat.section_id, seat.row)].append(seat)
    places: dict[int, int] = {}
    for row in rows.values():
        places.update(_places_in_row(row))
    return places


def _places_in_row(row: Sequence[RowSeat]) -> dict[int, int]:
    ordered = _along_row(row)
    gaps = [math.dist((a.x, a.y), (b.x, b.y)) for a, b in zip(ordered, ordered[1:], strict=False)]
    positive = [gap for gap in gaps if gap > 0]
    spacing = min(positive) if positive else None
    places = {ordered[0].id: 0}
    place = 0
    for before, seat, gap in zip(ordered, ordered[1:], gaps, strict=False):
        aisle = spacing is not None and gap > AISLE_FACTOR * spacing
        place += 2 if aisle or seat.ticket_type_id != before.ticket_type_id else 1
        places[seat.id] = place
    return places


def _along_row(row: Sequence[RowSeat]) -> list[RowSeat]:
    """The row's seats in order along its principal axis (ties, and rows without positions,
    by number)."""
    count = len(row)
    mean_x = sum(s.x for s in row) / count
    mean_y = sum(s.y for s in row) / count
    sxx = sum((s.x - mean_x) ** 2 for s in row)
    syy = sum((s.y - mean_y) ** 2 for s in row)
    sxy = sum((s.x - mean_x) * (s.y - mean_y) for s in row)
    if sxx + syy == 0:
        return sorted(row, key=lambda s: s.number)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    dx, dy = math.cos(angle), math.sin(angle)
    # Rounded so that seats on one line whose coordinates differ by float noise keep their
    # number order rather than the noise's.
    return sorted(row, key=lambda s: (round(s.x * dx + s.y * dy, 6), s.number))
