"""The waiting list's costs, on PostgreSQL: what its rule costs every buyer's hold, and how
fast the periodic run offers freed seats.

Starts a private PostgreSQL (bench/infra.py), migrates it, and in a second process:
- `hold_ms` / `hold_unguarded_ms`: the median of a hold of 2 seats plus its release, through
  reservations.services on a 2,000-seat performance nobody waits for, with the waiting list's
  rule (whether anybody waits, read with the hold's row) and with the rule replaced by
  nothing, interleaved in rounds so both see the same machine; `hold_ratio` is the first over
  the second;
- `hold_kept_ms`: the same hold refused because an entry waits (the rule finds it);
- `serve_ms`, `offers`, `offered_seats`: one periodic run offering the seats of a cancelled
  order of `FREED` seats to `ENTRIES` entries of 2 seats each (a hold, 2 seats and a mail row
  per offer), and `serve_ms_per_offer`; `idle_serve_ms`: a run with nothing to offer.

Run: python -m bench.waiting_list, prints JSON.
"""

import json
import statistics
import sys
import time

ROUNDS = 7
PER_ROUND = 100
ENTRIES = 200
FREED = 400


def hall(seats: int):
    from datetime import timedelta
    from decimal import Decimal

    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now

    now = db_now()
    event = Event.objects.create(name="Waiting list", venue="Bench hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=30),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=29),
        max_seats_per_order=100,
        published_at=now - timedelta(days=1),
    )
    section = Section.objects.create(performance=performance, name="S", position=0)
    SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal(40))
    generate_section_seats(
        section=section, rows=seats // 50, seats_per_row=50, row_ranges=[RowRange(1, seats // 50,
        normal)],
    )  # fmt: skip
    return performance


def ms(work) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def measure() -> dict:
    import django

    django.setup()
    from django.db import connection

    from orders.cancellation import cancel_order
    from orders.checkout import checkout
    from orders.waiting_list import join_waiting_list, serve_all
    from reservations import services
    from reservations.services import hold_seats, release_hold

    free_hall = hall(2000)
    ids = list(free_hall.seats.order_by("id").values_list("id", flat=True))
    from reservations import selectors

    rule = (services.kept_for_waiting_list, services.LIST_WAITS_SQL, selectors.LIST_WAITS_SQL)

    def use_rule(on: bool) -> None:
        """The rule as it is, or nothing of it: no read of the waiting list with the hold's
        row (a constant false in its place) and no check of the seats taken."""
        if on:
            kept, services.LIST_WAITS_SQL, selectors.LIST_WAITS_SQL = rule
            services.kept_for_waiting_list = kept
        else:
            services.kept_for_waiting_list = lambda *_args, **_kwargs: []
            services.LIST_WAITS_SQL = selectors.LIST_WAITS_SQL = "({performance} IS NULL)"

    def hold_and_release(n: int) -> None:
        held = hold_seats(performance_id=free_hall.pk, seat_ids=ids[2 * n : 2 * n + 2])
        release_hold(hold_id=held.hold.pk, token=held.token)

    with_rule, without_rule = [], []
    for _round in range(ROUNDS):
        use_rule(True)
        with_rule += [ms(lambda n=n: hold_and_release(n)) for n in range(PER_ROUND)]
        use_rule(False)
        without_rule += [ms(lambda n=n: hold_and_release(n)) for n in range(PER_ROUND)]
    use_rule(True)

    full = hall(FREED)
    seats = list(full.seats.order_by("id").values_list("id", flat=True))
    orders = []
    for start in range(0, FREED, 100):  # sold out, in orders of 100 (a request's limit)
        held = hold_seats(performance_id=full.pk, seat_ids=seats[start : start + 100])
        orders.append(
            checkout(
                hold_id=held.hold.pk,
                token=held.token,
                idempotency_key="bench",
                name="Bench",
                email="bench@example.org",
            ).order  # fmt: skip
        )
    for n in range(ENTRIES):
        join_waiting_list(performance_id=full.pk, email=f"w{n}@example.org", quantity=2)
    for order in orders:
        cancel_order(order_id=order.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def kept() -> None:
        try:
            hold_seats(performance_id=full.pk, seat_ids=seats[:2])
        except Exception:  # SeatsUnavailable: kept for the list
            return
        raise AssertionError("a seat somebody waits for was held by the public")

    kept_times = [ms(kept) for _ in range(PER_ROUND)]
    start = time.perf_counter()
    run = serve_all()
    serve = (time.perf_counter() - start) * 1000
    idle = statistics.median(ms(serve_all) for _ in range(5))
    hold_ms, unguarded_ms = statistics.median(with_rule), statistics.median(without_rule)
    return {
        "hold_ms": round(hold_ms, 3),
        "hold_unguarded_ms": round(unguarded_ms, 3),
        "hold_ratio": round(hold_ms / unguarded_ms, 3),
        "hold_kept_ms": round(statistics.median(kept_times), 3),
        "serve_ms": round(serve, 1),
        "offers": run.offered,
        "offered_seats": run.seats,
        "serve_ms_per_offer": round(serve / max(run.offered, 1), 2),
        "idle_serve_ms": round(idle, 2),
    }


def main() -> None:
    if "--inside" in sys.argv:
        print(json.dumps(measure()))
        return
    from bench.infra import run_inside_private_postgres

    print(run_inside_private_postgres("bench.waiting_list"))


if __name__ == "__main__":
    main()
