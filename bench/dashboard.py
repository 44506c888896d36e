"""The sales page and the exports on a performance with 20,000 sold seats, on PostgreSQL.

Starts a private PostgreSQL (bench/infra.py), migrates it, and in a second process sells every
seat through Sandali's own services (hold, checkout: orders of 100 seats), spreads the orders
over 30 days, cancels a few (refunds), ANALYZEs, then times, through Django's test client as a
superuser (all middleware, the template rendered):
- the sales page (`page_ms`: median of REPEAT, and the first, cold `page_first_ms`), and the
  number of queries it reads;
- the same figures computed as a naive page would, a Python loop over every ticket
  (`naive_python_ms`), for the ratio in the same run;
- the CSV and the Excel export of every ticket (`csv_ms`, `xlsx_ms`) and the CSV's peak Python
  memory while streamed (`csv_peak_mb`: the rows are read in chunks, never all at once).

Run: python -m bench.dashboard [SEATS], prints JSON.
"""

import io
import json
import statistics
import sys
import time
import tracemalloc

REPEAT = 10
ORDER_SIZE = 100


def seed(seats: int) -> int:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.db.models import F

    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now
    from orders.cancellation import cancel_order
    from orders.checkout import checkout
    from orders.models import Order
    from reservations.services import hold_seats

    now = db_now()
    event = Event.objects.create(name="Dashboard", venue="Bench hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    student = TicketType.objects.create(event=event, name="Student")
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=30),
        sales_start=now - timedelta(days=40),
        sales_end=now + timedelta(days=29),
        max_seats_per_order=ORDER_SIZE,
    )
    sections, per_row = 4, 100
    rows = seats // (sections * per_row)
    for index in range(sections):
        section = Section.objects.create(performance=performance, name=f"S{index}", position=index)
        SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal(40))
        SectionTicketType.objects.create(section=section, ticket_type=student, price=Decimal(20))
        generate_section_seats(
            section=section,
            rows=rows,
            seats_per_row=per_row,
            row_ranges=[RowRange(1, rows // 2, normal), RowRange(rows // 2 + 1, rows, student)],
            origin_y=index * (rows + 3),
        )
    ids = list(performance.seats.order_by("id").values_list("id", flat=True))
    for n in range(0, len(ids), ORDER_SIZE):
        held = hold_seats(performance_id=performance.pk, seat_ids=ids[n : n + ORDER_SIZE])
        result = checkout(
            hold_id=held.hold.pk,
            token=held.token,
            idempotency_key=f"dashboard-{n}",
            name="Bench buyer",
            email=f"buyer{n}@example.org",
        )
        days = n * 30 // len(ids)
        Order.objects.filter(pk=result.order.pk).update(
            created_at=F("created_at") - timedelta(days=30 - days)
        )
    orders = list(performance.orders.order_by("id").values_list("id", flat=True))
    for order_id in orders[::20]:  # 5 % refunded: their seats back on sale
        cancel_order(order_id=order_id)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return performance.pk


def naive_figures(performance_id: int) -> dict:
    """What the page shows, counted as a page without aggregates would: every ticket read."""
    from orders.models import Ticket

    by_day, by_price, refunded = {}, {}, 0
    tickets = Ticket.objects.filter(order__performance_id=performance_id).select_related(
        "order", "seat__section", "ticket_type"
    )
    for ticket in tickets:
        if not ticket.valid:
            refunded += ticket.price
            continue
        day = ticket.order.created_at.date()
        by_day[day] = by_day.get(day, 0) + ticket.price
        key = (ticket.seat.section.name, ticket.ticket_type.name)
        by_price[key] = by_price.get(key, 0) + ticket.price
    return {"days": len(by_day), "prices": len(by_price), "refunded": refunded}


def timed_ms(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def measure(seats: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from backoffice.sales import performance_sales
    from catalog.models import Performance
    from ops.export_files import write_csv, write_xlsx

    started = time.perf_counter()
    performance_id = seed(seats)
    seeded_s = time.perf_counter() - started
    performance = Performance.objects.select_related("event").get(pk=performance_id)
    user = get_user_model().objects.create_superuser("bench", password="bench-only-1234")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("admin:catalog_performance_sales", args=[performance_id])

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    first = timed_ms(page)
    queries = []
    # (Not CaptureQueriesContext: the test client's request_started signal resets its log.)
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        page()
    page_times = [timed_ms(page) for _ in range(REPEAT)]
    selector_times = [
        timed_ms(lambda: performance_sales(performance_id=performance_id)) for _ in range(REPEAT)
    ]
    naive_times = [timed_ms(lambda: naive_figures(performance_id)) for _ in range(3)]
    sales = performance_sales(performance_id=performance_id)

    class Discard:
        def write(self, text):
            return len(text)

        def writelines(self, lines):
            for _line in lines:
                pass

    csv_ms = timed_ms(lambda: write_csv(performance, Discard()))
    tracemalloc.start()  # apart from the timing: tracing slows Python down severalfold
    write_csv(performance, Discard())
    csv_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    xlsx_ms = timed_ms(lambda: write_xlsx(performance, io.BytesIO()))
    page_ms = statistics.median(page_times)
    naive_ms = statistics.median(naive_times)
    return {
        "seats": seats,
        "sold": sales.sold,
        "refunded_tickets": sales.refunds.tickets,
        "days": len(sales.by_day),
        "seed_s": round(seeded_s, 1),
        "page_first_ms": round(first, 1),
        "page_ms": round(page_ms, 1),
        "page_queries": len(queries),
        "selectors_ms": round(statistics.median(selector_times), 1),
        "naive_python_ms": round(naive_ms, 1),
        "naive_to_page_ratio": round(naive_ms / page_ms, 1),
        "csv_ms": round(csv_ms, 1),
        "csv_peak_mb": round(csv_peak / 2**20, 1),
        "xlsx_ms": round(xlsx_ms, 1),
    }


def main() -> None:
    if "--inside" in sys.argv:
        seats = int(sys.argv[sys.argv.index("--inside") + 1])
        print(json.dumps(measure(seats)))
        return
    from bench.infra import run_inside_private_postgres

    seats = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    # Production serves the static files' hashed names.
    print(run_inside_private_postgres("bench.dashboard", str(seats), static=True))


if __name__ == "__main__":
    main()
