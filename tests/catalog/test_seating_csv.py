"""Seating plans as CSV: a layout exported and imported again is the same layout (its shapes
kept, since a CSV has none), and a broken line is refused by its number, changing nothing."""

import pytest
from django.utils import translation

from catalog.errors import LayoutRefused, SeatingPlanInvalid
from catalog.plan_import import import_plan, read_plan_file
from catalog.seating_csv import write_csv
from tests.catalog.plan_helpers import database_state, prices_of, seats_of, shapes_of

pytestmark = pytest.mark.django_db


def reimport(layout, text: str, filename="plan.csv") -> int:
    plan = read_plan_file(content=text.encode(), filename=filename)
    return import_plan(layout=layout, plan=plan)


def test_a_csv_export_lists_every_seat_with_its_attributes(full_hall):
    lines = write_csv(full_hall).splitlines()
    assert lines[0] == "section,row,number,x,y,ticket_type,attributes"
    assert len(lines) == 1 + 28
    assert "Stalls,A,1,4.0,8.0,Normal,blocked" in lines
    assert "Stalls,B,1,4.0,9.5,Student,aisle;wheelchair" in lines


def test_a_csv_export_imported_again_gives_back_the_same_layout(full_hall):
    before = (seats_of(full_hall), prices_of(full_hall), shapes_of(full_hall))
    exported = write_csv(full_hall)
    assert reimport(full_hall, exported, filename="anything.txt") == 28  # told by its content
    assert (seats_of(full_hall), prices_of(full_hall), shapes_of(full_hall)) == before
    curved = [v for k, v in seats_of(full_hall).items() if k[0] == "Balcony"]
    assert len({round(y, 6) for _, y, *_ in curved}) > 2  # the curved row kept its curve
    assert write_csv(full_hall) == exported


def test_a_csv_with_columns_in_another_order_and_persian_digits_is_read(full_hall):
    text = "ticket_type,Section,row,Number,x,y,attributes\nNormal,Stalls,A,۳,4,8,\n"
    reimport(full_hall, text)
    assert seats_of(full_hall) == {("Stalls", "A", 3): (4.0, 8.0, "Normal", False, [])}


GOOD = "section,row,number,x,y,ticket_type,attributes\nStalls,A,1,0,0,Normal,\n"
BROKEN = {
    "header": ("sektion,row,number,x,y,ticket_type,attributes\n", "line 1", "the first line"),
    "columns": (GOOD + "Stalls,A,2,1,0\n", "line 3", "5 values where 7 columns"),
    "number": (GOOD + "Stalls,A,two,1,0,Normal,\n", "line 3", 'seat number "two"'),
    "x": (GOOD + "Stalls,A,2,1.0.0,0,Normal,\n", "line 3", 'x "1.0.0" is not a number'),
    "attribute": (GOOD + "Stalls,A,2,1,0,Normal,wheelchair;vip\n", "line 3", '"vip"'),
    "ticket_type": (GOOD + "Stalls,A,2,1,0,VIP,\n", "line 3", 'no ticket type "VIP"'),
    "duplicate": (GOOD + "\nStalls,A,1,5,0,Normal,\n", "line 4", "Stalls A-1 is also at line 2"),
    "row": (GOOD + "Stalls,ABCDEFGHIJK,1,5,0,Normal,\n", "line 3", "1 to 10 characters"),
}


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_a_broken_csv_is_refused_by_its_line_and_changes_nothing(full_hall, fault):
    text, where, what = BROKEN[fault]
    before = database_state()
    with pytest.raises(SeatingPlanInvalid) as refused:
        reimport(full_hall, text)
    assert refused.value.details["where"] == where
    assert what in refused.value.details["problem"]
    assert database_state() == before


def test_overlapping_seats_in_a_csv_are_refused_and_change_nothing(full_hall):
    before = database_state()
    with pytest.raises(LayoutRefused) as refused:
        reimport(full_hall, GOOD + "Stalls,A,2,0.5,0,Normal,\n")
    assert [p.code for p in refused.value.details["problems"]] == ["seats_overlap"]
    assert database_state() == before


def test_a_refusal_reads_in_persian_with_persian_digits(full_hall):
    with translation.override("fa"), pytest.raises(SeatingPlanInvalid) as refused:
        reimport(full_hall, GOOD + "Stalls,A,2,1,0,Normal,vip\n")
    with translation.override("fa"):
        message = refused.value.message
    assert message.startswith("نقشهٔ صندلی‌ها وارد نمی‌شود: سطر ۳: ویژگی ناشناختهٔ «vip»")
