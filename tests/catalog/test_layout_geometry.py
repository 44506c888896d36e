"""A venue layout's geometry: pure functions, no database."""

import math
import time

import pytest

from catalog.layout_geometry import (
    Arc,
    Gap,
    Numbering,
    PlacedSeat,
    RowSpec,
    duplicate,
    find_problems,
    place_row,
    place_section,
    rotate,
    row_label,
    seat_numbers,
    spec_problems,
)


def distances(seats):
    return [math.dist((a.x, a.y), (b.x, b.y)) for a, b in zip(seats, seats[1:], strict=False)]


def test_a_curved_rows_seats_lie_on_the_arc_at_equal_spacing():
    arc = Arc(centre_x=10, centre_y=-5, radius=20, angle=90)
    seats = place_row(RowSpec(label="A", seats=15, ticket_type=1, spacing=1.2, arc=arc))
    for seat in seats:
        assert math.dist((seat.x, seat.y), (10, -5)) == pytest.approx(20)
    gaps = distances(seats)
    assert max(gaps) - min(gaps) < 1e-9
    assert gaps[0] == pytest.approx(1.2)
    middle = seats[7]  # centred on the arc's angle: straight below its centre
    assert (middle.x, middle.y) == (pytest.approx(10), pytest.approx(15))
    assert seats[0].x < middle.x < seats[-1].x  # left to right


def test_a_straight_row_runs_from_its_start_with_its_spacing():
    seats = place_row(RowSpec(label="B", seats=4, ticket_type=1, x=3, y=7, spacing=1.5))
    assert [(s.x, s.y) for s in seats] == [(3, 7), (4.5, 7), (6, 7), (7.5, 7)]


def test_an_aisle_gap_widens_the_row_after_the_kth_seat():
    seats = place_row(
        RowSpec(label="A", seats=6, ticket_type=1, gaps=[Gap(after=2, width=3), Gap(4, 0.5)])
    )
    assert [s.x for s in seats] == [0, 1, 5, 6, 7.5, 8.5]


@pytest.mark.parametrize(
    ("scheme", "count", "numbers"),
    [
        (Numbering.LEFT_TO_RIGHT, 5, [1, 2, 3, 4, 5]),
        (Numbering.RIGHT_TO_LEFT, 5, [5, 4, 3, 2, 1]),
        (Numbering.ODD_EVEN_FROM_CENTRE, 5, [5, 3, 1, 2, 4]),
        (Numbering.ODD_EVEN_FROM_CENTRE, 6, [5, 3, 1, 2, 4, 6]),
    ],
)
def test_numbering_schemes_number_seats_taken_left_to_right(scheme, count, numbers):
    assert seat_numbers(count, scheme) == numbers


def test_numbering_can_start_past_one_and_is_given_to_the_seats():
    seats = place_row(
        RowSpec(
            label="C", seats=3, ticket_type=1, numbering=Numbering.RIGHT_TO_LEFT, first_number=101
        )
    )
    assert [s.number for s in seats] == [103, 102, 101]


def test_rows_are_labelled_with_letters_past_z_or_with_numbers():
    assert [row_label(i) for i in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"
    ]  # fmt: skip
    assert [row_label(i, scheme="numbers") for i in (1, 12)] == ["1", "12"]


def test_rotating_turns_seats_about_a_point_and_keeps_their_spacing():
    row = place_row(RowSpec(label="A", seats=3, ticket_type=1, x=1, y=0))
    turned = rotate(row, 90)
    assert [(round(s.x, 9), round(s.y, 9)) for s in turned] == [(0, 1), (0, 2), (0, 3)]
    around = rotate(row, 180, about=(1, 0))
    assert [(round(s.x, 9), round(s.y, 9)) for s in around] == [(1, 0), (0, 0), (-1, 0)]
    assert distances(turned) == pytest.approx(distances(row))


def test_a_section_is_rotated_then_moved_to_its_offset():
    row = place_row(RowSpec(label="A", seats=2, ticket_type=1))
    placed = place_section(row, offset_x=100, offset_y=50, rotation=90)
    assert [(round(s.x, 9), round(s.y, 9)) for s in placed] == [(100, 50), (100, 51)]


def test_duplicating_a_row_moves_a_renamed_copy():
    row = place_row(RowSpec(label="A", seats=2, ticket_type=1))
    copy = duplicate(row, 0, 2, row="B")
    assert [(s.row, s.number, s.x, s.y) for s in copy] == [("B", 1, 0, 2), ("B", 2, 1, 2)]
    assert [s.row for s in row] == ["A", "A"]


def grid(rows: int, per_row: int, ticket_type=1) -> list[PlacedSeat]:
    return [
        PlacedSeat(
            row=row_label(r + 1), number=n + 1, x=n * 1.0, y=r * 1.0, ticket_type=ticket_type
        )
        for r in range(rows)
        for n in range(per_row)
    ]


def test_the_one_overlapping_pair_among_20000_seats_is_found_quickly():
    seats = grid(100, 200)
    seats.append(PlacedSeat(row="ZZ", number=1, x=199.6, y=42, ticket_type=1))
    started = time.perf_counter()
    problems = find_problems({"Stalls": seats})
    elapsed = time.perf_counter() - started
    assert [(p.code, p.section, p.row, p.number, p.other) for p in problems] == [
        ("seats_overlap", "Stalls", "ZZ", 1, ("Stalls", row_label(43), 200))
    ]
    assert elapsed < 2  # O(n²) would compare 200 million pairs
    assert "ZZ-1" in problems[0].message


def test_seats_a_seat_width_apart_do_not_overlap_but_across_sections_closer_ones_do():
    assert find_problems({"A": grid(3, 3)}) == []
    other = [PlacedSeat(row="A", number=1, x=0.5, y=0.0, ticket_type=1)]
    problems = find_problems({"A": grid(1, 1), "B": other})
    assert [(p.code, p.section, p.other) for p in problems] == [
        ("seats_overlap", "B", ("A", "A", 1))
    ]


def test_a_row_and_number_twice_in_a_section_is_refused_where_it_is():
    seats = [
        PlacedSeat(row="A", number=1, x=0, y=0, ticket_type=1),
        PlacedSeat(row="A", number=1, x=5, y=0, ticket_type=1),
    ]
    problems = find_problems({"Balcony": seats})
    assert [(p.code, p.section, p.row, p.number) for p in problems] == [
        ("duplicate_seat", "Balcony", "A", 1)
    ]
    assert find_problems({"L": seats[:1], "R": seats[1:]}) == []


def test_a_seat_without_a_ticket_type_or_with_an_unpriced_one_is_refused():
    seats = [
        PlacedSeat(row="A", number=1, x=0, y=0, ticket_type=None),
        PlacedSeat(row="A", number=2, x=1, y=0, ticket_type=7),
        PlacedSeat(row="A", number=3, x=2, y=0, ticket_type=8),
    ]
    problems = find_problems({"Box": seats}, priced={"Box": {8}})
    assert [(p.code, p.number) for p in problems] == [
        ("seat_without_ticket_type", 1),
        ("ticket_type_not_priced", 2),
    ]


def test_problem_messages_are_in_persian_too():
    from django.utils import translation

    seats = [PlacedSeat(row="A", number=1, x=0, y=0, ticket_type=None)]
    (problem,) = find_problems({"Box": seats})
    with translation.override("fa"):
        assert "نوع بلیت" in problem.message


@pytest.mark.parametrize(
    "spec",
    [
        RowSpec(label="", seats=3, ticket_type=1),
        RowSpec(label="ELEVENCHARS", seats=3, ticket_type=1),
        RowSpec(label="A", seats=0, ticket_type=1),
        RowSpec(label="A", seats=3, ticket_type=1, spacing=0),
        RowSpec(label="A", seats=3, ticket_type=1, arc=Arc(0, 0, radius=0)),
        RowSpec(label="A", seats=3, ticket_type=1, gaps=[Gap(after=3, width=1)]),
        RowSpec(label="A", seats=3, ticket_type=1, gaps=[Gap(after=1, width=-1)]),
        RowSpec(label="A", seats=3, ticket_type=1, numbering="zigzag"),
        RowSpec(label="A", seats=3, ticket_type=1, first_number=0),
    ],
    ids=[
        "no-label",
        "long-label",
        "no-seats",
        "no-spacing",
        "no-radius",
        "gap-outside",
        "negative-gap",
        "numbering",
        "number-zero",
    ],  # fmt: skip
)
def test_a_row_spec_that_cannot_be_laid_out_is_refused_by_its_row(spec):
    good = RowSpec(label="B", seats=3, ticket_type=1, gaps=[Gap(after=2, width=1)])
    problems = spec_problems("Stalls", [good, spec])
    assert [(p.code, p.section, p.row) for p in problems] == [
        ("row_spec_invalid", "Stalls", spec.label)
    ]


def test_duplicating_a_section_keeps_its_labels():
    seats = place_row(RowSpec(label="A", seats=2, ticket_type=1))
    copy = duplicate(seats, 10, 0)
    assert [(s.row, s.number, s.x) for s in copy] == [("A", 1, 10), ("A", 2, 11)]


def test_a_seats_flags_come_from_its_row_and_unknown_ones_are_refused():
    spec = RowSpec(
        label="A",
        seats=3,
        ticket_type=1,
        flags={1: frozenset({"wheelchair"}), 2: frozenset({"companion", "sofa"})},
        companions={2: 1},  # a companion seat names its wheelchair space
    )
    seats = place_row(spec)
    assert [s.flags for s in seats] == [{"wheelchair"}, {"companion", "sofa"}, frozenset()]
    assert [(p.code, p.number) for p in find_problems({"S": seats})] == [("unknown_seat_flag", 2)]
