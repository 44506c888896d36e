"""The one place that tells watchers about seat changes (DESIGN.md principle 6).

Services call `publish_seat_changes` inside their transaction with the changed seats' new
(performance_id, seat_id, status, version); the changes are sent once the transaction commits,
as one message per performance: {"seats": [[id, status, version], ...]}. Nothing is sent for
a transaction that rolls back. The message is encoded here, once, as the text every watcher's
socket gets: each socket process only forwards it (live/fanout.py).

Publishing never fails a request: with Redis it runs on a background thread after commit, and
while Redis cannot be reached the changes are dropped (a circuit breaker tries Redis once a
second); watchers are sent a fresh snapshot when their process sees Redis back (live/health.py).
"""

import asyncio
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from core.metrics import SEAT_CHANGES
from core.redis_outage import REDIS_UNREACHABLE, circuit

log = logging.getLogger(__name__)
SeatRow = tuple[int, int, str, int]  # performance_id, seat_id, status, version


def performance_group(performance_id: int) -> str:
    return f"performance-{performance_id}"


# Where a browser watches a performance's seats: live/routing.py routes it (a Channels route,
# not a Django URL, so reverse() cannot build it) and the pages connect to it.
PERFORMANCE_SOCKET_PREFIX = "ws/performances/"


def performance_socket_path(performance_id: int) -> str:
    return f"/{PERFORMANCE_SOCKET_PREFIX}{performance_id}"


def publish_seat_changes(rows: Iterable[SeatRow], *, reason: str) -> None:
    """Send these seat states after commit; `reason` (held, sold, released, expired, ...)
    labels the seat-change metric."""
    changes: dict[int, list] = defaultdict(list)
    count = 0
    for performance_id, seat_id, status, version in rows:
        changes[performance_id].append([seat_id, status, version])
        count += 1
    if not count:
        return
    transaction.on_commit(lambda: send_seat_changes(changes))
    transaction.on_commit(lambda: SEAT_CHANGES.labels(reason).inc(count))


def publish_area_counts(
    count_areas: Callable[[], dict[int, list]], *, places: int, reason: str
) -> None:
    """After commit, read the standing areas' counts (`count_areas()`: performance id ->
    [[area id, free places, version], ...], read then so that they include this commit) and
    send them; `places` changed places count in the seat-change metric."""
    transaction.on_commit(lambda: _send("areas.changed", "areas", count_areas()))
    transaction.on_commit(lambda: SEAT_CHANGES.labels(reason).inc(places))


def send_seat_changes(changes: dict[int, list]) -> None:
    _send("seats.changed", "seats", changes)


def watcher_text(key: str, rows: list) -> str:
    """What a watcher's socket is sent: {"seats": [...]} or {"areas": [...]}, compact."""
    return json.dumps({key: rows}, separators=(",", ":"))


def _send(kind: str, key: str, changes: dict[int, list]) -> None:
    layer = get_channel_layer()
    if layer is None or not changes:
        return
    messages = [
        (
            performance_group(performance_id),
            {"type": kind, "performance": performance_id, "text": watcher_text(key, rows)},
        )
        for performance_id, rows in changes.items()
    ]
    if isinstance(layer, InMemoryChannelLayer):
        # One process: deliver on the server's own event loop.
        send = async_to_sync(layer.group_send)
        for group, message in messages:
            send(group, message)
    else:
        _background_sender().submit(layer, messages)


class _BackgroundSender:
    """Sends to a shared channel layer (Redis) from one long-lived event loop in a daemon
    thread: a request thread neither waits for Redis nor builds a loop and a connection for
    every message, as async_to_sync would in a WSGI process."""

    def __init__(self) -> None:
        self.circuit = circuit("channel layer")
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="seat-publisher", daemon=True).start()

    def submit(self, layer, messages) -> None:
        if not self.circuit.allow():
            return  # Redis is down: the watchers get a snapshot when it is back
        future = asyncio.run_coroutine_threadsafe(self._send(layer, messages), self.loop)
        future.add_done_callback(_log_failure)

    async def _send(self, layer, messages) -> None:
        try:
            for group, message in messages:
                await layer.group_send(group, message)
        except REDIS_UNREACHABLE as error:
            self.circuit.failed(error)  # counted, and logged once per outage
        else:
            self.circuit.succeeded()


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.warning("Could not publish seat changes: %s", future.exception())


_sender: _BackgroundSender | None = None
_sender_lock = threading.Lock()


def _background_sender() -> _BackgroundSender:
    global _sender
    with _sender_lock:
        if _sender is None:
            _sender = _BackgroundSender()
        return _sender
