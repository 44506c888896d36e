"""One subscription per performance in each process, fanning the changes out to its sockets.

A watcher costs its socket and a place in a set; it has no channel of its own. Channels'
default would give each consumer its own channel (with Redis, one SUBSCRIBE per socket, each
a round trip under the connection's lock) and pass every change through the consumer's own
dispatch: a decode of the message, a hop to the database thread (Channels closes old database
connections before each handler) and a json.dumps, once per watcher. Here each process
subscribes one channel to the group of each performance that has watchers, receives a change
once, and writes the text that the publisher encoded once (core/publish.py) to every local
socket, in one loop.

A watcher joins before its snapshot is read (so that no change between the two is lost) but
is sent changes only after its snapshot: those that arrive meanwhile wait in its own list and
follow the snapshot, so a client never sees a change before the map it applies to.

With Redis, the pub/sub connection resubscribes this channel and every group after an outage
(live/health.py sends the catch-up). On the in-process layer, a group membership expires after
`group_expiry` (a day): the groups are joined again every hour so that a performance watched
for longer keeps its changes.
"""

import asyncio
import logging
import weakref
from contextlib import suppress

from channels.layers import get_channel_layer

from core.publish import performance_group
from core.redis_outage import REDIS_UNREACHABLE
from live.recent_maps import RecentMaps

log = logging.getLogger(__name__)
REJOIN_SECONDS = 3600.0
RETRY_SECONDS = 1.0


class Fanout:
    """The sockets of this event loop by performance, and the one channel they share."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.joining: dict[int, dict] = {}  # performance -> {watcher: changes held back}
        self.watching: dict[int, set] = {}  # performance -> watchers that have their map
        self.subscribed: set[int] = set()
        # A fixed set of locks, a performance's by its id: one per id would grow with every
        # id a socket names, and performances sharing a lock only wait on a (un)subscribe.
        self.locks = [asyncio.Lock() for _ in range(64)]
        self.encoded_messages_received = 0  # for the tests: one per change, whatever W
        self.maps = RecentMaps()  # the snapshot that connecting sockets share
        self._tasks: list[asyncio.Task] = []

    async def join(self, performance_id: int, watcher) -> None:
        """Hold `watcher`'s changes from now on (until `ready`); subscribe this process to the
        performance's group first if it is its first watcher here."""
        if performance_id not in self.subscribed:
            async with self._lock(performance_id):
                if performance_id not in self.subscribed:
                    await self._subscribe(performance_id)
        self.joining.setdefault(performance_id, {})[watcher] = []

    async def ready(self, performance_id: int, watcher) -> None:
        """`watcher` has its snapshot: send it the changes held back, then every change."""
        held = self.joining.get(performance_id, {}).get(watcher)
        while held:  # a send may yield, and a change arrive meanwhile
            await watcher.send(text_data=held.pop(0))
        self.joining.get(performance_id, {}).pop(watcher, None)
        self.watching.setdefault(performance_id, set()).add(watcher)

    async def leave(self, performance_id: int, watcher) -> None:
        """Forget `watcher`; the last one here unsubscribes the process from the group."""
        self.watching.get(performance_id, set()).discard(watcher)
        self.joining.get(performance_id, {}).pop(watcher, None)
        if self._watcher_count(performance_id) or performance_id not in self.subscribed:
            return
        async with self._lock(performance_id):
            if not self._watcher_count(performance_id) and performance_id in self.subscribed:
                self.subscribed.discard(performance_id)
                self.watching.pop(performance_id, None)
                self.joining.pop(performance_id, None)
                await self.layer.group_discard(performance_group(performance_id), self.channel)

    def watcher_count(self) -> int:
        return sum(self._watcher_count(performance_id) for performance_id in self.subscribed)

    def _watcher_count(self, performance_id: int) -> int:
        return len(self.watching.get(performance_id, ())) + len(
            self.joining.get(performance_id, ())
        )

    def _lock(self, performance_id: int) -> asyncio.Lock:
        return self.locks[performance_id % len(self.locks)]

    async def _subscribe(self, performance_id: int) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel(prefix="sandali-watchers.")
            self._tasks = [
                asyncio.ensure_future(self._receive_forever(self.channel)),
                asyncio.ensure_future(self._rejoin_forever()),
            ]
        await self.layer.group_add(performance_group(performance_id), self.channel)
        self.subscribed.add(performance_id)

    async def _receive_forever(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except REDIS_UNREACHABLE:
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.encoded_messages_received += 1
            if "text" not in message:  # from a process of an older release, mid-deploy
                log.warning("A seat change without its text was not sent: %s", message["type"])
                continue
            await self.deliver(message["performance"], message["text"])

    async def deliver(self, performance_id: int, text: str) -> None:
        """Write `text` to every socket of the performance here: one loop, no task or
        decoding per watcher. Under uvicorn a send only appends to the socket's buffer and
        never waits, so a slow reader delays nobody (docs/reliability.md, "Slow clients")."""
        for held in self.joining.get(performance_id, {}).values():
            held.append(text)
        # One ASGI message for all, straight to each socket's send: the consumer's own send
        # would only wrap it again.
        message = {"type": "websocket.send", "text": text}
        for watcher in list(self.watching.get(performance_id, ())):
            try:
                await watcher.base_send(message)
            except Exception as error:  # a socket closing now: its disconnect forgets it
                log.debug("A change was not sent to a closing socket: %s", error)

    async def _rejoin_forever(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            for performance_id in list(self.subscribed):
                with suppress(*REDIS_UNREACHABLE):
                    await self.layer.group_add(performance_group(performance_id), self.channel)


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout]" = (
    weakref.WeakKeyDictionary()
)


def fanout() -> Fanout:
    """This event loop's fan-out (a server runs one loop per process; tests, one per test)."""
    loop = asyncio.get_running_loop()
    found = _fanouts.get(loop)
    if found is None:
        found = _fanouts[loop] = Fanout(get_channel_layer())
    return found
