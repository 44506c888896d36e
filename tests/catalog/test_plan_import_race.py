"""Imports at the same moment, on PostgreSQL with real threads: they run one after the other,
so two into one empty performance fill it once and refuse the second cleanly, and two into one
event make two layouts with two names."""

from datetime import timedelta
from pathlib import Path

import pytest

from catalog.errors import PerformanceHasSeats
from catalog.models import Performance, VenueLayout
from catalog.plan_import import (
    PriceRule,
    import_plan_as_performance,
    import_plan_into_performance,
    read_plan_file,
)
from core.dbtime import db_now
from tests.catalog.plan_helpers import ticket_types
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).parent / "plans" / "small_hall.pretix.json"
RULES = [PriceRule("Normal", 30), PriceRule("Student", 15)]


def plan():
    return read_plan_file(content=SAMPLE.read_bytes(), filename=SAMPLE.name)


def test_two_imports_into_one_empty_performance_fill_it_once(postgres_only, event):
    ticket_types(event)
    now = db_now()
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=9),
        sales_start=now,
        sales_end=now + timedelta(days=8),
    )
    results = run_threads(
        2, lambda n: import_plan_into_performance(performance=performance, plan=plan(), rules=RULES)
    )
    assert sorted(type(r).__name__ for r in results) == ["PerformanceHasSeats", "VenueLayout"]
    assert any(isinstance(r, PerformanceHasSeats) for r in results)
    assert performance.seats.count() == 31
    assert list(VenueLayout.objects.values_list("name", flat=True)) == ["Small hall"]


def test_two_imports_into_one_event_make_two_layouts_and_two_performances(postgres_only, event):
    now = db_now()

    def make(n: int):
        return import_plan_as_performance(
            event=event,
            plan=plan(),
            starts_at=now + timedelta(days=10 + n),
            sales_start=now,
            sales_end=now + timedelta(days=9),
            rules=RULES,
        )

    results = run_threads(2, make)
    assert all(isinstance(r, Performance) for r in results), results
    assert sorted(VenueLayout.objects.values_list("name", flat=True)) == [
        "Small hall",
        "Small hall (2)",
    ]
    assert [p.seats.count() for p in Performance.objects.all()] == [31, 31]
