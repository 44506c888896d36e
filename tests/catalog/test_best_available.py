"""Choosing the best available seats: the pure picker (catalog/best_available.py) and the
selector that reads the free seats it chooses from."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.best_available import (
    Choice,
    FreeSeat,
    Point,
    pick_best,
    rank_choices,
    stranded_by_taking,
)
from catalog.free_seat_reads import free_seats_to_choose
from catalog.models import Seat, TicketType
from core.dbtime import db_now
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids


def row(name: str, numbers, *, y: float, section: int = 1, first_id: int = 0) -> list[FreeSeat]:
    """Free seats of one row, seat n at x = n - 1 (as generate_section_seats lays them out)."""
    base = first_id or (ord(name) * 100 + section * 10_000)
    return [FreeSeat(base + n, section, name, n, float(n - 1), y, 1) for n in numbers]


def numbers(seats: list[FreeSeat], choice: Choice) -> list[str]:
    by_id = {seat.id: seat for seat in seats}
    return [f"{by_id[i].row}{by_id[i].number}" for i in choice.seat_ids]


def test_picks_adjacent_seats_in_the_row_nearest_the_focus():
    seats = row("A", range(1, 11), y=0) + row("B", range(1, 11), y=1)
    choice = pick_best(seats, quantity=2, focus=Point(4.5, 0))
    assert numbers(seats, choice) == ["A5", "A6"] and choice.together


def test_nearest_is_the_distance_to_the_focus_not_the_row_order():
    seats = row("A", [1, 2, 3, 4], y=0) + row("B", range(1, 11), y=1)
    # A3-A4's centre is 2 from the focus, B5-B6's only 1: a central seat one row back wins.
    choice = pick_best(seats, quantity=2, focus=Point(4.5, 0))
    assert numbers(seats, choice) == ["B5", "B6"]


def test_never_leaves_a_single_orphan_seat_when_a_block_without_one_exists():
    seats = row("A", range(1, 7), y=0)
    # A2-A3 would be nearest (centre 1.5) but leaves A1 alone; A1-A2 and A3-A4 leave none.
    choice = pick_best(seats, quantity=2, focus=Point(1.5, 0))
    assert numbers(seats, choice) == ["A1", "A2"] and choice.together


def test_a_taken_seat_makes_the_seat_beside_it_an_orphan_too():
    seats = row("A", [1, 2, 3, 4, 6, 7, 8, 9, 10], y=0)  # A5 is taken
    # A7-A8 is nearest but leaves A6 alone beside taken A5; A8-A9 leaves A10 alone at the
    # row's end; A6-A7 leaves neither.
    choice = pick_best(seats, quantity=2, focus=Point(6.5, 0))
    assert numbers(seats, choice) == ["A6", "A7"]


def test_leaves_an_orphan_when_every_adjacent_block_would():
    seats = row("A", [1, 2, 3], y=0) + row("B", [2, 3, 4], y=1)
    choice = pick_best(seats, quantity=2, focus=Point(2, 0))
    assert numbers(seats, choice) == ["A2", "A3"] and choice.together


def test_splits_over_the_fewest_rows_nearest_first_when_no_row_has_them_together():
    seats = row("A", [1, 2, 3], y=0) + row("B", [1, 2], y=1) + row("C", [1, 2, 3], y=2)
    choice = pick_best(seats, quantity=4, focus=Point(1, 0))
    assert numbers(seats, choice) == ["A1", "A2", "A3", "B2"]
    assert not choice.together


def test_the_fewest_rows_win_over_nearer_rows():
    seats = (
        row("A", [1, 2, 3], y=0) + row("B", [1, 2], y=1) + row("C", [1, 2, 3, 5, 6], y=2)
    )  # no row has 5 adjacent: C alone holds 5
    choice = pick_best(seats, quantity=5, focus=Point(2, 0))
    assert numbers(seats, choice) == ["C1", "C2", "C3", "C5", "C6"]
    assert not choice.together


def test_seats_of_two_sections_are_never_adjacent():
    seats = row("A", [1, 2], y=0, section=1) + row("A", [3, 4], y=0, section=2)
    choice = pick_best(seats, quantity=3, focus=Point(1.5, 0))
    assert not choice.together and len(choice.seat_ids) == 3


def test_nothing_to_choose_when_fewer_seats_are_free_than_asked():
    seats = row("A", [1, 2], y=0) + row("B", [1], y=1)
    assert pick_best(seats, quantity=4, focus=Point(0, 0)) is None
    assert list(rank_choices(seats, quantity=4, focus=Point(0, 0))) == []


def test_every_choice_is_ranked_once_the_best_first():
    seats = row("A", range(1, 6), y=0)
    choices = list(rank_choices(seats, quantity=2, focus=Point(2, 0)))
    assert [numbers(seats, c) for c in choices[:2]] == [["A1", "A2"], ["A4", "A5"]]
    assert all(c.together for c in choices[:-1]) and not choices[-1].together
    assert len(choices) == 4 + 1  # four blocks of two, then the split


@pytest.mark.django_db
def test_the_selector_reads_only_free_priced_seats_and_the_front_centre():
    performance = make_performance(sections=2, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    free = free_seats_to_choose(performance_id=performance.pk, now=db_now())
    assert sorted(s.id for s in free.seats) == ids[2:]
    assert free.focus == Point(2.0, 0.0)  # x 0..4, front row at y 0


@pytest.mark.django_db
def test_the_selector_filters_by_ticket_type_and_section():
    performance = make_performance(sections=2, rows=2, seats_per_row=5)
    student = TicketType.objects.get(event=performance.event, name="Student")
    second = performance.sections.get(position=1)
    free = free_seats_to_choose(
        performance_id=performance.pk, now=db_now(), ticket_type_id=student.pk
    )
    expected = Seat.objects.filter(performance=performance, ticket_type=student)
    assert {s.id for s in free.seats} == set(expected.values_list("id", flat=True))
    free = free_seats_to_choose(
        performance_id=performance.pk,
        now=db_now(),
        ticket_type_id=student.pk,
        section_id=second.pk,
    )
    assert {s.id for s in free.seats} == set(
        expected.filter(section=second).values_list("id", flat=True)
    )
    assert free.focus == Point(2.0, 0.0)  # of all the performance's seats


def brute_force_blocks(seats: list[FreeSeat], quantity: int) -> list[tuple[list, bool]]:
    """Every block of `quantity` consecutive free seats, and whether it leaves an orphan, by
    the definition: a free seat beside the block whose other neighbour is not free."""
    free = {(s.section_id, s.row, s.number): s for s in seats}
    blocks = []
    for seat in seats:
        place = (seat.section_id, seat.row)
        numbers_ = range(seat.number, seat.number + quantity)
        if all((*place, n) in free for n in numbers_):
            left, right = seat.number - 1, seat.number + quantity
            orphan = ((*place, left) in free and (*place, left - 1) not in free) or (
                (*place, right) in free and (*place, right + 1) not in free
            )
            blocks.append(([free[(*place, n)] for n in numbers_], orphan))
    return blocks


def centre_distance(block: list[FreeSeat], focus: Point) -> float:
    x = sum(s.x for s in block) / len(block)
    y = sum(s.y for s in block) / len(block)
    return ((x - focus.x) ** 2 + (y - focus.y) ** 2) ** 0.5


halls = st.lists(
    st.sets(st.integers(min_value=1, max_value=12), max_size=12), min_size=1, max_size=4
)


@given(
    hall=halls,
    quantity=st.integers(min_value=1, max_value=6),
    focus_x=st.floats(min_value=-2, max_value=14),
)
@settings(max_examples=300, deadline=None)
def test_the_choice_follows_the_rule_in_any_hall(hall, quantity, focus_x):
    seats = [
        seat
        for index, free in enumerate(hall)
        for seat in row(chr(65 + index), sorted(free), y=float(index))
    ]
    focus = Point(focus_x, 0.0)
    choice = pick_best(seats, quantity=quantity, focus=focus)
    if len(seats) < quantity:
        assert choice is None
        return
    by_id = {seat.id: seat for seat in seats}
    chosen = [by_id[i] for i in choice.seat_ids]
    assert len(set(choice.seat_ids)) == quantity
    blocks = brute_force_blocks(seats, quantity)
    if not blocks:
        assert not choice.together
        sizes = sorted((len(free) for free in hall), reverse=True)
        fewest = next(k for k in range(1, len(sizes) + 1) if sum(sizes[:k]) >= quantity)
        assert len({seat.row for seat in chosen}) == fewest
        return
    assert choice.together
    assert len({seat.row for seat in chosen}) == 1
    assert [s.number for s in chosen] == list(range(chosen[0].number, chosen[0].number + quantity))
    clean = [block for block, orphan in blocks if not orphan]
    best_ones = clean or [block for block, _orphan in blocks]
    assert [s.id for s in chosen] in [[s.id for s in block] for block in best_ones]
    nearest = min(centre_distance(block, focus) for block in best_ones)
    assert centre_distance(chosen, focus) == pytest.approx(nearest)


def test_a_free_seat_of_another_ticket_type_ends_the_run():
    # Asked without a ticket type, the picker sees every free seat: A1-A3 are of one type,
    # A4-A8 of another. A3-A4 (nearest) would be a block of two types; within A1-A3 every
    # pair leaves one seat alone, so the pair is taken from A4-A8, leaving no orphan.
    seats = [
        FreeSeat(n, 1, "A", n, float(n - 1), 0.0, 1 if n <= 3 else 2, place=n) for n in range(1, 9)
    ]
    choice = pick_best(seats, quantity=2, focus=Point(2.5, 0))
    assert numbers(seats, choice) == ["A4", "A5"]
    assert not pick_best(seats, quantity=6, focus=Point(2.5, 0)).together


def test_stranded_by_taking_applies_the_same_rule_to_a_buyers_own_choice():
    seats = row("A", range(1, 9), y=0)
    by_number = {seat.number: seat for seat in seats}

    def stranded(*taking):
        found = stranded_by_taking(seats, taking={by_number[n].id for n in taking})
        return [seat.number for seat in found]

    assert stranded(2, 3) == [1]  # the row's end
    assert stranded(1, 3) == [2]  # between two of the buyer's seats
    assert stranded(3, 4) == []  # 1-2 and 5-8 are left in pairs or more
    assert stranded(6, 7) == [8]
    assert stranded(1, 2, 3, 4, 5, 6, 7) == [8]
    assert stranded(*range(1, 9)) == []
    # The picker's own windows agree: every block it calls orphaning strands a seat here.
    for start in range(1, 8):
        block = (start, start + 1)
        assert bool(stranded(*block)) == (start == 2 or start + 1 == 7)


@pytest.mark.django_db
def test_the_selector_places_seats_so_that_an_aisle_breaks_a_block():
    from django.db.models import F

    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    Seat.objects.filter(performance=performance, number__gte=4).update(x=F("x") + 1.5)
    free = free_seats_to_choose(performance_id=performance.pk, now=db_now())
    # Six free seats, but an aisle after the third: no block of four, two of three.
    assert not pick_best(free.seats, quantity=4, focus=free.focus).together
    assert pick_best(free.seats, quantity=3, focus=free.focus).together


@given(
    free=st.sets(st.integers(min_value=1, max_value=12), min_size=1),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_a_seat_is_stranded_exactly_when_the_choice_leaves_it_with_no_free_neighbour(free, data):
    taking = data.draw(st.sets(st.sampled_from(sorted(free))))
    seats = row("A", sorted(free), y=0)
    left = free - taking
    expected = [
        n
        for n in sorted(left)
        if n - 1 not in left and n + 1 not in left and ({n - 1, n + 1} & taking)
    ]
    ids = {seat.number: seat.id for seat in seats}
    found = stranded_by_taking(seats, taking={ids[n] for n in taking})
    assert sorted(seat.number for seat in found) == expected
