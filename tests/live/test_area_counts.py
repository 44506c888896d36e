"""Standing areas on the live map: a watcher is told each area's count of free places (with a
version that only grows), never its places one by one."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from catalog.models import Seat
from ops.periodic import sweep_once
from orders.checkout import checkout
from reservations.areas import AreaQuantity
from reservations.services import hold_seats, release_places
from sandali.asgi import application
from tests.factories import expire_hold, make_performance, make_standing_area, seat_ids

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture
async def stage():
    performance = await sync_to_async(make_performance)()
    area = await sync_to_async(make_standing_area)(performance, capacity=40)
    watcher = WebsocketCommunicator(
        application,
        f"/ws/performances/{performance.pk}",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )
    connected, _ = await watcher.connect()
    assert connected
    snapshot = await watcher.receive_json_from(timeout=5)
    yield performance, area, watcher, snapshot
    await watcher.disconnect()
    await sync_to_async(connections.close_all)()


async def test_the_snapshot_counts_areas_and_sends_no_place_as_a_seat(stage):
    performance, area, _watcher, snapshot = stage
    seats = await sync_to_async(list)(
        Seat.objects.filter(performance=performance).exclude(section=area).order_by("id")
    )
    assert [row[0] for row in snapshot["seats"]] == [seat.pk for seat in seats]
    assert [(a, free) for a, free, _version in snapshot["areas"]] == [(area.pk, 40)]


async def test_holding_selling_and_freeing_places_update_the_areas_count(stage):
    performance, area, watcher, snapshot = stage
    ((_, _, version),) = snapshot["areas"]
    ids = await sync_to_async(seat_ids)(performance)

    async def count() -> tuple[int, int]:
        message = await watcher.receive_json_from(timeout=5)
        assert "seats" not in message
        ((area_id, free, new_version),) = message["areas"]
        assert area_id == area.pk
        return free, new_version

    held = await sync_to_async(hold_seats)(
        performance_id=performance.pk, seat_ids=ids[:1], areas=[AreaQuantity(area.pk, 3)]
    )
    seats_message = await watcher.receive_json_from(timeout=5)
    assert [row[0] for row in seats_message["seats"]] == ids[:1]  # the seat, not the places
    free, newer = await count()
    assert free == 37 and newer > version
    await sync_to_async(release_places)(
        hold_id=held.hold.pk, token=held.token, area_id=area.pk, quantity=1
    )
    free, version = await count()
    assert free == 38 and version > newer
    await sync_to_async(checkout)(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org"
    )
    await watcher.receive_json_from(timeout=5)  # the seat, sold
    free, sold_version = await count()
    assert free == 38 and sold_version > version  # sold places are no more free than held
    other = await sync_to_async(hold_seats)(
        performance_id=performance.pk, areas=[AreaQuantity(area.pk, 5)]
    )
    free, _ = await count()
    assert free == 33
    await sync_to_async(expire_hold)(other.hold)
    await sync_to_async(sweep_once)()
    free, _ = await count()
    assert free == 38
