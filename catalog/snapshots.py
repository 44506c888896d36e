"""Short-lived cached snapshots of what every buyer reads: the capacity figures and the seat map.

Computed from seat rows, kept in Django's cache (shared through Redis when REDIS_URL is set) for
SANDALI_SNAPSHOT_SECONDS (default 1), never incremented. Each snapshot carries the time it was
computed, and one older than the TTL is never returned, whatever the cache backend rounds.
The seat map's snapshot serves both the API (compact rows with an ETag) and the watchers of
the live seat map (the message a socket gets on connect), from one query.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from catalog.models import SectionTicketType
from catalog.selectors import (
    SEAT_MAP_COLUMNS,
    Capacity,
    capacity_by_section_and_ticket_type,
    get_performance,
    standing_areas,
)
from catalog.selectors import seat_map as read_seat_map

CENT = Decimal("0.01")


def _cached_entry(key: str, compute) -> tuple[float, object]:
    """(when the value was computed, the value): from the cache if that was less than the
    TTL ago, else computed now. The time is taken before the rows are read, so a value never
    misses a change committed before that time."""
    ttl = settings.SANDALI_SNAPSHOT_SECONDS
    if ttl > 0:
        entry = cache.get(key)
        if entry is not None and time.time() - entry[0] < ttl:
            return entry
    entry = (time.time(), compute())
    if ttl > 0:
        cache.set(key, entry, timeout=max(1, int(ttl + 1)))
    return entry


def _cached(key: str, compute):
    return _cached_entry(key, compute)[1]


def capacity(*, performance_id: int) -> list[Capacity]:
    return _cached(
        f"capacity:{performance_id}",
        lambda: capacity_by_section_and_ticket_type(performance_id=performance_id),
    )


@dataclass(frozen=True)
class SeatMap:
    etag: str  # a hash of exactly the body's bytes
    # The API's compact map: {"columns": [...], "seats": [[...], ...], "areas": [{...}, ...]}
    body: bytes
    # A socket's snapshot: {"snapshot":true,"seats":[[id,status,version]],
    # "areas":[[id,free,version]]}
    watcher_message: str


# Where a watcher's three columns stand in a row of the compact map.
ID, STATUS, VERSION = (SEAT_MAP_COLUMNS.index(name) for name in ("id", "status", "version"))


def seat_map(*, performance_id: int) -> tuple[float, SeatMap]:
    """The seat map of a performance and when it was computed; DomainError (404) for an
    unknown performance."""

    def compute() -> SeatMap:
        get_performance(performance_id=performance_id)  # 404 for an unknown one
        rows = read_seat_map(performance_id=performance_id)
        areas = standing_areas(performance_id=performance_id)
        body = json.dumps(
            {"columns": SEAT_MAP_COLUMNS, "seats": rows, "areas": areas}, separators=(",", ":")
        )
        states = [[row[ID], row[STATUS], row[VERSION]] for row in rows]
        counts = [[area["id"], area["free"], area["version"]] for area in areas]
        message = json.dumps(
            {"snapshot": True, "seats": states, "areas": counts}, separators=(",", ":")
        )
        etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
        return SeatMap(etag=etag, body=body.encode(), watcher_message=message)

    return _cached_entry(f"seat-map:{performance_id}", compute)


def seat_map_json(*, performance_id: int) -> tuple[str, bytes]:
    """The compact seat map as JSON bytes, with its ETag."""
    _computed_at, snapshot = seat_map(performance_id=performance_id)
    return snapshot.etag, snapshot.body


def price_list(*, performance_id: int) -> dict[tuple[int, int], tuple[Decimal, str, str]]:
    """(section id, ticket type id) -> (price, section name, ticket type name)."""

    def compute():
        prices = SectionTicketType.objects.filter(section__performance_id=performance_id)
        rows = prices.values_list("section_id", "ticket_type_id", "price", "section__name",
                                  "ticket_type__name")  # fmt: skip
        return {(s, t): (price.quantize(CENT), sn, tn) for s, t, price, sn, tn in rows}

    return _cached(f"prices:{performance_id}", compute)
