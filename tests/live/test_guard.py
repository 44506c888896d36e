"""Who may open a live seat-map socket: origins, sockets per client, and the snapshot on
connect served from the cache (Channels' communicator drives the ASGI application)."""

import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from catalog import snapshots
from live.guard import TOO_MANY_SOCKETS
from reservations.services import hold_seats
from sandali.asgi import application
from tests.factories import make_performance, seat_ids

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def close_thread_connections():
    yield
    await sync_to_async(connections.close_all)()


@pytest_asyncio.fixture
async def performance():
    return await sync_to_async(make_performance)()


def socket(performance, **headers: str) -> WebsocketCommunicator:
    pairs = [(b"host", b"sandali.test")]
    pairs += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return WebsocketCommunicator(application, f"/ws/performances/{performance.pk}", headers=pairs)


async def snapshot_of(watcher: WebsocketCommunicator) -> dict | None:
    connected, _ = await watcher.connect(timeout=5)
    if not connected:
        return None
    return await watcher.receive_json_from(timeout=5)


@pytest.fixture(autouse=True)
def site(settings):
    settings.ALLOWED_HOSTS = ["sandali.test"]
    settings.SANDALI_ALLOWED_ORIGINS = ["https://partner.example"]


async def test_a_client_that_sends_no_origin_gets_the_snapshot(performance):
    watcher = socket(performance)
    assert (await snapshot_of(watcher))["snapshot"] is True
    await watcher.disconnect()


async def test_the_sites_own_origin_and_a_listed_origin_get_the_snapshot(performance):
    for origin in ["http://sandali.test", "https://sandali.test", "https://partner.example"]:
        watcher = socket(performance, origin=origin)
        assert (await snapshot_of(watcher))["snapshot"] is True, origin
        await watcher.disconnect()


async def test_a_foreign_origin_is_refused(performance):
    for origin in ["https://evil.example", "http://sandali.test.evil.example", "null"]:
        assert await snapshot_of(socket(performance, origin=origin)) is None, origin


async def test_an_own_origin_on_a_host_that_is_not_allowed_is_refused(performance):
    # DNS rebinding: the attacker's name points at the server, Host and Origin agree.
    watcher = WebsocketCommunicator(
        application, f"/ws/performances/{performance.pk}",
        headers=[(b"host", b"rebound.example"), (b"origin", b"http://rebound.example")],
    )  # fmt: skip
    assert await snapshot_of(watcher) is None


async def test_one_socket_beyond_a_clients_cap_is_closed_with_4429(performance, settings):
    settings.SANDALI_MAX_SOCKETS_PER_CLIENT = 2
    settings.SANDALI_TRUSTED_PROXIES = 1
    first = socket(performance, x_forwarded_for="198.51.100.1")
    second = socket(performance, x_forwarded_for="198.51.100.1")
    assert await snapshot_of(first) and await snapshot_of(second)
    third = socket(performance, x_forwarded_for="198.51.100.1")
    assert (await third.connect(timeout=5))[0]
    closed = await third.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": TOO_MANY_SOCKETS}
    # Another client behind the same proxy has its own count.
    other = socket(performance, x_forwarded_for="198.51.100.2")
    assert await snapshot_of(other)
    # A socket that closes frees its place.
    await first.disconnect()
    again = socket(performance, x_forwarded_for="198.51.100.1")
    assert await snapshot_of(again)
    for watcher in (second, other, again):
        await watcher.disconnect()


async def test_sockets_opened_within_the_snapshot_ttl_share_one_seat_map_query(
    performance, settings, monkeypatch
):
    settings.SANDALI_SNAPSHOT_SECONDS = 30
    reads = []
    read = snapshots.read_seat_map
    monkeypatch.setattr(snapshots, "read_seat_map", lambda **kw: reads.append(1) or read(**kw))
    watchers = [socket(performance) for _ in range(3)]
    maps = [await snapshot_of(watcher) for watcher in watchers]
    assert len(reads) == 1
    assert maps[0] == maps[1] == maps[2] and len(maps[0]["seats"]) == 20
    for watcher in watchers:
        await watcher.disconnect()


async def test_a_change_between_a_cached_snapshot_and_joining_reaches_the_watcher(
    performance, settings
):
    """The cached snapshot predates the change, and the change was published before the
    watcher joined: the watcher is sent the map again within the TTL."""
    settings.SANDALI_SNAPSHOT_SECONDS = 2
    first = socket(performance)
    await snapshot_of(first)  # caches the map
    ids = await sync_to_async(seat_ids)(performance)
    await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[:1])
    late = socket(performance)
    stale = await snapshot_of(late)
    assert [ids[0], "available"] == stale["seats"][0][:2]  # from the cache
    fresh = json.loads(await late.receive_from(timeout=5))
    assert [ids[0], "reserved"] == fresh["seats"][0][:2]
    for watcher in (first, late):
        await watcher.disconnect()
