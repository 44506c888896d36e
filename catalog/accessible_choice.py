"""Best available for wheelchair users: a pure function of the free seats, with no database
(catalog/best_available.py is the rule for everybody else).

`quantity` counts every seat of the hold, companion seats included: a wheelchair user with one
companion asks for 2. Wheelchair spaces are taken nearest the focal point first, each with as
many of its free companion seats as still fit (the nearest to the space first), until the
hold has `quantity` seats; so 1 is a space alone, and a group of 4 gets the nearest space with
its companions and then the next space. Companion seats of spaces not chosen are never
handed out here. `together`: all the seats are adjacent in one row.
"""

import math
from collections import defaultdict
from collections.abc import Iterable

from catalog.best_available import Choice, FreeSeat, Point
from catalog.seat_flags import WHEELCHAIR


def pick_accessible(seats: Iterable[FreeSeat], *, quantity: int, focus: Point) -> Choice | None:
    """Wheelchair spaces and their companion seats, `quantity` seats in all, nearest the
    focus; None when the free spaces and their free companions are fewer."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    seats = list(seats)
    spaces = sorted(
        (seat for seat in seats if seat.flag_bits & WHEELCHAIR),
        key=lambda s: (math.hypot(s.x - focus.x, s.y - focus.y), s.section_id, s.row, s.number),
    )
    companions_of: dict[int, list[FreeSeat]] = defaultdict(list)
    for seat in seats:
        if seat.companion_of is not None:
            companions_of[seat.companion_of].append(seat)
    chosen: list[FreeSeat] = []
    for space in spaces:
        if len(chosen) == quantity:
            break
        chosen.append(space)
        nearest = sorted(
            companions_of[space.id],
            key=lambda c: (math.hypot(c.x - space.x, c.y - space.y), c.number),
        )
        chosen.extend(nearest[: quantity - len(chosen)])
    if len(chosen) < quantity:
        return None
    return Choice(tuple(sorted(seat.id for seat in chosen)), _adjacent_in_one_row(chosen))


def _adjacent_in_one_row(seats: list[FreeSeat]) -> bool:
    numbers = sorted(seat.number for seat in seats)
    one_row = len({(seat.section_id, seat.row) for seat in seats}) == 1
    return one_row and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
