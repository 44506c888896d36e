"""Many watchers on one process: each change is encoded once and received once by the process,
every watcher gets it, and a watcher costs no channel or subscription of its own."""

import asyncio
import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections

from catalog import snapshots
from core.publish import performance_group
from live.fanout import Fanout, fanout
from reservations.services import hold_seats
from sandali.asgi import application
from tests.factories import make_performance, seat_ids

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
WATCHERS = 60


@pytest_asyncio.fixture(autouse=True)
async def close_thread_connections():
    yield
    await sync_to_async(connections.close_all)()


@pytest_asyncio.fixture
async def watched(settings):
    settings.SANDALI_MAX_SOCKETS_PER_CLIENT = 0  # all of them from one test client
    performance = await sync_to_async(make_performance)()
    ids = await sync_to_async(seat_ids)(performance)
    watchers = []
    for _ in range(WATCHERS):
        watcher = WebsocketCommunicator(
            application, f"/ws/performances/{performance.pk}", headers=[(b"host", b"localhost")]
        )
        assert (await watcher.connect(timeout=5))[0]
        assert (await watcher.receive_json_from(timeout=5))["snapshot"] is True
        watchers.append(watcher)
    yield performance, ids, watchers
    for watcher in watchers:
        await watcher.disconnect()


@pytest.fixture
def seat_change_encodings(monkeypatch):
    """Counts every json.dumps of a watcher's change message ({"seats": [...]}), wherever
    it is made."""
    encodings = []
    dumps = json.dumps

    def counting_dumps(value, *args, **kwargs):
        if isinstance(value, dict) and set(value) == {"seats"}:
            encodings.append(value)
        return dumps(value, *args, **kwargs)

    monkeypatch.setattr(json, "dumps", counting_dumps)
    return encodings


async def test_one_change_reaches_every_watcher_and_is_encoded_once(watched, seat_change_encodings):
    performance, ids, watchers = watched
    received_before = fanout().encoded_messages_received
    await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[:2])
    for watcher in watchers:
        change = await watcher.receive_json_from(timeout=5)
        assert [(seat, status) for seat, status, _v in change["seats"]] == [
            (ids[0], "reserved"),
            (ids[1], "reserved"),
        ]
    assert len(seat_change_encodings) == 1
    assert fanout().encoded_messages_received - received_before == 1


async def test_the_process_is_one_member_of_the_group_whatever_the_number_of_watchers(watched):
    performance, _ids, watchers = watched
    layer = get_channel_layer()
    assert list(layer.groups[performance_group(performance.pk)]) == [fanout().channel]
    assert fanout().watcher_count() == WATCHERS
    for watcher in watchers:
        await watcher.disconnect()
    await asyncio.sleep(0.05)
    assert performance_group(performance.pk) not in layer.groups
    assert fanout().watcher_count() == 0


class RecordingWatcher:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, *, text_data: str) -> None:
        self.sent.append(text_data)

    async def base_send(self, message: dict) -> None:
        assert message["type"] == "websocket.send"
        self.sent.append(message["text"])


class SilentLayer:
    """A channel layer that only records subscriptions: the tests call deliver directly."""

    def __init__(self) -> None:
        self.groups: set[str] = set()

    async def new_channel(self, prefix: str = "") -> str:
        return f"{prefix}one"

    async def receive(self, channel: str) -> dict:
        await asyncio.Event().wait()

    async def group_add(self, group: str, channel: str) -> None:
        self.groups.add(group)

    async def group_discard(self, group: str, channel: str) -> None:
        self.groups.discard(group)


async def test_a_change_that_arrives_before_a_watchers_snapshot_follows_the_snapshot():
    hub = Fanout(SilentLayer())
    watcher = RecordingWatcher()
    await hub.join(7, watcher)
    await hub.deliver(7, "during the snapshot's read")
    assert watcher.sent == []
    await watcher.send(text_data="snapshot")
    await hub.ready(7, watcher)
    await hub.deliver(7, "after")
    assert watcher.sent == ["snapshot", "during the snapshot's read", "after"]


async def test_the_last_watcher_to_leave_unsubscribes_the_process():
    layer = SilentLayer()
    hub = Fanout(layer)
    first, second = RecordingWatcher(), RecordingWatcher()
    for watcher in (first, second):
        await hub.join(7, watcher)
        await hub.ready(7, watcher)
    assert layer.groups == {performance_group(7)}
    await hub.leave(7, first)
    await hub.deliver(7, "change")
    assert (first.sent, second.sent) == ([], ["change"])
    await hub.leave(7, second)
    assert layer.groups == set()
    for task in hub._tasks:
        task.cancel()


async def test_sockets_connecting_at_once_share_one_read_of_the_cached_map(monkeypatch, settings):
    """Not one read of the shared cache (Redis, with the whole map) per socket."""
    settings.SANDALI_MAX_SOCKETS_PER_CLIENT = 0
    performance = await sync_to_async(make_performance)()
    reads = []
    read = snapshots.seat_map
    monkeypatch.setattr(snapshots, "seat_map", lambda **kw: reads.append(1) or read(**kw))
    watchers = [
        WebsocketCommunicator(
            application, f"/ws/performances/{performance.pk}", headers=[(b"host", b"localhost")]
        )
        for _ in range(10)
    ]
    await asyncio.gather(*(watcher.connect(timeout=5) for watcher in watchers))
    for watcher in watchers:
        assert (await watcher.receive_json_from(timeout=5))["snapshot"] is True
    assert len(reads) == 1
    for watcher in watchers:
        await watcher.disconnect()
