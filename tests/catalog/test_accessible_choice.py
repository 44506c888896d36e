"""Best available for wheelchair users, as a pure function of the free seats: spaces nearest
the focal point first, each with as many of its companion seats as fit in the quantity."""

import pytest

from catalog.accessible_choice import pick_accessible
from catalog.best_available import FreeSeat, Point
from catalog.seat_flags import COMPANION, WHEELCHAIR

FRONT = Point(5.0, 0.0)


def row(y: float, first_id: int, spaces: dict[int, list[int]]) -> list[FreeSeat]:
    """Ten seats numbered 1..10 at x = number; `spaces` maps a space's number to its
    companions' numbers. Seat ids are first_id + number."""
    companion_of = {c: first_id + s for s, cs in spaces.items() for c in cs}
    return [
        FreeSeat(
            first_id + n,
            1,
            f"R{y:g}",
            n,
            float(n),
            y,
            1,
            flag_bits=WHEELCHAIR if n in spaces else COMPANION if n in companion_of else 0,
            companion_of=companion_of.get(n),
        )  # fmt: skip
        for n in range(1, 11)
    ]


def test_the_space_nearest_the_stage_comes_with_its_companions():
    # The front row's space (seat 1) is 4 from the focus, the back row's (seat 5) only 3.
    seats = row(0, 0, {1: [2]}) + row(3, 100, {5: [4, 6]})
    choice = pick_accessible(seats, quantity=3, focus=FRONT)
    assert choice.seat_ids == (104, 105, 106) and choice.together


def test_the_quantity_counts_companions_and_a_space_alone_is_one_seat():
    seats = row(0, 0, {5: [4, 6]})
    assert pick_accessible(seats, quantity=1, focus=FRONT).seat_ids == (5,)
    two = pick_accessible(seats, quantity=2, focus=FRONT).seat_ids
    assert 5 in two and len(two) == 2


def test_more_seats_than_one_space_has_takes_the_next_space():
    seats = row(0, 0, {5: [6]}) + row(2, 100, {5: [6]})
    choice = pick_accessible(seats, quantity=3, focus=FRONT)
    assert choice.seat_ids == (5, 6, 105) and not choice.together


def test_too_few_spaces_and_companions_is_no_choice_and_ordinary_seats_never_count():
    seats = row(0, 0, {5: [6]})
    assert pick_accessible(seats, quantity=3, focus=FRONT) is None
    assert pick_accessible(row(0, 0, {}), quantity=1, focus=FRONT) is None


def test_a_quantity_below_one_is_a_mistake():
    with pytest.raises(ValueError):
        pick_accessible([], quantity=0, focus=FRONT)
