"""Live updates through real server processes: an expiry with no API call, and a change made
through one app process reaching a watcher of another through Redis."""

import json
import urllib.request
from contextlib import ExitStack, contextmanager

import pytest
import redis
from websockets.sync.client import connect

from reservations.models import Hold
from tests.factories import expire_hold, make_performance, seat_ids
from tests.servers import redis_server, sandali_server

pytestmark = pytest.mark.django_db(transaction=True)


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@contextmanager
def watch(base: str, performance_id: int):
    ws_url = base.replace("http://", "ws://") + f"/ws/performances/{performance_id}"
    with connect(ws_url, origin=base, open_timeout=10) as socket:
        snapshot = json.loads(socket.recv(timeout=10))
        assert snapshot["snapshot"] is True
        yield socket


def next_change(socket, timeout: float = 5) -> dict:
    message = json.loads(socket.recv(timeout=timeout))
    return {seat: status for seat, status, _version in message["seats"]}


def test_an_expired_hold_reaches_watchers_with_no_api_call():
    performance = make_performance()
    ids = seat_ids(performance)[:2]
    with sandali_server() as base, watch(base, performance.pk) as socket:
        post_json(f"{base}/api/v1/performances/{performance.pk}/holds", {"seats": ids})
        assert next_change(socket) == {ids[0]: "reserved", ids[1]: "reserved"}
        expire_hold(Hold.objects.get())
        assert next_change(socket, timeout=5) == {ids[0]: "available", ids[1]: "available"}


def test_a_change_made_through_one_process_reaches_a_watcher_of_another():
    with redis_server() as redis_url:
        if redis_url is None:
            pytest.skip("needs redis-server (Debian package redis-server; .ci/run installs it)")
        performance = make_performance()
        ids = seat_ids(performance)[:3]
        with (
            sandali_server(redis_url=redis_url) as server_a,
            sandali_server(redis_url=redis_url) as server_b,
            watch(server_b, performance.pk) as socket,
        ):
            post_json(f"{server_a}/api/v1/performances/{performance.pk}/holds", {"seats": ids})
            assert next_change(socket) == dict.fromkeys(ids, "reserved")


def test_watchers_of_a_process_on_redis_share_one_subscription():
    """Twenty sockets of one performance on one process: Redis sees the process's one channel
    and the performance's group (and the health probe's channel), not a channel per socket."""

    with redis_server() as redis_url:
        if redis_url is None:
            pytest.skip("needs redis-server (Debian package redis-server; .ci/run installs it)")
        performance = make_performance()
        ids = seat_ids(performance)[:1]
        with (
            sandali_server(redis_url=redis_url, SANDALI_MAX_SOCKETS_PER_CLIENT="0") as base,
            ExitStack() as stack,
        ):
            sockets = [stack.enter_context(watch(base, performance.pk)) for _ in range(20)]
            channels = redis.Redis.from_url(redis_url).pubsub_channels()
            assert len(channels) <= 3, channels
            post_json(f"{base}/api/v1/performances/{performance.pk}/holds", {"seats": ids})
            for socket in sockets:
                assert next_change(socket) == {ids[0]: "reserved"}
