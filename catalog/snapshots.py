"""Short-lived cached snapshots of what every buyer reads: the capacity figures and the seat map.

Computed from seat rows, kept in Django's cache (shared through Redis when REDIS_URL is set) for
SANDALI_SNAPSHOT_SECONDS (default 1), never incremented. Each snapshot carries the time it was
computed, and one older than the TTL is never returned, whatever the cache backend rounds.
The seat map's snapshot serves both the API (compact rows with an ETag) and the watchers of
the live seat map (the message a socket gets on connect), from one query.
"""

import gzip
import hashlib
import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from catalog import seat_map_columns
from catalog.models import SectionTicketType
from catalog.seat_flags import WHEELCHAIR
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
    # Whether any seat is a wheelchair space: the buyer's page asks (catalog/buyer_choices.py),
    # and takes it from here rather than scanning the seats again by a flag no index serves.
    wheelchair: bool


# Where a watcher's three columns stand in a row of the compact map.
ID, STATUS, VERSION = (SEAT_MAP_COLUMNS.index(name) for name in ("id", "status", "version"))
FLAGS = SEAT_MAP_COLUMNS.index("flags")


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
        wheelchair = any(row[FLAGS] & WHEELCHAIR for row in rows)
        return SeatMap(
            etag=etag, body=body.encode(), watcher_message=message, wheelchair=wheelchair
        )

    return _shared_seat_map(f"seat-map:{performance_id}", compute)


# This process's copy of each seat map it served, and one lock per map so that one thread makes
# a new one while the others wait for it. In the rush every buyer reloads the map before each
# try: fetching the whole snapshot from Redis for each request (200 KB at 2,000 seats, to
# answer a 304 as often as not) cost more than the rest of the request.
_local_maps: dict[str, tuple[float, SeatMap]] = {}
LOCAL_MAPS = 32
# A fixed set of locks, a map's chosen by its key: a lock per key would grow with every id
# anyone asks for, and two maps sharing a lock only wait for each other's rare rebuild.
_map_locks = [threading.Lock() for _ in range(64)]


def _shared_seat_map(key: str, compute: Callable[[], SeatMap]) -> tuple[float, SeatMap]:
    """The seat map's entry, as _cached_entry gives it (never older than the TTL, shared by
    every process through the cache), but read as its stamp (when it was made, its ETag) and
    taken from this process's copy when the stamp names it: the whole map crosses from the
    cache once per version and process, not once per request."""
    ttl = settings.SANDALI_SNAPSHOT_SECONDS
    if ttl <= 0:
        return time.time(), compute()
    entry = _fresh_shared_map(key, ttl)
    if entry is not None:
        return entry
    with _map_lock(key):
        entry = _fresh_shared_map(key, ttl)  # made by another thread while this one waited
        if entry is None:
            entry = (time.time(), compute())
            timeout = max(1, int(ttl + 1))
            cache.set_many({key: entry, f"{key}:stamp": (entry[0], entry[1].etag)}, timeout)
            _keep_local(key, entry)
        return entry


def _fresh_shared_map(key: str, ttl: float) -> tuple[float, SeatMap] | None:
    stamp = cache.get(f"{key}:stamp")
    if stamp is None or time.time() - stamp[0] >= ttl:
        return None
    local = _local_maps.get(key)
    if local is not None and (local[0], local[1].etag) == tuple(stamp):
        return local
    entry = cache.get(key)
    if entry is None or (entry[0], entry[1].etag) != tuple(stamp):
        return None  # evicted, or replaced since the stamp was read
    _keep_local(key, entry)
    return entry


def _keep_local(key: str, entry: tuple[float, SeatMap]) -> None:
    if key not in _local_maps and len(_local_maps) >= LOCAL_MAPS:
        _local_maps.clear()  # a process that serves many performances keeps the latest ones
    _local_maps[key] = entry


def forget_local_copies() -> None:
    """For tests that count encodings: this process's copies of maps and bodies are gone."""
    _local_maps.clear()
    _local_bodies.clear()


def _map_lock(key: str) -> threading.Lock:
    return _map_locks[zlib.crc32(key.encode()) % len(_map_locks)]


def seat_map_json(*, performance_id: int) -> tuple[str, bytes]:
    """The compact seat map as JSON bytes, with its ETag."""
    _computed_at, snapshot = seat_map(performance_id=performance_id)
    return snapshot.etag, snapshot.body


# The columns (catalog/seat_map_columns.py), plain or gzipped, are made once per version of the
# map: keyed by the rows' ETag (a hash of their bytes), they outlive the snapshot's second and
# every process that shares the cache reuses them until the seats change.
# This process keeps the bodies it served too: an ETag names exactly one body, so a copy is
# never stale, and the buyers who reload the map within its second cost no cache round trip.
_local_bodies: dict[str, bytes] = {}
SEAT_MAP_FORMATS = ("rows", "columns")
SEAT_MAP_ENCODINGS = ("identity", "gzip")
REPRESENTATION_SECONDS = 60


def seat_map_etag(rows_etag: str, *, format: str, encoding: str) -> str:
    """Each representation and encoding has its own ETag, derived from the rows' ETag (the
    columns are a function of the rows): a 304 needs no encoding."""
    if format == "rows" and encoding == "identity":
        return rows_etag
    return f'"{rows_etag.strip(chr(34))}-{format}-{encoding}"'


def seat_map_representation(
    *, performance_id: int, format: str, encoding: str
) -> tuple[str, Callable[[], bytes]]:
    """The ETag of the seat map in this format and encoding, and a function that returns its
    bytes (encoded on the first call for this version of the map, from the cache after)."""
    if format not in SEAT_MAP_FORMATS or encoding not in SEAT_MAP_ENCODINGS:
        raise ValueError(f"no seat map as {format} in {encoding}")
    _computed_at, snapshot = seat_map(performance_id=performance_id)
    etag = seat_map_etag(snapshot.etag, format=format, encoding=encoding)
    if etag == snapshot.etag:
        return etag, lambda: snapshot.body

    def body() -> bytes:
        key = f"seat-map-body:{performance_id}:{etag}"
        cached = _local_bodies.get(key)
        if cached is not None:
            return cached
        with _map_lock(f"seat-map:{performance_id}"):  # one thread encodes, the others wait
            cached = _local_bodies.get(key) or cache.get(key)
            if cached is None:
                cached = _encode(snapshot.body, format=format, encoding=encoding)
                cache.set(key, cached, timeout=REPRESENTATION_SECONDS)
            if len(_local_bodies) >= LOCAL_MAPS * 2:
                _local_bodies.clear()
            _local_bodies[key] = cached
        return cached

    return etag, body


def _encode(rows_body: bytes, *, format: str, encoding: str) -> bytes:
    if format == "columns":
        rows = json.loads(rows_body)
        columns = seat_map_columns.encode(rows["seats"], rows["areas"])
        rows_body = json.dumps(columns, separators=(",", ":")).encode()
    return compress(rows_body) if encoding == "gzip" else rows_body


def compress(body: bytes) -> bytes:
    """gzip, once per version of a map (the tests count the calls). Level 6: for the demo
    arena's columns level 9 saved 1 % of the bytes for 20 times the time (3 ms against 64).
    mtime=0: the same map gives the same bytes in every process."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def price_list(*, performance_id: int) -> dict[tuple[int, int], tuple[Decimal, str, str]]:
    """(section id, ticket type id) -> (price, section name, ticket type name)."""

    def compute():
        prices = SectionTicketType.objects.filter(section__performance_id=performance_id)
        rows = prices.values_list("section_id", "ticket_type_id", "price", "section__name",
                                  "ticket_type__name")  # fmt: skip
        return {(s, t): (price.quantize(CENT), sn, tn) for s, t, price, sn, tn in rows}

    return _cached(f"prices:{performance_id}", compute)
