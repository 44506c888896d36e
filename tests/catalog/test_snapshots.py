"""Cached snapshots: served again only within their TTL; the seat map answers 304 to its ETag."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalog import snapshots
from reservations.services import hold_seats
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


def reserved(performance) -> int:
    return sum(c.reserved for c in snapshots.capacity(performance_id=performance.pk))


def test_capacity_snapshot_is_reused_within_its_ttl_and_never_after(performance, settings):
    settings.SANDALI_SNAPSHOT_SECONDS = 0.5
    assert reserved(performance) == 0
    hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    assert reserved(performance) == 0  # the snapshot of a moment ago
    time.sleep(0.55)
    assert reserved(performance) == 2


def test_without_a_ttl_every_read_is_fresh(performance):
    hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    assert reserved(performance) == 2


def test_the_seat_map_answers_304_to_its_etag_until_a_seat_changes(client, performance):
    url = f"/api/v1/performances/{performance.pk}/seats"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    assert len(first.json()["seats"]) == 20
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_seat_map_of_an_unknown_performance_is_404(client):
    response = client.get("/api/v1/performances/999999/seats")
    assert response.status_code == 404
    assert response.json()["code"] == "performance_not_found"


def test_a_process_takes_the_seat_map_from_its_own_copy_while_the_cache_names_it(
    performance, settings, monkeypatch
):
    settings.SANDALI_SNAPSHOT_SECONDS = 60
    first = snapshots.seat_map(performance_id=performance.pk)
    keys_read = []
    get = snapshots.cache.get
    monkeypatch.setattr(
        snapshots.cache, "get", lambda key, *a: keys_read.append(key) or get(key, *a)
    )

    assert snapshots.seat_map(performance_id=performance.pk) is first
    # Only the stamp crossed from the cache, not the whole map.
    assert keys_read == [f"seat-map:{performance.pk}:stamp"]


def test_a_seat_map_made_by_another_process_replaces_this_process_copy(
    performance, settings, monkeypatch
):
    settings.SANDALI_SNAPSHOT_SECONDS = 60
    _at, before = snapshots.seat_map(performance_id=performance.pk)
    own_copies = dict(snapshots._local_maps)
    hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    # Another process makes the next version (its snapshot expired there first).
    snapshots.cache.clear()
    _at, newer = snapshots.seat_map(performance_id=performance.pk)
    snapshots._local_maps.update(own_copies)
    reads = []
    monkeypatch.setattr(snapshots, "read_seat_map", lambda **kw: reads.append(kw))

    _at, served = snapshots.seat_map(performance_id=performance.pk)

    assert newer.etag != before.etag
    assert served.etag == newer.etag and reads == []  # taken from the cache, not made again


def test_threads_asking_for_an_expired_seat_map_together_make_it_once(
    performance, settings, monkeypatch
):
    settings.SANDALI_SNAPSHOT_SECONDS = 60
    reads = []
    started = threading.Barrier(4)

    def slow_read(**kwargs):
        reads.append(kwargs)
        time.sleep(0.2)  # the others arrive while it is made
        return []

    monkeypatch.setattr(snapshots, "get_performance", lambda **kw: None)
    monkeypatch.setattr(snapshots, "standing_areas", lambda **kw: [])
    monkeypatch.setattr(snapshots, "read_seat_map", slow_read)

    def ask():
        started.wait()
        return snapshots.seat_map(performance_id=performance.pk)[1].etag

    with ThreadPoolExecutor(4) as pool:
        etags = list(pool.map(lambda _: ask(), range(4)))

    assert len(reads) == 1 and len(set(etags)) == 1


def test_a_seated_halls_map_counts_no_standing_places(performance, settings):
    """Made again each second in a rush: a hall with no standing area reads the performance,
    its seats and its standing areas (none), and counts no places."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SANDALI_SNAPSHOT_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        snapshots.seat_map(performance_id=performance.pk)
    assert len(queries) == 3, [q["sql"] for q in queries]
    assert not any("GROUP BY" in q["sql"] for q in queries)
