"""WS /ws/performances/{id}: a snapshot of every seat on connect, then each committed change.

The snapshot comes from the seat map's cached snapshot (catalog/snapshots.py), kept in this
process for the same time (live/recent_maps.py), so a thousand watchers connecting within
SANDALI_SNAPSHOT_SECONDS cost one query, one encoding and one read of the shared cache. A cached
snapshot may predate the moment the watcher joined its group, and a change committed in
between would reach it neither way; so a watcher whose snapshot predates its joining is sent
the map again once a snapshot read after it exists (within the TTL), if anything changed.
The same catch-up is sent to every watcher when the channel layer comes back after an outage
(live/health.py), since the changes made meanwhile never reached them.

Changes reach the socket from this process's fan-out (live/fanout.py), already encoded, not
through a channel of the consumer's own: a watcher costs no subscription and no work of its
own per change beyond the write to its socket.
"""

import asyncio
import time
import weakref
from contextlib import suppress

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from catalog import snapshots
from core.errors import DomainError
from core.metrics import WEBSOCKET_CONNECTIONS
from core.redis_outage import REDIS_UNREACHABLE, RETRY_SECONDS
from live.fanout import fanout
from live.health import health

NOT_FOUND = 4404
_watchers: "weakref.WeakSet[PerformanceSeatsConsumer]" = weakref.WeakSet()


class PerformanceSeatsConsumer(AsyncWebsocketConsumer):
    # No channel of its own: get_channel_layer() answers None for an alias that is not
    # configured, and Channels then neither subscribes one nor listens to it for this socket.
    channel_layer_alias = "no channel per watcher: live/fanout.py"

    async def connect(self) -> None:
        self.joined = False
        self.catch_up_task = None
        self.performance_id = int(self.scope["url_route"]["kwargs"]["performance_id"])
        await self.accept()
        # Join before reading the snapshot, so that no change between the two is lost; the
        # seat versions make a change that the snapshot already holds harmless.
        joined_at = time.time()
        await fanout().join(self.performance_id, self)
        self.joined = True
        try:
            computed_at, seat_map = await self._seat_map()
        except DomainError:
            await self.close(code=NOT_FOUND)
            return
        WEBSOCKET_CONNECTIONS.inc()
        self.counted = True
        _watchers.add(self)
        await self.send(text_data=seat_map.watcher_message)
        await fanout().ready(self.performance_id, self)
        if computed_at < joined_at:
            self.catch_up(since=joined_at, sent=seat_map.watcher_message)

    def catch_up(self, *, since: float, sent: str | None) -> None:
        """Send the map again once a snapshot computed after `since` can be read, unless it is
        the same as `sent`."""
        if self.catch_up_task is not None:
            self.catch_up_task.cancel()
        self.catch_up_task = asyncio.ensure_future(self._send_map_after(since, sent))

    async def _send_map_after(self, since: float, sent: str | None) -> None:
        # A snapshot older than the TTL is never served: past since + TTL, one read after
        # `since` is what the cache holds.
        await asyncio.sleep(max(0.0, since + settings.SANDALI_SNAPSHOT_SECONDS - time.time()))
        computed_at, seat_map = await self._seat_map()
        while computed_at < since:  # another process's clock may be behind ours
            await asyncio.sleep(0.1)
            computed_at, seat_map = await self._seat_map()
        if seat_map.watcher_message != sent:
            await self.send(text_data=seat_map.watcher_message)

    async def _seat_map(self) -> tuple[float, snapshots.SeatMap]:
        return await fanout().maps.seat_map(self.performance_id)

    async def disconnect(self, code: int) -> None:
        _watchers.discard(self)
        if self.catch_up_task is not None:
            self.catch_up_task.cancel()
        if getattr(self, "counted", False):
            WEBSOCKET_CONNECTIONS.dec()
        if self.joined:
            with suppress(*REDIS_UNREACHABLE):  # Redis forgets subscriptions when it restarts
                await fanout().leave(self.performance_id, self)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Watchers only listen; anything they send is ignored."""

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every handler: a hop to the
        # database thread on each connect, disconnect and message of every socket. This
        # consumer reads the database only through database_sync_to_async
        # (live/recent_maps.py), which closes them around its own call.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


def _catch_up_every_watcher(recovered_at: float) -> None:
    # A publisher whose circuit opened just before Redis came back drops changes for up to
    # its retry interval more: the map sent must be read after that too.
    since = recovered_at + RETRY_SECONDS + 0.1
    for watcher in list(_watchers):
        watcher.catch_up(since=since, sent=None)


health.on_recovered.append(_catch_up_every_watcher)
