"""The fault test's checks: every promise, read from the database once the rush is over.

Run inside Django: python -m bench.fault_checks, reading what the clients saw acknowledged on
stdin ({"holds": [hold id, ...], "orders": {order id: [hold id, [seat id, ...]]}}); sweeps once,
as `manage.py sweep_holds` does, then prints one JSON object whose counts must all read 0 (see
bench/faults.py)."""

import json
import sys
import time

import django
import psycopg


def fault_checks(acked: dict) -> dict:
    from django.db.models import Count

    from bench.integrity import double_sold
    from ops.audit import audit
    from orders.models import Order, OrderStatus, PaymentAttempt, Ticket
    from payments.models import Charge
    from reservations.models import Hold

    holds = set(
        Hold.objects.filter(id__in=[int(i) for i in acked["holds"]]).values_list("id", flat=True)
    )
    lost_holds = [i for i in acked["holds"] if int(i) not in holds]
    sold = {}  # (order id, hold id) of every paid order -> seats sold to its valid tickets
    for order_id, hold_id, seat_id in (
        Ticket.objects.filter(valid=True, sold_seat__status="sold", order__status=OrderStatus.PAID)
        .values_list("order_id", "order__hold_id", "seat_id")
        .order_by("seat_id")
    ):
        sold.setdefault((order_id, hold_id), []).append(seat_id)
    lost_orders = [
        order_id
        for order_id, (hold_id, seats) in acked["orders"].items()
        if sold.get((int(order_id), hold_id)) != seats
    ]
    paid = set(
        Order.objects.filter(status=OrderStatus.PAID).values_list("payment_reference", flat=True)
    )
    live_charges = set(
        Charge.objects.filter(approved=True, refund_reference="").values_list(
            "reference", flat=True
        )
    )
    attempts = dict(PaymentAttempt.objects.values_list("status").annotate(n=Count("id")))
    return {
        "lost_acknowledgements": len(lost_holds) + len(lost_orders),
        "lost_holds": lost_holds[:20],
        "lost_orders": lost_orders[:20],
        "double_sold": double_sold(),
        "inconsistencies": audit()["inconsistency_count"],
        "charged_without_tickets": len(live_charges - paid),
        "tickets_without_charge": len(paid - live_charges),
        "unsettled_payments": attempts.get("pending", 0) + attempts.get("refunding", 0),
        "payment_attempts": attempts,
        "orders": Order.objects.count(),
        "charges": Charge.objects.count(),
    }


def wait_until_settled(database_url: str, seconds: float) -> None:
    """Until no payment attempt is pending or refunding, `seconds` at most (bench/faults.py,
    outside Django, before the checks): the sweeper settles one within a sweep (every second)
    of its recovery time. The checks count them again (unsettled_payments), so ending early
    skips only an idle wait."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            [(unsettled,)] = connection.execute(
                "SELECT count(*) FROM orders_paymentattempt"
                " WHERE status IN ('pending', 'refunding')"
            ).fetchall()
            if not unsettled:
                return
            time.sleep(0.2)


def main() -> None:
    django.setup()
    from django.core.management import call_command

    # The final sweep, as `manage.py sweep_holds`: expired holds freed, stale payments settled
    # (run here, not in a process of its own: one Django start-up less).
    call_command("sweep_holds", verbosity=0)
    print(json.dumps(fault_checks(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
