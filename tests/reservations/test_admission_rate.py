"""An "auto" admission rate follows what the system sustains (reservations/admission_rate.py):
it falls when admitted buyers' hold requests wait for the app, rises when none do, stays
within its bounds, and a fixed rate never moves. On both stores, then end to end through the
API with the proxy's arrival stamps."""

import json
import time
from datetime import timedelta

from prometheus_client import REGISTRY

from core.dbtime import db_now
from reservations import waiting_room
from reservations.admission_rate import WINDOW_MS, RatePolicy
from tests.api.helpers import API
from tests.factories import make_performance, seat_ids
from tests.reservations.test_waiting_room import OPENS

POLICY = RatePolicy(start=600, lowest=60, highest=6_000)


def step(store, performance, now, *, auto=POLICY):
    place = store.step(
        performance_id=performance, entry="e", now=now, opens=OPENS, rate=600, join=True,
        auto=auto,
    )  # fmt: skip
    return place.rate


def waits(store, performance, *, fast=0, slow=0):
    for index in range(fast + slow):
        store.note_hold_wait(performance_id=performance, slow=index < slow)


def test_the_rate_falls_when_admitted_buyers_wait_and_rises_when_none_do(make_store):
    store, performance = make_store()
    window = (OPENS // WINDOW_MS + 1) * WINDOW_MS  # the start of a window after opening
    assert step(store, performance, window) == 600
    waits(store, performance, fast=18, slow=2)  # 10 % waited too long
    assert step(store, performance, window + 20) == 600  # judged when the window is over
    assert step(store, performance, window + WINDOW_MS) == 420
    waits(store, performance, fast=20, slow=1)  # 5 %: not over it
    assert step(store, performance, window + 2 * WINDOW_MS) == 420
    waits(store, performance, fast=20)
    assert step(store, performance, window + 3 * WINDOW_MS) == 505
    # A window with no hold requests tells nothing: the rate stays.
    assert step(store, performance, window + 4 * WINDOW_MS) == 505


def test_the_rate_stays_within_its_bounds(make_store):
    store, performance = make_store()
    now = (OPENS // WINDOW_MS + 1) * WINDOW_MS
    step(store, performance, now)
    for _ in range(12):
        waits(store, performance, slow=1)
        now += WINDOW_MS
        rate = step(store, performance, now)
    assert rate == POLICY.lowest
    for _ in range(30):
        waits(store, performance, fast=1)
        now += WINDOW_MS
        rate = step(store, performance, now)
    assert rate == POLICY.highest


def test_a_fixed_rate_never_moves(make_store):
    store, performance = make_store()
    now = (OPENS // WINDOW_MS + 1) * WINDOW_MS
    assert step(store, performance, now, auto=None) == 600
    waits(store, performance, slow=5)
    assert step(store, performance, now + WINDOW_MS, auto=None) == 600


def test_behind_the_proxy_slow_holds_of_admitted_buyers_slow_the_admissions(client, db, settings):
    settings.SANDALI_ARRIVAL_HEADER = "X-Request-Start"
    settings.SANDALI_WAITING_ROOM_RATE = 600
    performance = make_performance(max_seats_per_order=4)
    performance.waiting_room, performance.waiting_room_rate = True, 0  # auto
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    path = f"{API}/performances/{performance.pk}/queue"
    place = client.post(path, "{}", content_type="application/json").json()
    assert place["admitted"] and place["rate_per_minute"] == 600
    seats = seat_ids(performance)
    for seat in seats[:3]:  # each waited 400 ms between the proxy and the app
        stamp = f"t={time.time() - 0.4:.3f}"
        response = client.post(
            f"{API}/performances/{performance.pk}/holds",
            json.dumps({"seats": [seat]}),
            content_type="application/json",
            HTTP_SANDALI_PASS=place["pass"],
            HTTP_SANDALI_QUEUE_TOKEN=place["token"],
            HTTP_X_REQUEST_START=stamp,
        )
        assert response.status_code == 201, response.content
    later = int(time.time() * 1000) + WINDOW_MS
    status = waiting_room.queue_status(token=place["token"], now_ms=later)
    assert status.rate_per_minute == 420
    labels = {"performance": str(performance.pk)}  # what the operator on call sees
    assert REGISTRY.get_sample_value("sandali_queue_rate_per_minute", labels) == 420
