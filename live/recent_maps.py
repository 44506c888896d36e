"""This process's newest seat map of each watched performance, for the sockets that connect.

The map comes from the seat map's cached snapshot (catalog/snapshots.py), under the same rule:
one computed more than SANDALI_SNAPSHOT_SECONDS ago is never served. Kept here as well, a
connect within that time costs no hop to the database thread and no read of the shared cache
(with Redis, the whole map over the network for every socket); sockets that connect while a
read is under way wait for that read rather than each making their own.
"""

import asyncio
import time

from channels.db import database_sync_to_async
from django.conf import settings

from catalog import snapshots

Entry = tuple[float, snapshots.SeatMap]  # when it was computed, the map


class RecentMaps:
    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self.reading: dict[int, asyncio.Future] = {}

    async def seat_map(self, performance_id: int) -> Entry:
        """(when it was computed, the map); DomainError (404) for an unknown performance."""
        entry = self.entries.get(performance_id)
        if entry is not None and time.time() - entry[0] < settings.SANDALI_SNAPSHOT_SECONDS:
            return entry
        read = self.reading.get(performance_id)
        if read is None:
            read = asyncio.ensure_future(self._read(performance_id))
            self.reading[performance_id] = read
        # Shielded: a socket that closes while it waits must not cancel the others' read.
        return await asyncio.shield(read)

    async def _read(self, performance_id: int) -> Entry:
        try:
            entry = await database_sync_to_async(snapshots.seat_map)(performance_id=performance_id)
        finally:
            self.reading.pop(performance_id, None)
        self._forget_expired()
        self.entries[performance_id] = entry
        return entry

    def _forget_expired(self) -> None:
        now = time.time()
        ttl = settings.SANDALI_SNAPSHOT_SECONDS
        for performance_id, (computed_at, _map) in list(self.entries.items()):
            if now - computed_at >= ttl:
                del self.entries[performance_id]
