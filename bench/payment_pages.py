"""What paying at the provider's hosted page costs the server (orders/redirect.py) against the
synchronous checkout, in the same run on the same hall: the statements each path sends to the
database (counts, the same on every machine) and the server time of each step (indicative).

Each buyer holds two seats and pays once, alternately by each path: synchronous (`checkout`:
record, charge, settle) and hosted page (`start_payment`, then the test provider's Pay with no
webhook, then the buyer's return: verify and settle). The buyer's time at the page and the
network are not in it: only the work Sandali does.

Run inside Django on the benchmark's database: python -m bench.payment_pages [BUYERS], prints
JSON.
"""

import json
import statistics
import sys
import time


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


def payment_pages(*, buyers: int = 200) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.stranded import make_hall
    from catalog.models import Seat
    from orders.checkout import checkout
    from orders.redirect import return_from_page, start_payment
    from payments import test_gateway
    from payments.models import HostedTestPayment
    from reservations.services import hold_seats

    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False
    performance_id = make_hall(seats=buyers * 2, refuse_single_seat_gaps=False)
    seats = list(
        Seat.objects.filter(performance_id=performance_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    buyer = {"name": "Ava", "email": "ava@example.org"}
    times: dict[str, list[float]] = {"sync": [], "start": [], "pay_at_page": [], "return": []}
    queries: dict[str, list[int]] = {"sync": [], "start": [], "return": []}
    for n in range(buyers):
        held = hold_seats(performance_id=performance_id, seat_ids=seats[2 * n : 2 * n + 2])
        key = f"bench-{n}"
        ids = {"hold_id": held.hold.pk, "token": held.token, "idempotency_key": key}
        if n % 2 == 0:
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                checkout(**ids, **buyer)
                times["sync"].append(time.perf_counter() - began)
            queries["sync"].append(len(captured))
            continue
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            page = start_payment(
                **ids, **buyer, return_url="http://bench/return", webhook_url="http://bench/hook"
            )
            times["start"].append(time.perf_counter() - began)
        queries["start"].append(len(captured))
        reference = page.url.rstrip("/").rsplit("/", 1)[1]
        began = time.perf_counter()
        test_gateway.pay(HostedTestPayment.objects.get(reference=reference))
        times["pay_at_page"].append(time.perf_counter() - began)
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            return_from_page(**ids)
            times["return"].append(time.perf_counter() - began)
        queries["return"].append(len(captured))
    sync = statistics.fmean(times["sync"])
    redirect = statistics.fmean(times["start"]) + statistics.fmean(times["return"])
    return {
        "buyers": buyers,
        "database": connection.vendor,
        "server_time": {step: _ms(samples) for step, samples in times.items()},
        "statements": {step: max(counts) for step, counts in queries.items()},
        "hosted_page_to_sync_server_time": round(redirect / sync, 2),
    }


def main() -> None:
    import django

    django.setup()
    buyers = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(json.dumps(payment_pages(buyers=buyers)))


if __name__ == "__main__":
    main()
