"""Cached snapshots: served again only within their TTL; the seat map answers 304 to its ETag."""

import time

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
