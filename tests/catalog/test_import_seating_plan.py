"""manage.py import_seating_plan: a plan file into a new performance of an event or into an
empty performance, printing the performance's id; an invalid file changes nothing."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import (
    Performance,
    SeatStatus,
    Section,
    SectionTicketType,
    VenueLayout,
)
from core.dbtime import db_now
from tests.catalog.plan_helpers import database_state, ticket_types

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "plans" / "small_hall.pretix.json"


def run(*args) -> str:
    out = StringIO()
    call_command("import_seating_plan", *map(str, args), stdout=out)
    return out.getvalue().strip()


def test_with_an_event_it_makes_a_layout_and_a_performance_and_prints_its_id(event):
    printed = run(
        SAMPLE, "--event", event.pk, "--starts-at", "2031-03-01T19:30:00+00:00",
        "--price", "Normal=30", "--price", "Student=15",
    )  # fmt: skip
    performance = Performance.objects.get()
    assert printed == str(performance.pk)
    assert performance.event == event and performance.seats.count() == 31
    assert performance.starts_at == datetime(2031, 3, 1, 19, 30, tzinfo=UTC)
    assert performance.sales_end == performance.starts_at
    assert performance.sales_start <= db_now()
    assert VenueLayout.objects.get().name == "Small hall"
    assert performance.seats.filter(status=SeatStatus.AVAILABLE).count() == 31
    prices = ("--price", "Normal=1", "--price", "Student=1")
    again = run(SAMPLE, "--event", event.pk, "--starts-at", "2031-03-02 19:30", *prices)
    assert again != printed
    assert sorted(VenueLayout.objects.values_list("name", flat=True)) == [
        "Small hall",
        "Small hall (2)",
    ]


def test_with_a_performance_it_fills_it_priced_by_its_own_sections(event):
    normal, student = ticket_types(event)
    now = db_now()
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=9),
        sales_start=now,
        sales_end=now + timedelta(days=8),
    )
    stalls = Section.objects.create(performance=performance, name="Stalls")
    SectionTicketType.objects.create(section=stalls, ticket_type=normal, price=Decimal("30"))
    SectionTicketType.objects.create(section=stalls, ticket_type=student, price=Decimal("15"))
    printed = run(SAMPLE, "--performance", performance.pk, "--price", "Balcony:Normal=25")
    assert printed == str(performance.pk)
    assert performance.seats.count() == 31
    assert performance.seats.filter(section=stalls).count() == 24  # its own section, filled
    prices = SectionTicketType.objects.filter(section__performance=performance)
    assert sorted((p.section.name, p.ticket_type.name, p.price) for p in prices) == [
        ("Balcony", "Normal", Decimal("25")),
        ("Stalls", "Normal", Decimal("30")),
        ("Stalls", "Student", Decimal("15")),
    ]


def test_a_performance_that_has_seats_is_refused_and_nothing_changes(event):
    run(SAMPLE, "--event", event.pk, "--starts-at", "2031-03-01T19:30", "--price", "Normal=3",
        "--price", "Student=2")  # fmt: skip
    performance = Performance.objects.get()
    before = database_state()
    with pytest.raises(CommandError) as refused:
        run(SAMPLE, "--performance", performance.pk)
    assert f"Performance {performance.pk} already has seats" in str(refused.value)
    assert database_state() == before


def test_an_invalid_file_is_named_and_located_and_nothing_changes(event, tmp_path):
    plan = json.loads(SAMPLE.read_text())
    plan["zones"][1]["rows"][2]["seats"][4]["seat_number"] = "5b"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(plan))
    before = database_state()
    with pytest.raises(CommandError) as refused:
        run(bad, "--event", event.pk, "--starts-at", "2031-03-01T19:30", "--price", "Normal=1",
            "--price", "Student=1")  # fmt: skip
    assert str(refused.value) == (
        f'{bad}: The seating plan cannot be imported: zone 2 "Stalls", row 3 "C", seat 5: the '
        'seat number "5b" is not a whole number from 1; Sandali numbers seats 1, 2, 3 … '
        "(renumber the seat)"
    )
    assert database_state() == before


def test_overlapping_seats_are_listed_and_nothing_changes(event, tmp_path):
    bad = tmp_path / "hall.csv"
    bad.write_text(
        "section,row,number,x,y,ticket_type,attributes\n"
        "Stalls,A,1,0,0,Normal,\nStalls,A,2,0.5,0,Normal,\nStalls,A,3,1,0,Normal,\n"
    )
    before = database_state()
    with pytest.raises(CommandError) as refused:
        run(bad, "--event", event.pk, "--starts-at", "2031-03-01T19:30", "--price", "Normal=1")
    lines = str(refused.value).splitlines()
    assert lines[0].startswith(f"{bad}: The layout cannot be sold: 2 problems")
    assert lines[1:] == [
        "  Seat A-2 of section Stalls overlaps seat A-1 of section Stalls.",
        "  Seat A-3 of section Stalls overlaps seat A-2 of section Stalls.",
    ]
    assert database_state() == before


def test_an_event_needs_a_start_and_an_unpriced_plan_is_refused(event):
    with pytest.raises(CommandError, match="--event needs --starts-at"):
        run(SAMPLE, "--event", event.pk)
    with pytest.raises(CommandError, match='no price for ticket type "Normal" in section "Stalls"'):
        run(SAMPLE, "--event", event.pk, "--starts-at", "2031-03-01T19:30")
    with pytest.raises(CommandError) as refused:
        run(SAMPLE, "--event", event.pk, "--starts-at", "2031-03-01T19:30", "--price", "VIP=3")
    assert str(refused.value).endswith(
        '--price "VIP=3": "VIP" names no ticket type of the event and no section'
    )
    with pytest.raises(CommandError, match='--price "Normal=cheap": "Normal=cheap" is not a'):
        run(SAMPLE, "--event", event.pk, "--starts-at", "2031-03-01", "--price", "Normal=cheap")
    assert not Performance.objects.exists() and not VenueLayout.objects.exists()
