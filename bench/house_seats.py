"""What holding seats back for channels costs a buyer's take, on PostgreSQL.

The rule FREE asks "is the seat held back for a channel?" of a reserved seat whose hold has
expired (catalog/seat_statements.py), so a desk's lapsed hold of a channel's seat goes back to
the channel. This times the buyer's take statement (the inventory's own text, run in a
transaction that is rolled back) with FREE as it is and as it was before house seats (no
held-back check), on 4 seats that are available and on 4 whose hold has expired, with 20,000
held-back seats of another performance in the table (and once more with the table empty).
Also times release_channel of 2,000 seats. The ratios compare figures of the same run.

Run: python -m bench.house_seats, prints JSON (private PostgreSQL, bench/infra.py).
"""

import json
import statistics
import sys
import time

REPEAT = 300
SEATS = 20_000


def make_performance(name: str):
    from datetime import timedelta
    from decimal import Decimal

    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now

    now = db_now()
    event = Event.objects.create(name=name, venue="Bench hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=30),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=29),
        published_at=now,
    )
    for index in range(4):
        section = Section.objects.create(performance=performance, name=f"S{index}", position=index)
        SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal(40))
        generate_section_seats(
            section=section,
            rows=SEATS // 400,
            seats_per_row=100,
            row_ranges=[RowRange(1, SEATS // 400, normal)],
            origin_y=index * 60,
        )
    return performance


def timed_take(sql: str, params: list) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            taken = cursor.fetchall()
        transaction.set_rollback(True)
    elapsed = (time.perf_counter() - started) * 1000
    assert len(taken) == 4, len(taken)
    return elapsed


def measure() -> dict:
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection

    from catalog import inventory
    from catalog.house_seats import hold_back_seats, release_channel
    from catalog.seat_statements import take_statement
    from core.dbtime import db_now
    from core.sql import as_param
    from reservations.services import hold_seats

    buyers, house = make_performance("Buyers"), make_performance("House")
    ids = list(buyers.seats.order_by("id").values_list("id", flat=True))
    free_ids, lapsed_ids = ids[5000:5004], ids[6000:6004]
    held = hold_seats(performance_id=buyers.pk, seat_ids=lapsed_ids)
    with connection.cursor() as cursor:  # the hold's minutes run out (planted: a benchmark)
        past = as_param(db_now() - timedelta(minutes=1))
        cursor.execute(
            "UPDATE reservations_hold SET created_at = %s, expires_at = %s WHERE id = %s",
            [as_param(db_now() - timedelta(minutes=20)), past, held.hold.pk],
        )
        cursor.execute("UPDATE catalog_seat SET hold_expires_at = %s WHERE hold_id = %s",
                       [past, held.hold.pk])  # fmt: skip
    old_free = "(status = 'available' OR (status = 'reserved' AND hold_expires_at <= %s))"

    def statements(seat_ids):
        now = db_now()
        new = take_statement(
            hold_id=held.hold.pk, performance_id=buyers.pk, seat_ids=seat_ids,
            expires_at=as_param(now + timedelta(minutes=10)), now=as_param(now),
            vendor="postgresql",
        )  # fmt: skip
        return {"new": (new.sql, new.params),
                "old": (new.sql.replace(inventory.FREE_SQL, old_free), new.params)}  # fmt: skip

    def run(label: str) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        figures = {}
        for case, seat_ids in (("available", free_ids), ("expired", lapsed_ids)):
            rules = statements(seat_ids)
            times: dict[str, list[float]] = {rule: [] for rule in rules}
            for n in range(REPEAT + 20):  # the two rules in turn, so both see the same load
                for rule, (sql, params) in rules.items():
                    elapsed = timed_take(sql, params)
                    if n >= 20:  # after warming up
                        times[rule].append(elapsed)
            for rule, taken in times.items():
                figures[f"{case}_{rule}_ms"] = round(statistics.median(taken), 3)
            figures[f"{case}_new_to_old_ratio"] = round(
                figures[f"{case}_new_ms"] / figures[f"{case}_old_ms"], 2
            )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {statements(lapsed_ids)['new'][0]}",
                           statements(lapsed_ids)["new"][1])  # fmt: skip
            plan = "\n".join(row[0] for row in cursor.fetchall())
        figures["held_back_check"] = "hashed" if "hashed SubPlan" in plan else "per seat"
        return {label: figures}

    result = {"seats_per_performance": SEATS, "repeat": REPEAT}
    result.update(run("no_held_back_seats"))
    house_ids = list(house.seats.order_by("id").values_list("id", flat=True))
    for start in range(0, len(house_ids), 2000):
        hold_back_seats(
            performance_id=house.pk, channel=f"c{start // 2000}",
            seat_ids=house_ids[start : start + 2000],
        )  # fmt: skip
    result.update(run("20000_held_back_seats"))
    started = time.perf_counter()
    released = release_channel(performance_id=house.pk, channel="c0")
    result["release_channel_2000_ms"] = round((time.perf_counter() - started) * 1000, 1)
    assert released == 2000
    return result


def main() -> None:
    if "--inside" in sys.argv:
        print(json.dumps(measure()))
        return
    from bench.infra import run_inside_private_postgres

    print(run_inside_private_postgres("bench.house_seats"))


if __name__ == "__main__":
    main()
