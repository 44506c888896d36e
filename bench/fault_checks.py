"""The fault test's checks: every promise, read from the database once the rush is over.

Run inside Django: python -m bench.fault_checks, reading what the clients saw acknowledged on
stdin ({"holds": [hold id, ...], "orders": {order id: [hold id, [seat id, ...]]}}); prints one
JSON object whose counts must all read 0 (see bench/faults.py)."""

import json
import sys

import django


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


def main() -> None:
    django.setup()
    print(json.dumps(fault_checks(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
