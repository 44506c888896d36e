"""Seed a benchmark database through Sandali's own services: the scenario performances, and
some history (past sales, expired holds) so the planner sees a used database; then ANALYZE.

Run inside Django: python -m bench.seed SPEC_JSON, prints {name: performance_id}."""

import json
import random
import sys
from datetime import timedelta
from decimal import Decimal

import django


def main() -> None:
    django.setup()
    from django.db import connection

    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now
    from orders.checkout import checkout
    from reservations.services import hold_seats

    # {name: seats} or {name: [seats, sections]}
    spec: dict = json.loads(sys.argv[1])
    now = db_now()
    event = Event.objects.create(name="Benchmark", venue="Bench hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    student = TicketType.objects.create(event=event, name="Student")
    vip = TicketType.objects.create(event=event, name="VIP")
    created = {}
    for name, size in {"history": 2000, **spec}.items():
        seats, sections = size if isinstance(size, list) else (size, max(1, -(-size // 50_000)))
        performance = Performance.objects.create(
            event=event,
            starts_at=now + timedelta(days=30),
            sales_start=now - timedelta(days=1),
            sales_end=now + timedelta(days=29),
            published_at=now,  # buyers see only published performances
        )
        per_row = 100 if seats >= 10_000 else 50
        rows_total = seats // per_row
        for index in range(sections):
            rows = rows_total // sections + (1 if index < rows_total % sections else 0)
            section = Section.objects.create(
                performance=performance, name=f"S{index}", position=index
            )
            SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal(40))
            SectionTicketType.objects.create(
                section=section, ticket_type=student, price=Decimal(20)
            )
            SectionTicketType.objects.create(section=section, ticket_type=vip, price=Decimal(90))
            third = rows // 3
            if third:
                ranges = [
                    RowRange(1, third, vip),
                    RowRange(third + 1, 2 * third, normal),
                    RowRange(2 * third + 1, rows, student),
                ]
            else:
                ranges = [RowRange(1, rows, normal)]
            generate_section_seats(
                section=section,
                rows=rows,
                seats_per_row=per_row,
                row_ranges=ranges,
                origin_y=index * (rows + 3),
            )
        created[name] = performance.pk

    history = Performance.objects.get(pk=created.pop("history"))
    ids = list(history.seats.values_list("id", flat=True))
    random.Random(7).shuffle(ids)
    for n in range(150):
        held = hold_seats(performance_id=history.pk, seat_ids=ids[n * 4 : n * 4 + 3])
        if n % 3:
            checkout(
                hold_id=held.hold.pk,
                token=held.token,
                idempotency_key=f"history-{n}",
                name="Past buyer",
                email="past@example.org",
            )
    # Vacuumed as well as analyzed: otherwise autovacuum starts on the freshly loaded seat
    # table in the middle of the first measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(json.dumps(created))


if __name__ == "__main__":
    main()
