"""Choosing the best available seats: a pure function of the free seats, with no database.

The rule, in order of preference (README, "Best available"):
1. `quantity` adjacent seats in one row that leave no orphan, nearest the focal point;
2. adjacent seats in one row that leave an orphan, nearest the focal point;
3. the seats split over the fewest rows, the rows nearest the focal point first
   (`together` is False).

Adjacent means consecutive places in the same section and row (catalog/seat_rows.py: where
the seats stand, an aisle or a change of ticket type counting as the row's end; a seat given
without a place is placed by its number), each of them free and of one ticket type: a seat
that is taken, blocked or missing breaks the run. An orphan is a lone free seat that a block
leaves between itself and a seat that is not free (or the row's end); within a maximal run of
free seats that is exactly a block starting at the run's second seat or ending at its
second-to-last (`leaves_orphan`). Only the seats given count as free: the caller passes the
free seats of its filter (ticket type, section), so a free seat of another ticket type counts
as not free; without a filter, a free seat of another ticket type still ends the run, since a
group of the one type could not use it.

The same rule refuses a buyer's own choice that would strand a seat, when the performance
asks for it (`stranded_by_taking`, called by reservations/orphan_rule.py).

The focal point is the centre of the performance's stage, a rectangle among the shapes copied
from its layout; a performance with no stage drawn takes the centre of the front edge of its
seats' bounding box: x halfway between the smallest and largest x, y the smallest y (front
row). A block's distance is that of its
centre, a row's that of its nearest seat; ties go to the lower section, row, number.

`rank_choices` yields every choice in the order of preference, lazily, so that a caller who
finds its first choice taken by another buyer meanwhile tries the next one without reading
the seats again (reservations/best_holds.py hold_best_available).
"""

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class FreeSeat:
    """A free seat, with what choosing needs of it."""

    id: int
    section_id: int
    row: str
    number: int
    x: float
    y: float
    ticket_type_id: int
    place: int | None = None  # catalog/seat_rows.py; None: the number stands for it
    flag_bits: int = 0  # catalog/seat_flags.py
    companion_of: int | None = None  # a companion seat's wheelchair space

    @property
    def position(self) -> int:
        return self.number if self.place is None else self.place


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Choice:
    """Seats to hold, in seat order; `together`: adjacent in one row."""

    seat_ids: tuple[int, ...]
    together: bool


def focal_point(
    *, min_x: float, max_x: float, min_y: float, shapes: Sequence[Mapping] = ()
) -> Point:
    """The centre of the first stage drawn as a rectangle in `shapes` (a performance's copy of
    its layout's shapes); without one, the middle of the seats' front edge."""
    for shape in shapes:
        geometry = shape.get("geometry") or {}
        if shape.get("kind") == "stage" and geometry.get("type") == "rect":
            try:
                x, y = float(geometry["x"]), float(geometry["y"])
                return Point(x + float(geometry["width"]) / 2, y + float(geometry["height"]) / 2)
            except (KeyError, TypeError, ValueError):
                continue  # a stage without a usable size: the next one, or the seats' edge
    return Point((min_x + max_x) / 2, min_y)


def pick_best(seats: Iterable[FreeSeat], *, quantity: int, focus: Point) -> Choice | None:
    """The best choice of `quantity` seats among `seats`, or None when too few are free."""
    return next(rank_choices(seats, quantity=quantity, focus=focus), None)


def rank_choices(seats: Iterable[FreeSeat], *, quantity: int, focus: Point) -> Iterator[Choice]:
    """Every block of `quantity` adjacent seats, those that leave no orphan first, each group
    nearest first; then the one split over the fewest rows. Nothing when too few are free."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    rows = _rows(seats)
    if sum(len(row) for row in rows) < quantity:
        return
    for run, start in _blocks(rows, quantity, focus):
        yield Choice(tuple(seat.id for seat in run[start : start + quantity]), True)
    yield _split(rows, quantity, focus)


def _blocks(rows: list[list[FreeSeat]], quantity: int, focus: Point) -> Iterator[tuple]:
    """(run, start) of every block of `quantity` adjacent seats: those that leave no orphan
    first, each group nearest first."""
    clean: list[tuple] = []
    orphaning: list[tuple] = []
    for row in rows:
        for run in _runs(row):
            for start, distance, orphan in _windows(run, quantity, focus):
                key = (distance, run[0].section_id, run[0].row, run[start].number)
                (orphaning if orphan else clean).append((key, run, start))
    for group in (clean, orphaning):
        group.sort(key=lambda entry: entry[0])
        for _key, run, start in group:
            yield run, start


def free_runs(seats: Iterable[FreeSeat]) -> list[list[FreeSeat]]:
    """The maximal runs of free seats side by side: what a group can sit in together."""
    return [run for row in _rows(seats) for run in _runs(row)]


def _rows(seats: Iterable[FreeSeat]) -> list[list[FreeSeat]]:
    """The seats by section and row, each row in order of place (of number, without one)."""
    ordered = sorted(seats, key=lambda s: (s.section_id, s.row, s.position))
    return [list(row) for _key, row in groupby(ordered, key=lambda s: (s.section_id, s.row))]


def _runs(row: Sequence[FreeSeat]) -> list[list[FreeSeat]]:
    """A row's maximal runs of free seats side by side, of one ticket type."""
    runs: list[list[FreeSeat]] = []
    for seat in row:
        before = runs[-1][-1] if runs else None
        if (
            before is not None
            and seat.position == before.position + 1
            and seat.ticket_type_id == before.ticket_type_id
        ):
            runs[-1].append(seat)
        else:
            runs.append([seat])
    return runs


def _windows(run: Sequence[FreeSeat], quantity: int, focus: Point) -> Iterator[tuple]:
    """(start, distance of the block's centre to the focus, leaves an orphan) of each block of
    `quantity` seats in a run; prefix sums keep it linear in the run's length."""
    length = len(run)
    if length < quantity:
        return
    sum_x = [0.0]
    sum_y = [0.0]
    for seat in run:
        sum_x.append(sum_x[-1] + seat.x)
        sum_y.append(sum_y[-1] + seat.y)
    for start in range(length - quantity + 1):
        end = start + quantity
        centre_x = (sum_x[end] - sum_x[start]) / quantity
        centre_y = (sum_y[end] - sum_y[start]) / quantity
        orphan = leaves_orphan(free_before=start, free_after=length - end)
        yield start, math.hypot(centre_x - focus.x, centre_y - focus.y), orphan


def leaves_orphan(*, free_before: int, free_after: int) -> bool:
    """The orphan rule: a block of seats taken from a run of free seats leaves an orphan when
    exactly one free seat remains between it and the next seat that is not free (or the
    row's end) on either side."""
    return free_before == 1 or free_after == 1


def stranded_by_taking(free: Iterable[FreeSeat], *, taking: Set[int]) -> list[FreeSeat]:
    """The free seats that taking the seats `taking` (among `free`, the seats free before)
    would leave alone: the orphan rule applied to each block of consecutive seats taken, the
    seats between two blocks of one run counting as free on both sides. In seat order."""
    return [seat for run in free_runs(free) for seat in _stranded_in_run(run, taking)]


def _stranded_in_run(run: Sequence[FreeSeat], taking: Set[int]) -> list[FreeSeat]:
    """Walk the run as pieces: free seats left (kept) and blocks taken, alternating."""
    pieces: list[tuple[bool, list[FreeSeat]]] = []  # (taken, seats)
    for seat in run:
        taken = seat.id in taking
        if pieces and pieces[-1][0] == taken:
            pieces[-1][1].append(seat)
        else:
            pieces.append((taken, [seat]))
    stranded: list[FreeSeat] = []
    for index, (taken, _seats) in enumerate(pieces):
        if not taken:
            continue
        before = pieces[index - 1][1] if index > 0 else []
        after = pieces[index + 1][1] if index + 1 < len(pieces) else []
        if not leaves_orphan(free_before=len(before), free_after=len(after)):
            continue
        for piece in (before, after):
            if len(piece) == 1 and piece[0] not in stranded:
                stranded.append(piece[0])
    return stranded


def _distance(seat: FreeSeat, focus: Point) -> float:
    return math.hypot(seat.x - focus.x, seat.y - focus.y)


def _split(rows: list[list[FreeSeat]], quantity: int, focus: Point) -> Choice:
    """The seats over the fewest rows: rows taken nearest first, each only while the rows
    still unconsidered can make up the rest in the rows left; each row gives as many of its
    seats as are still needed, adjacent where it can."""
    ranked = sorted(
        rows, key=lambda row: (min(_distance(s, focus) for s in row), row[0].section_id, row[0].row)
    )
    fewest = _fewest_rows([len(row) for row in rows], quantity)
    chosen: list[FreeSeat] = []
    rows_left = fewest
    for index, row in enumerate(ranked):
        if rows_left == 0 or len(chosen) == quantity:
            break
        need = quantity - len(chosen)
        after = sorted((len(r) for r in ranked[index + 1 :]), reverse=True)
        # Without this row, could rows_left others still hold the rest? If so, it may be
        # skipped; take it only if taking it keeps the fewest count reachable.
        with_it = need - min(len(row), need)
        if with_it > sum(after[: rows_left - 1]):
            continue
        chosen.extend(_seats_of_row(row, min(len(row), need), focus))
        rows_left -= 1
    return Choice(tuple(sorted(seat.id for seat in chosen)), False)


def _fewest_rows(sizes: list[int], quantity: int) -> int:
    total = 0
    for count, size in enumerate(sorted(sizes, reverse=True), start=1):
        total += size
        if total >= quantity:
            return count
    raise ValueError("too few seats")  # rank_choices checked the total first


def _seats_of_row(row: list[FreeSeat], count: int, focus: Point) -> list[FreeSeat]:
    """`count` seats of one row: its best block if one run holds them, else its nearest."""
    for run, start in _blocks([row], count, focus):
        return run[start : start + count]
    return sorted(row, key=lambda s: (_distance(s, focus), s.number))[:count]
