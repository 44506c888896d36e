"""WS /ws/performances/{id}: a snapshot of every seat on connect, then each committed change."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from catalog.models import Performance
from catalog.selectors import seat_map
from live.publish import performance_group
from ops.metrics import WEBSOCKET_CONNECTIONS

NOT_FOUND = 4404


def _snapshot(performance_id: int) -> list | None:
    if not Performance.objects.filter(pk=performance_id).exists():
        return None
    return [[row[0], row[7], row[8]] for row in seat_map(performance_id=performance_id)]


class PerformanceSeatsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = None
        performance_id = int(self.scope["url_route"]["kwargs"]["performance_id"])
        await self.accept()
        # Join before reading the snapshot, so that no change between the two is lost; the
        # seat versions make a change that the snapshot already holds harmless.
        self.group = performance_group(performance_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        snapshot = await database_sync_to_async(_snapshot)(performance_id)
        if snapshot is None:
            await self.close(code=NOT_FOUND)
            return
        WEBSOCKET_CONNECTIONS.inc()
        self.counted = True
        await self.send_json({"snapshot": True, "seats": snapshot})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            WEBSOCKET_CONNECTIONS.dec()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Watchers only listen; anything they send is ignored."""

    async def seats_changed(self, event: dict) -> None:
        await self.send_json({"seats": event["seats"]})
