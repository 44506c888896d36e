"""Prometheus counters: what operators watch during an on-sale, counted where it happens.

Counters are per process (Prometheus scrapes each app process). The gauges computed at each
scrape (the inventory's inconsistencies) and the /metrics view are in ops/metrics.py.
"""

import functools

from prometheus_client import Counter, Gauge, Histogram

from core.errors import DomainError

HOLD_ATTEMPTS = Counter(
    "sandali_hold_attempts", "Requests to hold or add seats, by outcome.", ["outcome"]
)
CHECKOUTS = Counter("sandali_checkouts", "Checkouts, by outcome.", ["outcome"])
SEAT_CHANGES = Counter(
    "sandali_seat_changes",
    "Seats that changed status, by why: held, sold, released, expired, cancelled, blocked, "
    "unblocked.",
    ["reason"],
)
PAYMENT_REFUNDS = Counter(
    "sandali_payment_refunds",
    "Approved payments refunded because their hold's seats were lost while paying, by reason.",
    ["reason"],
)
PAYMENTS_RECOVERED = Counter(
    "sandali_payments_recovered",
    "Payment attempts left unsettled (a crash, a provider failure) that the sweeper settled, "
    "by how they ended.",
    ["outcome"],
)
SWEEP_RUNS = Counter("sandali_sweep_runs", "Runs of the sweeper of expired holds.")
SWEEP_SEATS_FREED = Counter("sandali_sweep_seats_freed", "Seats the sweeper freed.")
WEBSOCKET_CONNECTIONS = Gauge(
    "sandali_websocket_connections", "Open WebSocket connections to seat maps."
)
REDIS_FAILURES = Counter(
    "sandali_redis_failures",
    "Calls to Redis that failed because it could not be reached, by use (cache, channel layer).",
    ["use"],
)
# The waiting room (reservations/waiting_room.py): set at each join and poll, from the
# queue's shared store, so every process reports the queue as it last saw it (take the max).
QUEUE_WAITING = Gauge(
    "sandali_queue_waiting",
    "Buyers in a performance's waiting room not yet let in, as this process last saw it.",
    ["performance"],
)
QUEUE_ADMITTED = Gauge(
    "sandali_queue_admitted",
    "Buyers let in from a performance's waiting room so far, as this process last saw it.",
    ["performance"],
)
QUEUE_RATE = Gauge(
    "sandali_queue_rate_per_minute",
    "Admissions a minute of a performance's waiting room (an auto rate moves), as this process "
    "last saw it.",
    ["performance"],
)
REQUEST_SECONDS = Histogram(
    "sandali_request_seconds",
    "HTTP request latency, by route pattern and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def count_outcomes(counter: Counter, success=lambda result: "ok"):
    """Count each call of a service under its domain error's code, or under success(result)."""

    def decorate(service):
        @functools.wraps(service)
        def counted(*args, **kwargs):
            try:
                result = service(*args, **kwargs)
            except DomainError as error:
                counter.labels(error.code).inc()
                raise
            counter.labels(success(result)).inc()
            return result

        return counted

    return decorate
