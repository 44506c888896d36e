"""The box office desk's sale against a buyer's checkout, on PostgreSQL, in the same run.

Starts a private PostgreSQL (bench/infra.py), migrates it, and in a second process sells
SALES orders of SEATS_PER_SALE seats each way on one performance through Sandali's services:
- the desk: `choose_seat` once per seat (the first makes the hold, the rest add to it), then
  `sell_at_desk` (cash) — what a desk's clicks and its "Sell" call;
- a buyer: `hold_seats` with every seat at once, then `checkout` (the test payment provider,
  two-phase: the attempt, the charge, the settlement).
Prints JSON: each path's median and p95 in milliseconds for the whole sale and for its sale
step alone, and the desk-to-buyer ratios of the same run. Timings on a busy machine are
indicative; the ratios are the figure to read.

Run: python -m bench.box_office, prints JSON.
"""

import json
import statistics
import sys
import time

SALES = 200
SEATS_PER_SALE = 2


def seed() -> tuple[int, list[int]]:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection

    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now

    now = db_now()
    event = Event.objects.create(name="Box office", venue="Bench hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=30),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=29),
        published_at=now - timedelta(days=1),
    )
    section = Section.objects.create(performance=performance, name="Stalls", position=0)
    SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal(40))
    seats = 2 * SALES * SEATS_PER_SALE
    generate_section_seats(
        section=section,
        rows=seats // 50,
        seats_per_row=50,
        row_ranges=[RowRange(1, seats // 50, normal)],
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return performance.pk, list(performance.seats.order_by("id").values_list("id", flat=True))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure() -> dict:
    import django

    django.setup()
    from backoffice.box_office import Customer, DeskHold, DeskPayment, choose_seat, sell_at_desk
    from orders.checkout import checkout
    from orders.models import DeskMethod
    from reservations.services import hold_seats

    performance_id, ids = seed()
    groups = [ids[n : n + SEATS_PER_SALE] for n in range(0, len(ids), SEATS_PER_SALE)]
    desk_total, desk_sell, buyer_total, buyer_checkout = [], [], [], []
    # Interleaved, so that both paths see the same table sizes and the same background load.
    for n, (desk_seats, buyer_seats) in enumerate(zip(groups[::2], groups[1::2], strict=True)):
        started = time.perf_counter()
        hold = None
        for seat_id in desk_seats:
            state = choose_seat(performance_id=performance_id, seat_id=seat_id, hold=hold)
            hold = hold or DeskHold(state.hold.pk, state.token)
        selling = time.perf_counter()
        sell_at_desk(
            hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(), actor="bench"
        )
        done = time.perf_counter()
        desk_total.append((done - started) * 1000)
        desk_sell.append((done - selling) * 1000)

        started = time.perf_counter()
        held = hold_seats(performance_id=performance_id, seat_ids=buyer_seats)
        paying = time.perf_counter()
        checkout(
            hold_id=held.hold.pk,
            token=held.token,
            idempotency_key=f"bench-{n}",
            name="Bench buyer",
            email="buyer@example.org",
        )
        done = time.perf_counter()
        buyer_total.append((done - started) * 1000)
        buyer_checkout.append((done - paying) * 1000)

    def summary(values):
        return {
            "median": round(statistics.median(values), 2),
            "p95": round(percentile(values, 0.95), 2),
        }

    return {
        "sales_each_way": SALES,
        "seats_per_sale": SEATS_PER_SALE,
        "desk_sale_ms": summary(desk_total),
        "desk_sell_step_ms": summary(desk_sell),
        "buyer_sale_ms": summary(buyer_total),
        "buyer_checkout_step_ms": summary(buyer_checkout),
        "desk_to_buyer_sale_ratio": round(
            statistics.median(desk_total) / statistics.median(buyer_total), 2
        ),
        "desk_sell_to_checkout_ratio": round(
            statistics.median(desk_sell) / statistics.median(buyer_checkout), 2
        ),
    }


def main() -> None:
    if "--inside" in sys.argv:
        print(json.dumps(measure()))
        return
    from bench.infra import run_inside_private_postgres

    print(run_inside_private_postgres("bench.box_office"))


if __name__ == "__main__":
    main()
