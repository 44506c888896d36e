"""Accessible seats in a layout: a companion seat names its wheelchair space, validation refuses
one that names none, and a performance made or copied from it keeps flags and companions."""

from datetime import timedelta

import pytest

from catalog.errors import LayoutRefused
from catalog.layout_copies import copy_performance_layout
from catalog.layout_geometry import PlacedSeat, find_problems
from catalog.models import Seat
from catalog.seat_flags import AISLE, COMPANION, RESTRICTED_VIEW, WHEELCHAIR, flags_of_bits
from core.dbtime import db_now
from tests.accessible import accessible_performance

pytestmark = pytest.mark.django_db


def seat(number, flags=(), companion_of=None, row="A"):
    y = 0.0 if row == "A" else 2.0
    return PlacedSeat(row, number, float(number), y, 1, flags=frozenset(flags),
                      companion_of=companion_of)  # fmt: skip


def codes(problems):
    return [(p.code, p.section, p.row, p.number) for p in problems]


def test_a_companion_seat_that_names_no_wheelchair_space_in_its_row_is_refused_where_it_is():
    section = [
        seat(1, {"wheelchair"}),
        seat(2, {"companion"}, companion_of=1),  # fine
        seat(3, {"companion"}),  # names no space
        seat(4, {"companion"}, companion_of=5),  # seat 5 is no wheelchair space
        seat(5),
        seat(6, companion_of=1),  # names a space but is not flagged companion
        seat(1, {"companion"}, companion_of=1, row="B"),  # the space is in row A, not B
    ]
    assert codes(find_problems({"Stalls": section})) == [
        ("companion_without_wheelchair", "Stalls", "A", 3),
        ("companion_without_wheelchair", "Stalls", "A", 4),
        ("companion_without_wheelchair", "Stalls", "A", 6),
        ("companion_without_wheelchair", "Stalls", "B", 1),
    ]


def test_the_companion_problem_says_where_in_persian():
    from django.utils import translation

    (problem,) = find_problems({"Stalls": [seat(3, {"companion"})]})
    with translation.override("fa"):
        message = problem.message
    assert "همراه" in message and "Stalls" in message and "A-3" in message


def test_a_layout_with_a_lone_companion_seat_is_not_saved():
    from catalog.layouts import PlacedSection, save_placed_layout
    from tests.accessible import accessible_layout

    layout = accessible_layout()
    before = list(layout.sections.values_list("seats__companion_of", flat=True))
    with pytest.raises(LayoutRefused) as refused:
        save_placed_layout(
            layout=layout,
            sections=[PlacedSection(name="S", seats=[seat(1, {"companion"})], prices={})],
        )
    problems = refused.value.details["problems"]
    assert ("companion_without_wheelchair", "S", "A", 1) in codes(problems)
    assert list(layout.sections.values_list("seats__companion_of", flat=True)) == before


def flags_and_companions(performance):
    seats = Seat.objects.filter(performance=performance).select_related("companion_of", "section")
    return {
        f"{s.section.name} {s.row}-{s.number}": (
            flags_of_bits(s.flag_bits),
            s.companion_of and f"{s.companion_of.row}-{s.companion_of.number}",
        )
        for s in seats
        if s.flag_bits or s.companion_of_id
    }


EXPECTED = {
    "Stalls A-2": (["companion"], "A-3"),
    "Stalls A-3": (["wheelchair"], None),
    "Stalls A-4": (["companion"], "A-3"),
    "Stalls A-7": (["wheelchair"], None),
    "Stalls A-8": (["companion"], "A-7"),
    "Stalls B-1": (["aisle"], None),
    "Stalls B-5": (["restricted_view"], None),
}


def test_a_performance_made_from_a_layout_has_its_flags_and_companions():
    performance = accessible_performance()
    assert flags_and_companions(performance) == EXPECTED
    assert (WHEELCHAIR, COMPANION, RESTRICTED_VIEW, AISLE) == (1, 2, 4, 8)  # the map's contract
    # Every companion points to a seat of its own performance.
    companions = Seat.objects.filter(performance=performance, companion_of__isnull=False)
    assert {s.companion_of.performance_id for s in companions} == {performance.pk}


def test_a_copied_performance_keeps_flags_companions_and_the_organizers_choice():
    performance = accessible_performance(companions_sell_alone=True)
    now = db_now()
    copy = copy_performance_layout(
        performance=performance,
        starts_at=now + timedelta(days=20),
        sales_start=now,
        sales_end=now + timedelta(days=19),
    )
    assert flags_and_companions(copy) == EXPECTED
    assert copy.companions_sell_alone is True
    companions = Seat.objects.filter(performance=copy, companion_of__isnull=False)
    assert {s.companion_of.performance_id for s in companions} == {copy.pk}


def test_a_plan_files_companion_seat_belongs_to_the_nearest_wheelchair_space_of_its_row():
    from catalog.layout_geometry import link_companions

    row = [
        seat(1, {"wheelchair"}),
        seat(2, {"companion"}),
        seat(4, {"companion"}),
        seat(5, {"wheelchair"}),
        seat(9, {"companion"}, companion_of=1),  # named: kept
        seat(3, {"companion"}, row="B"),  # no space in row B: left for validation
    ]
    linked = link_companions(row)
    assert [(s.row, s.number, s.companion_of) for s in linked] == [
        ("A", 1, None),
        ("A", 2, 1),
        ("A", 4, 5),
        ("A", 5, None),
        ("A", 9, 1),
        ("B", 3, None),
    ]
    assert codes(find_problems({"S": linked})) == [("companion_without_wheelchair", "S", "B", 3)]
