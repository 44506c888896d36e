"""Live updates across a Redis outage, through real processes: a granian process takes holds,
a uvicorn process serves a watcher, and a private Redis between them is stopped and started."""

import json
import shutil
import time
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bench.infra import AppProcess, django_env, restartable_redis
from live.guard import TRY_AGAIN_LATER
from tests.factories import make_performance, seat_ids
from tests.servers import shared_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="needs redis-server (Debian package redis-server; .ci/run installs it)",
    ),
]


def hold(base: str, performance_id: int, seats: list[int]) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/performances/{performance_id}/holds",
        data=json.dumps({"seats": seats}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status


def wait_for_states(socket, wanted: dict[int, str], timeout: float) -> None:
    """Read messages until the seats in `wanted` have those states."""
    states: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    while any(states.get(seat) != status for seat, status in wanted.items()):
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        states.update({seat: status for seat, status, _version in message["seats"]})


@pytest.fixture
def cluster():
    with restartable_redis() as (redis_url, redis):
        env = django_env(shared_database_url(), redis_url, SANDALI_LOG_LEVEL="ERROR")
        writer = AppProcess(env, threads=2).start()
        watched = AppProcess(env, server="uvicorn").start()
        try:
            yield writer.url, watched.url.replace("http://", "ws://"), redis
        finally:
            writer.stop()
            watched.stop()


def test_a_watcher_gets_what_it_missed_and_new_changes_after_redis_returns(cluster):
    writer, ws_base, redis = cluster
    performance = make_performance()
    ids = seat_ids(performance)
    with connect(f"{ws_base}/ws/performances/{performance.pk}", open_timeout=10) as socket:
        assert json.loads(socket.recv(timeout=10))["snapshot"] is True
        redis.stop()
        assert hold(writer, performance.pk, ids[:1]) == 201  # holds need only the database
        time.sleep(3)
        redis.start()
        # The change made while Redis was down, as a fresh map once Redis is back.
        wait_for_states(socket, {ids[0]: "reserved"}, timeout=15)
        time.sleep(1.5)  # the writer's circuit tries Redis again within a second
        assert hold(writer, performance.pk, ids[1:2]) == 201
        wait_for_states(socket, {ids[1]: "reserved"}, timeout=5)


def test_a_socket_opened_while_redis_is_down_is_closed_with_1013_and_served_after(cluster):
    _writer, ws_base, redis = cluster
    performance = make_performance()
    url = f"{ws_base}/ws/performances/{performance.pk}"
    with connect(url, open_timeout=10) as socket:  # the process probes Redis from now on
        socket.recv(timeout=10)
    redis.stop()
    # Before the process noticed: a socket whose process need not reach Redis to watch (it
    # subscribes the performance already, live/fanout.py) may get its map, like the sockets
    # already open (and the catch-up with them when Redis is back); one that must reach
    # Redis is closed with 1013.
    with connect(url, open_timeout=10) as socket:
        try:
            assert json.loads(socket.recv(timeout=10))["snapshot"] is True
        except ConnectionClosed as closed:
            assert closed.rcvd.code == TRY_AGAIN_LATER
    time.sleep(3)
    # After: refused without trying.
    with connect(url, open_timeout=10) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=10)
    assert closed.value.rcvd.code == TRY_AGAIN_LATER
    redis.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            with connect(url, open_timeout=10) as socket:
                assert json.loads(socket.recv(timeout=10))["snapshot"] is True
                break
        except ConnectionClosed:
            assert time.monotonic() < deadline
            time.sleep(0.5)
