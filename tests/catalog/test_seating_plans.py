"""Seating plans in pretix's JSON: a layout exported and imported again is the same layout,
the export is a plan pretix accepts, a real-looking pretix plan is imported, and a broken file
is refused with where and what, changing nothing."""

import json
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest

from catalog.errors import LayoutRefused, SeatingPlanInvalid
from catalog.layout_geometry import RowSpec
from catalog.layouts import SectionSpec, ShapeSpec, replace_layout
from catalog.models import LayoutSeat, VenueLayout
from catalog.plan_import import PriceRule, import_plan, read_plan_file
from catalog.seating_plans import seat_guid, write_pretix
from tests.catalog.plan_helpers import (
    database_state,
    prices_of,
    seats_of,
    shapes_of,
    ticket_types,
)
from tests.catalog.pretix_schema import SEATING_PLAN

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "plans" / "small_hall.pretix.json"


def as_file(plan: dict) -> bytes:
    return json.dumps(plan, ensure_ascii=False, indent=2).encode()


def reimport(layout, content: bytes, filename="plan.json", **options) -> int:
    return import_plan(
        layout=layout, plan=read_plan_file(content=content, filename=filename), **options
    )


def assert_same_seats(after: dict, before: dict) -> None:
    assert after.keys() == before.keys()
    for key, (x, y, *rest) in before.items():
        ax, ay, *arest = after[key]
        assert (ax, ay) == pytest.approx((x, y), abs=1e-4), key
        assert arest == rest, key


def test_the_export_is_a_plan_that_pretix_accepts(full_hall):
    plan = write_pretix(full_hall)
    errors = [str(e) for e in jsonschema_rs.validator_for(SEATING_PLAN).iter_errors(plan)]
    assert errors == []
    guids = [s["seat_guid"] for z in plan["zones"] for r in z["rows"] for s in r["seats"]]
    assert len(guids) == len(set(guids)) == 28
    assert seat_guid("Stalls", "A", 1) in guids  # derived from the seat, so stable
    categories = {c["name"] for c in plan["categories"]}
    assert categories == {
        "Normal",
        "Normal [blocked]",
        "Normal [restricted_view]",
        "Student",
        "Student [aisle; wheelchair]",
        "Student [companion]",
    }


def test_a_pretix_export_imported_again_gives_back_the_same_layout(full_hall):
    seats, prices, shapes = seats_of(full_hall), prices_of(full_hall), shapes_of(full_hall)
    exported = write_pretix(full_hall)
    assert reimport(full_hall, as_file(exported)) == 28
    assert_same_seats(seats_of(full_hall), seats)
    blocked = sorted(k for k, v in seats_of(full_hall).items() if v[3])
    assert blocked == [("Stalls", "A", 1), ("Stalls", "A", 10)]
    assert seats_of(full_hall)[("Stalls", "B", 1)][4] == ["aisle", "wheelchair"]
    assert prices_of(full_hall) == prices  # the same sections and ticket types keep their prices
    assert shapes_of(full_hall) == shapes  # a caption at a shape's centre is its text again
    assert [(s.name, s.offset_x, s.offset_y) for s in full_hall.sections.all()] == [
        ("Stalls", 4, 8),
        ("Balcony", 8, 30),
    ]
    assert write_pretix(full_hall) == exported  # and exporting it again gives the same file


def test_a_layout_that_reaches_above_zero_is_moved_into_pretixs_canvas(event):
    normal, _ = ticket_types(event)
    layout = VenueLayout.objects.create(event=event, name="Low")
    row = RowSpec("A", 3, normal.pk, x=-2, y=-1)
    replace_layout(
        layout=layout,
        sections=[SectionSpec("Stalls", rows=[row], prices={normal.pk: 5})],
        shapes=[ShapeSpec("stage", {"type": "rect", "x": -4, "y": -5, "width": 8, "height": 2})],
    )
    before = seats_of(layout)
    plan = write_pretix(layout)
    assert plan["zones"][0]["position"] == {"x": 80.0, "y": 100.0}  # moved by 4, 5 seats
    reimport(layout, as_file(plan))
    moved = {key: (x - 4, y - 5, *rest) for key, (x, y, *rest) in seats_of(layout).items()}
    assert_same_seats(moved, before)


def test_a_pretix_sample_plan_is_imported_with_its_zones_rows_and_areas(event):
    layout = VenueLayout.objects.create(event=event, name="Small full_hall")
    normal, student = ticket_types(event)
    rules = [PriceRule("Normal", Decimal("30")), PriceRule("Student", Decimal("15"), "Stalls")]
    assert reimport(layout, SAMPLE.read_bytes(), filename=SAMPLE.name, rules=rules) == 31
    seats = seats_of(layout)
    # zone (60, 90) + row A (0, 0) + seat 1 (0, 0), 20 pixels a seat; after seat 4 an aisle
    assert seats[("Stalls", "A", 1)] == (3.0, 4.5, "Normal", False, [])
    assert seats[("Stalls", "A", 5)][:2] == (3 + 140 / 20, 4.5)
    assert seats[("Stalls", "C", 8)][2] == "Student"
    assert [s.name for s in layout.sections.all()] == ["Stalls", "Balcony"]
    assert prices_of(layout) == {
        ("Stalls", "Normal", Decimal("30")),
        ("Stalls", "Student", Decimal("15")),
        ("Balcony", "Normal", Decimal("30")),
    }
    assert shapes_of(layout) == [
        ("stage", {"type": "rect", "x": 2.0, "y": 0.5, "width": 12.0, "height": 2.0}, "Stage"),
        ("label", {"type": "text", "x": 8.5, "y": 17.5, "size": 0.7}, "Balcony"),
    ]


def test_a_sample_plan_whose_seats_are_not_priced_is_refused_naming_the_first(event):
    layout = VenueLayout.objects.create(event=event, name="Small full_hall")
    before = database_state()
    with pytest.raises(SeatingPlanInvalid) as refused:
        reimport(layout, SAMPLE.read_bytes(), rules=[PriceRule("Normal", Decimal("30"))])
    assert refused.value.details["where"] == 'zone 2 "Stalls", row 3 "C", seat 1'
    assert 'no price for ticket type "Student" in section "Stalls"' in refused.value.message
    assert database_state() == before


def broken(plan: dict, fault: str) -> bytes | dict:
    stalls = plan["zones"][0]
    seat = stalls["rows"][1]["seats"][2]
    if fault == "bad_json":
        return as_file(plan).replace(b'"zones": [', b'"zones": [,', 1)
    if fault == "missing_field":
        del seat["position"]
    elif fault == "unknown_category":
        seat["category"] = "Balcony seats"
    elif fault == "unknown_ticket_type":
        seat["category"] = "VIP"
        plan["categories"].append({"name": "VIP"})
    elif fault == "overlap":
        seat["position"] = dict(stalls["rows"][1]["seats"][3]["position"])
        seat["position"]["x"] += 5  # a quarter of a seat away
    elif fault == "duplicate_seat":
        seat["seat_number"] = stalls["rows"][1]["seats"][3]["seat_number"]
    elif fault == "non_numeric_number":
        seat["seat_number"] = "3a"
    elif fault == "duplicate_guid":
        seat["seat_guid"] = stalls["rows"][0]["seats"][0]["seat_guid"]
    return as_file(plan)


BROKEN_ZONES = '  "zones": [,'
LOCATED = 'zone 1 "Stalls", row 2 "B", seat 3'
FAULTS = {
    "bad_json": ("the line of zones", "not valid JSON"),
    "missing_field": (LOCATED, '"position" is missing'),
    "unknown_category": (LOCATED, 'the category "Balcony seats" is not one of the plan'),
    "unknown_ticket_type": (
        LOCATED,
        'the event has no ticket type "VIP" (it has: Normal, Student)',
    ),
    "duplicate_seat": (LOCATED[:-1] + "4", f"seat Stalls B-4 is also at {LOCATED}"),
    "non_numeric_number": (LOCATED, 'the seat number "3a" is not a whole number from 1'),
    "duplicate_guid": (LOCATED, "is used twice"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_broken_pretix_file_is_refused_where_it_is_broken_and_changes_nothing(full_hall, fault):
    content = broken(write_pretix(full_hall), fault)
    before = database_state()
    with pytest.raises(SeatingPlanInvalid) as refused:
        reimport(full_hall, content)
    where, what = FAULTS[fault]
    if fault == "bad_json":  # JSON's own error, at the line it is on
        where = f"line {content.decode().splitlines().index(BROKEN_ZONES) + 1}"
    assert refused.value.details["where"] == where
    assert what in refused.value.details["problem"]
    assert refused.value.message.startswith("The seating plan cannot be imported: ")
    assert database_state() == before


def test_overlapping_seats_in_a_pretix_file_are_refused_naming_both_and_change_nothing(full_hall):
    before = database_state()
    with pytest.raises(LayoutRefused) as refused:
        reimport(full_hall, broken(write_pretix(full_hall), "overlap"))
    pairs = {
        frozenset({(p.section, p.row, p.number), p.other})
        for p in refused.value.details["problems"]
        if p.code == "seats_overlap"
    }
    assert frozenset({("Stalls", "B", 3), ("Stalls", "B", 4)}) in pairs
    assert database_state() == before
    assert LayoutSeat.objects.filter(section__layout=full_hall).count() == 28
