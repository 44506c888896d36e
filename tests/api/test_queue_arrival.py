"""The proxy's arrival stamp on queue joins (core/arrival.py): believed only when the
deployment names its header, and then it, not the order the app served the joins in, places
the buyers."""

import time
from datetime import timedelta

import pytest

from core.arrival import stamp_ms
from core.dbtime import db_now
from tests.api.helpers import API
from tests.factories import make_performance


@pytest.fixture
def slow_room(db):
    """Open for a minute, letting in one buyer a minute: everyone after the first waits."""
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = 1
    performance.sales_start = db_now() - timedelta(seconds=60)
    performance.save()
    return performance


def join(client, performance, *, arrived_ms: int | None):
    headers = {} if arrived_ms is None else {"HTTP_X_REQUEST_START": f"t={arrived_ms / 1000:.3f}"}
    path = f"{API}/performances/{performance.pk}/queue"
    response = client.post(path, "{}", content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


def position(client, token: str) -> int:
    return client.get(f"{API}/queue", HTTP_SANDALI_QUEUE_TOKEN=token).json()["position"]


def test_behind_a_proxy_that_stamps_arrivals_a_join_served_late_keeps_its_place(
    client, slow_room, settings
):
    settings.SANDALI_ARRIVAL_HEADER = "X-Request-Start"
    now = int(time.time() * 1000)
    join(client, slow_room, arrived_ms=now - 10_000)  # let in at once
    served_first = join(client, slow_room, arrived_ms=now - 1_000)
    served_second = join(client, slow_room, arrived_ms=now - 3_000)  # came earlier
    assert position(client, served_second["token"]) == 1
    assert position(client, served_first["token"]) == 2


def test_without_the_setting_a_clients_own_stamp_is_ignored(client, slow_room):
    """A client that could set its arrival would put itself first."""
    now = int(time.time() * 1000)
    join(client, slow_room, arrived_ms=None)
    honest = join(client, slow_room, arrived_ms=None)
    cheat = join(client, slow_room, arrived_ms=now - 30_000)
    assert position(client, honest["token"]) == 1
    assert position(client, cheat["token"]) == 2


def test_implausible_stamps_are_not_believed(client, slow_room, settings):
    settings.SANDALI_ARRIVAL_HEADER = "X-Request-Start"
    now = int(time.time() * 1000)
    join(client, slow_room, arrived_ms=now - 10_000)
    first = join(client, slow_room, arrived_ms=now - 1_000)
    too_old = join(client, slow_room, arrived_ms=now - 3_600_000)  # an hour: not a wait
    future = join(client, slow_room, arrived_ms=now + 60_000)  # never placed after now...
    assert [position(client, p["token"]) for p in (first, too_old, future)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1764430000.123", 1764430000123),  # nginx $msec, seconds
        ("1764430000.123", 1764430000123),
        ("t=1764430000123", 1764430000123),  # milliseconds
        ("t=1764430000123456", 1764430000123),  # microseconds (New Relic, Heroku)
        ("", None),
        ("t=", None),
        ("soon", None),
        ("t=-5", None),
        ("t=nan", None),
        ("t=inf", None),
        ("t=1e400", None),
        ("t=" + "9" * 30, None),
    ],
)
def test_stamp_formats(header, expected):
    assert stamp_ms(header) == expected
