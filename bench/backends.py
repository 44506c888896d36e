"""What a buyer does against Sandali over HTTP (bench/limit.py: the same, on the database)."""

import itertools
import secrets
from itertools import accumulate

import aiohttp

from bench.outcomes import HoldOutcome

# One round robin per set of app processes, shared by every buyer, as a load balancer in front
# of them turns: each buyer cycling on its own, all in step, sent every buyer's hold to the
# first process and every checkout and release to the second (a round is two requests).
_balancers: dict[tuple[str, ...], itertools.cycle] = {}


class SandaliHttp:
    """map_format "columns" loads the map as the buyer's page does (?format=columns, gzipped:
    web/static/web/seatmap-wire.js); "rows" as the API's default, 10 times the bytes to parse."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        bases: list[str],
        performance_id: int,
        map_format: str = "columns",
    ):
        self.session = session
        self.map_format = map_format
        self.bases = _balancers.setdefault(tuple(bases), itertools.cycle(bases))
        self.performance_id = performance_id
        self.etag = ""
        self.pending = True  # whether the last map showed held seats that may come back

    async def load_map(self) -> list[int] | None:
        """The seats the map shows free; None when the map has not changed (304)."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        url = f"{next(self.bases)}/api/v1/performances/{self.performance_id}/seats"
        url += f"?format={self.map_format}"
        async with self.session.get(url, headers=headers) as response:  # aiohttp: gzip
            if response.status == 304:
                return None
            body = await response.json()
            self.etag = response.headers.get("ETag", "")
        if self.map_format == "columns":
            free, self.pending = free_in_columns(body)
            return free
        self.pending = any(row[7] == "reserved" for row in body["seats"])
        return [row[0] for row in body["seats"] if row[7] == "available"]

    async def hold(self, seats: list[int]) -> HoldOutcome:
        url = f"{next(self.bases)}/api/v1/performances/{self.performance_id}/holds"
        async with self.session.post(url, json={"seats": seats}) as response:
            body = await response.json()
            if response.status == 201:
                return HoldOutcome(hold=(body["id"], body["token"]))
            if response.status == 409:
                return HoldOutcome(refused=set(body.get("seats", seats)))
            raise RuntimeError(f"hold answered {response.status}: {body}")

    async def checkout(self, hold) -> bool:
        hold_id, token = hold
        url = f"{next(self.bases)}/api/v1/holds/{hold_id}/checkout"
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": secrets.token_hex(8)}
        body = {"name": "Bench Buyer", "email": "buyer@example.org"}
        async with self.session.post(url, json=body, headers=headers) as response:
            await response.read()
            return response.status == 201

    async def release(self, hold) -> None:
        hold_id, token = hold
        url = f"{next(self.bases)}/api/v1/holds/{hold_id}"
        headers = {"Authorization": f"Bearer {token}"}
        async with self.session.delete(url, headers=headers) as response:
            await response.read()


def free_in_columns(body: dict) -> tuple[list[int], bool]:
    """The free seats of a map in columns (`?format=columns`) and whether any is held, from
    only the columns a buyer's choice needs: ids and statuses (catalog/seat_map_columns.py
    decode is their twin)."""
    ids = accumulate(
        difference
        for difference, count in zip(body["id"][::2], body["id"][1::2], strict=True)
        for _ in range(count)
    )
    statuses = body["status"]
    free = [seat for seat, status in zip(ids, statuses, strict=True) if status == "a"]
    return free, "r" in statuses
