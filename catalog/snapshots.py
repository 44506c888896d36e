"""Short-lived cached snapshots of what every buyer reads: the capacity figures and the seat map.

Computed from seat rows, kept in Django's cache (shared through Redis when REDIS_URL is set) for
SANDALI_SNAPSHOT_SECONDS (default 1), never incremented. Each snapshot carries the time it was
computed, and one older than the TTL is never returned, whatever the cache backend rounds.
"""

import hashlib
import json
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from catalog.models import SectionTicketType
from catalog.selectors import (
    SEAT_MAP_COLUMNS,
    Capacity,
    capacity_by_section_and_ticket_type,
    get_performance,
)
from catalog.selectors import seat_map as read_seat_map

CENT = Decimal("0.01")


def _cached(key: str, compute):
    ttl = settings.SANDALI_SNAPSHOT_SECONDS
    if ttl <= 0:
        return compute()
    entry = cache.get(key)
    if entry is not None and time.time() - entry[0] < ttl:
        return entry[1]
    value = compute()
    cache.set(key, (time.time(), value), timeout=max(1, int(ttl + 1)))
    return value


def capacity(*, performance_id: int) -> list[Capacity]:
    return _cached(
        f"capacity:{performance_id}",
        lambda: capacity_by_section_and_ticket_type(performance_id=performance_id),
    )


def seat_map_json(*, performance_id: int) -> tuple[str, bytes]:
    """The compact seat map as JSON bytes, with its ETag (a hash of exactly those bytes)."""

    def compute() -> tuple[str, bytes]:
        get_performance(performance_id=performance_id)  # 404 for an unknown one
        body = json.dumps(
            {"columns": SEAT_MAP_COLUMNS, "seats": read_seat_map(performance_id=performance_id)},
            separators=(",", ":"),
        ).encode()
        return f'"{hashlib.sha256(body).hexdigest()[:32]}"', body

    return _cached(f"seat-map:{performance_id}", compute)


def price_list(*, performance_id: int) -> dict[tuple[int, int], tuple[Decimal, str, str]]:
    """(section id, ticket type id) -> (price, section name, ticket type name)."""

    def compute():
        prices = SectionTicketType.objects.filter(section__performance_id=performance_id)
        rows = prices.values_list("section_id", "ticket_type_id", "price", "section__name",
                                  "ticket_type__name")  # fmt: skip
        return {(s, t): (price.quantize(CENT), sn, tn) for s, t, price, sn, tn in rows}

    return _cached(f"prices:{performance_id}", compute)
