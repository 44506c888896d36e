"""Whether this process's channel layer (Redis) carries messages right now, probed end to end.

Once a second the process sends a message through the layer to a channel it subscribes to
itself, and waits for it. A send that fails, or two probes that do not come back in time, mark
the layer down: new sockets are refused (live/guard.py), while the watchers already connected stay
open. When a probe comes through after one that never did, Redis's pub/sub connection has
resubscribed every channel and group of this process (all at once, on reconnecting, before the
probe's own message), so each watcher is sent a fresh snapshot, since the changes made
meanwhile never reached it (publishers drop them while Redis is down, live/publish.py).

Only a shared layer (Redis) is probed; the in-process layer cannot be down.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

from channels.layers import InMemoryChannelLayer

from core.metrics import REDIS_FAILURES
from core.redis_outage import REDIS_UNREACHABLE

log = logging.getLogger(__name__)
PROBE_SECONDS = 1.0
ECHO_SECONDS = 2.0  # a probe not back by then is missed
MISSED_PROBES_FOR_DOWN = 2
MAX_TICK_SECONDS = 0.05  # of a probe's wait, per wake of the event loop


class LayerHealth:
    def __init__(self) -> None:
        self.up = True
        # Called with the time the layer was seen back (time.time()), on the event loop.
        self.on_recovered: list[Callable[[float], None]] = []
        self._task: asyncio.Task | None = None
        self._last_seen = 0
        self._seen: set[int] = set()  # the probes that came back, late or not (the last few)

    def watch(self, layer) -> None:
        """Start probing `layer` from the running event loop, once per process."""
        if self._task is None and layer is not None and not isinstance(layer, InMemoryChannelLayer):
            self._task = asyncio.ensure_future(self._probe_forever(layer))

    async def _probe_forever(self, layer) -> None:
        channel = f"asgi.sandali-health.{uuid.uuid4().hex}"
        receiver = asyncio.ensure_future(self._receive(layer, channel))
        missed, n = 0, 0
        try:
            while True:
                # First: the receiver subscribes the channel meanwhile. A first probe sent at
                # once was often lost before the subscription was in place, and counted as an
                # outage that every watcher had to be sent the whole map for.
                await asyncio.sleep(PROBE_SECONDS)
                n += 1
                answered = await self._probe(layer, channel, n)
                if answered and missed:
                    self._recovered(lost=any(k not in self._seen for k in range(n - missed, n)))
                missed = 0 if answered else missed + 1
                if self.up and (answered is None or missed >= MISSED_PROBES_FOR_DOWN):
                    self.up = False
                    log.warning("Live updates paused: the channel layer (Redis) is unreachable.")
        finally:
            receiver.cancel()

    async def _probe(self, layer, channel: str, n: int) -> bool | None:
        """True when probe n came back, False when it did not, None when it could not even be
        sent."""
        try:
            await layer.send(channel, {"type": "probe", "n": n})
        except REDIS_UNREACHABLE:
            REDIS_FAILURES.labels("channel layer").inc()
            return None
        # The deadline counts the time this process ran, not the wall clock: a process the
        # machine runs last (in the idle scheduling class, README "Live updates for many
        # watchers") can be off the CPU for seconds while Redis answered at once, and that is
        # not an outage. Each wake counts for at most MAX_TICK_SECONDS.
        waited, last = 0.0, time.monotonic()
        while self._last_seen < n and waited < ECHO_SECONDS:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            waited += min(now - last, MAX_TICK_SECONDS)
            last = now
        return self._last_seen >= n

    async def _receive(self, layer, channel: str) -> None:
        while True:
            try:
                message = await layer.receive(channel)
            except REDIS_UNREACHABLE:
                _forget_failed_subscription(layer, channel)
                await asyncio.sleep(PROBE_SECONDS)
                continue
            n = message.get("n", 0)
            self._last_seen = max(self._last_seen, n)
            self._seen.add(n)
            if len(self._seen) > 1000:  # an hour's probes and more: keep the last minutes'
                self._seen = {k for k in self._seen if k > n - 300}

    def _recovered(self, *, lost: bool) -> None:
        """`lost`: a probe missed never came back, so changes sent meanwhile may be lost too.
        Probes that all came back late only show a busy process (its event loop behind, as
        while thousands of sockets connect): nothing was lost, and sending every watcher the
        whole map then would only make it busier."""
        if not self.up:
            self.up = True
            log.warning("Live updates resumed: the channel layer (Redis) is back.")
        if not lost:
            return
        recovered_at = time.time()
        for callback in self.on_recovered:
            callback(recovered_at)


def _forget_failed_subscription(layer, channel: str) -> None:
    """channels_redis records a channel before subscribing to it, and keeps the record when
    the subscription fails; forget it so that the next receive subscribes again."""
    loop_layer = getattr(layer, "_get_layer", lambda: None)()
    channels = getattr(loop_layer, "channels", None)
    if isinstance(channels, dict):
        channels.pop(channel, None)


health = LayerHealth()
