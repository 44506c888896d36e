"""Seat changes reach a watcher through a real WebSocket connection (Channels' communicator
drives the ASGI application; services run in threads, as under a server)."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from catalog.services import block_seats, unblock_seats
from ops.periodic import sweep_once
from orders.cancellation import cancel_order
from orders.checkout import checkout
from reservations.services import add_seats, hold_seats, release_hold, release_seat
from sandali.asgi import application
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture
async def stage():
    performance = await sync_to_async(make_performance)()
    ids = await sync_to_async(seat_ids)(performance)
    watcher = WebsocketCommunicator(
        application,
        f"/ws/performances/{performance.pk}",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )
    connected, _ = await watcher.connect()
    assert connected
    snapshot = await watcher.receive_json_from(timeout=5)
    yield performance, ids, watcher, snapshot
    await watcher.disconnect()


@pytest_asyncio.fixture(autouse=True)
async def close_thread_connections():
    """The consumer's queries run in asgiref's worker thread; close its connection so the
    test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


async def delta(watcher) -> dict:
    message = await watcher.receive_json_from(timeout=5)
    return {seat: (status, version) for seat, status, version in message["seats"]}


async def test_a_watcher_gets_a_snapshot_of_every_seat_on_connect(stage):
    _performance, ids, _watcher, snapshot = stage
    assert snapshot["snapshot"] is True
    assert [row[0] for row in snapshot["seats"]] == ids
    assert {row[1] for row in snapshot["seats"]} == {"available"}


async def test_each_kind_of_change_reaches_the_watcher_as_one_message(stage):
    performance, ids, watcher, snapshot = stage
    versions = {seat: version for seat, _status, version in snapshot["seats"]}

    def seen(change: dict, status: str, seats: list[int]) -> None:
        assert set(change) == set(seats)
        for seat in seats:
            assert change[seat][0] == status
            assert change[seat][1] > versions[seat], "versions only go up"
            versions[seat] = change[seat][1]

    held = await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[:3])
    seen(await delta(watcher), "reserved", ids[:3])
    await sync_to_async(add_seats)(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[3]])
    seen(await delta(watcher), "reserved", [ids[3]])
    await sync_to_async(release_seat)(hold_id=held.hold.pk, token=held.token, seat_id=ids[3])
    seen(await delta(watcher), "available", [ids[3]])
    result = await sync_to_async(checkout)(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org"
    )
    seen(await delta(watcher), "sold", ids[:3])
    await sync_to_async(cancel_order)(order_id=result.order.pk)
    seen(await delta(watcher), "available", ids[:3])
    other = await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[4:6])
    seen(await delta(watcher), "reserved", ids[4:6])
    await sync_to_async(release_hold)(hold_id=other.hold.pk, token=other.token)
    seen(await delta(watcher), "available", ids[4:6])
    await sync_to_async(block_seats)(performance_id=performance.pk, seat_ids=[ids[7]])
    seen(await delta(watcher), "blocked", [ids[7]])
    await sync_to_async(unblock_seats)(performance_id=performance.pk, seat_ids=[ids[7]])
    seen(await delta(watcher), "available", [ids[7]])
    assert await watcher.receive_nothing(timeout=0.2)


async def test_the_sweeper_tells_watchers_that_an_expired_hold_is_free(stage):
    performance, ids, watcher, _snapshot = stage
    held = await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[:2])
    await delta(watcher)
    await sync_to_async(expire_hold)(held.hold)
    assert await sync_to_async(sweep_once)() == 2
    assert {status for status, _v in (await delta(watcher)).values()} == {"available"}


async def test_a_refused_hold_sends_nothing(stage):
    performance, ids, watcher, _snapshot = stage
    await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=[ids[1]])
    await delta(watcher)
    with pytest.raises(Exception, match="seats_unavailable"):
        await sync_to_async(hold_seats)(performance_id=performance.pk, seat_ids=ids[:2])
    assert await watcher.receive_nothing(timeout=0.3)


async def test_watchers_of_another_performance_hear_nothing(stage):
    performance, ids, watcher, _snapshot = stage
    other = await sync_to_async(make_performance)()
    other_ids = await sync_to_async(seat_ids)(other)
    await sync_to_async(hold_seats)(performance_id=other.pk, seat_ids=other_ids[:1])
    assert await watcher.receive_nothing(timeout=0.3)


async def test_an_unknown_performance_closes_the_socket():
    watcher = WebsocketCommunicator(
        application, "/ws/performances/999999", headers=[(b"host", b"localhost")]
    )
    await watcher.connect()
    assert (await watcher.receive_output(timeout=5))["type"] == "websocket.close"
