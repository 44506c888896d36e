"""The hot queries use their indexes on PostgreSQL (plans checked with EXPLAIN)."""

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from catalog.free_seat_reads import free_seats_to_choose
from catalog.inventory import free
from catalog.models import Seat, SeatStatus
from core.dbtime import DbNow, db_now
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_and_small(postgres_only):
    big = make_performance(sections=4, rows=40, seats_per_row=50)  # 8,000 seats
    small = make_performance()
    hold_seats(performance_id=big.pk, seat_ids=seat_ids(big)[:4])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_seat")
    return big, small


def plan(queryset) -> str:
    return queryset.explain()


def test_holding_finds_seats_by_primary_key(big_and_small):
    big, _small = big_and_small
    ids = seat_ids(big)[100:104]
    query = Seat.objects.filter(free(DbNow()), performance_id=big.pk, id__in=ids)
    # The seats by their key; the held-back seats (FREE's "not held back", asked only of an
    # expired reservation) may be read whole into a hash: a small table, read only then.
    assert "Seq Scan on catalog_seat " not in plan(query)
    assert "catalog_seat_pkey" in plan(query)


def test_the_sweeper_finds_expired_seats_by_the_partial_index(big_and_small):
    query = Seat.objects.filter(status=SeatStatus.RESERVED, hold_expires_at__lte=Now())
    assert "seat_reserved_expiry" in plan(query)


def test_a_small_performance_map_and_capacity_do_not_scan_other_seats(big_and_small):
    _big, small = big_and_small
    assert "Seq Scan" not in plan(Seat.objects.filter(performance_id=small.pk))


def test_a_hold_seats_are_found_by_the_hold_index(big_and_small):
    big, _small = big_and_small
    hold_id = Seat.objects.filter(performance=big, hold__isnull=False).values("hold_id")[0]
    assert "Seq Scan" not in plan(Seat.objects.filter(hold_id=hold_id["hold_id"]))


def test_best_available_reads_one_performance_by_its_index(big_and_small):
    _big, small = big_and_small
    with CaptureQueriesContext(connection) as captured:
        free_seats_to_choose(performance_id=small.pk, now=db_now())
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {query['sql']}")
            assert "Seq Scan on catalog_seat" not in "\n".join(r[0] for r in cursor.fetchall())


def explained(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_asking_whether_a_performance_has_companion_seats_reads_the_partial_index(big_and_small):
    """Every hold reads its terms with has_companions: on 8,000 seats with none, a probe of
    the (tiny) partial index of companion seats, never the performance's seats."""
    from catalog.selectors import SALE_TERMS_SQL

    big, _small = big_and_small
    query = f"SELECT * FROM ({SALE_TERMS_SQL}) t WHERE t.performance_id = %s"
    explanation = explained(query, [big.pk])
    assert "seat_companion_of" in explanation
    assert "Seq Scan on catalog_seat" not in explanation


def test_a_wheelchair_spaces_companions_are_found_by_the_partial_index(big_and_small):
    from catalog.free_seat_reads import companion_links

    big, _small = big_and_small
    ids, now = seat_ids(big)[10:12], db_now()
    with CaptureQueriesContext(connection) as captured:
        companion_links(performance_id=big.pk, seat_ids=ids, now=now)
    (query,) = captured.captured_queries
    explanation = explained(query["sql"], None)
    assert "seat_companion_of" in explanation
    assert "Seq Scan on catalog_seat" not in explanation


def test_taking_places_reads_the_area_in_number_order_by_the_unique_index(big_and_small):
    from reservations.areas import AreaQuantity
    from tests.factories import make_standing_area

    big, _small = big_and_small
    area = make_standing_area(big, capacity=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_seat")
    with CaptureQueriesContext(connection) as captured:
        held = hold_seats(performance_id=big.pk, areas=[AreaQuantity(area.pk, 4)])
    # Exactly four: under this plan a subquery `id IN (... LIMIT 4 FOR UPDATE)` was run again
    # for each row updated, and took every place of the area.
    assert len(held.seats) == 4 and area.seats.filter(status="reserved").count() == 4
    (take,) = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {take}")
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on catalog_seat" not in explained
    assert "Sort" not in explained  # the places come in number order from the index


def test_taking_places_takes_exactly_the_quantity_whatever_the_join_plan(postgres_only):
    """Planned as a nested loop, `id IN (SELECT ... LIMIT n FOR UPDATE)` ran its subquery
    again for each row updated, each run skipping the places just taken: it took them all."""
    from django.db import transaction

    from reservations.areas import AreaQuantity
    from tests.factories import make_standing_area

    performance = make_performance(sections=1, rows=1, seats_per_row=2)
    area = make_standing_area(performance, capacity=50)
    with transaction.atomic(), connection.cursor() as cursor:
        # The plan it was: a nested loop that runs the subquery again for each seat row.
        for setting in ("hashagg", "sort", "hashjoin", "mergejoin", "material"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        held = hold_seats(performance_id=performance.pk, areas=[AreaQuantity(area.pk, 3)])
    assert len(held.seats) == 3
    assert area.seats.filter(status="reserved").count() == 3
