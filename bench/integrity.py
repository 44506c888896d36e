"""Seats sold twice and audit inconsistencies, read from the database after a benchmark run.

Run inside Django: python -m bench.integrity, prints {"double_sold": n, "inconsistencies": n}."""

import json

import django


def double_sold() -> int:
    """Seats with more than one valid ticket: the one thing that must never happen."""
    from django.db.models import Count

    from orders.models import Ticket

    return (
        Ticket.objects.filter(valid=True)
        .values("seat_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )


def integrity() -> dict[str, int]:
    from ops.audit import audit

    return {"double_sold": double_sold(), "inconsistencies": audit()["inconsistency_count"]}


def main() -> None:
    django.setup()
    print(json.dumps(integrity()))


if __name__ == "__main__":
    main()
