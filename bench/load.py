"""The load generator: asyncio buyers who load the seat map, hold 1-4 random seats that look
free, then check out (70 %) or release (30 %). The same buyers drive Sandali over HTTP
(aiohttp) or the bare-database limit (psycopg), so the two are measured alike."""

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

MAX_SELL_OUT_SECONDS = 180


class SeatView:
    """The buyers' shared idea of which seats are free, updated by what they learn."""

    def __init__(self, free_ids):
        self.free = list(free_ids)
        self.position = {seat: i for i, seat in enumerate(self.free)}

    def take(self, seats) -> None:
        for seat in seats:
            i = self.position.pop(seat, None)
            if i is None:
                continue
            last = self.free.pop()
            if last != seat:
                self.free[i] = last
                self.position[last] = i

    def give_back(self, seats) -> None:
        for seat in seats:
            if seat not in self.position:
                self.position[seat] = len(self.free)
                self.free.append(seat)

    def pick(self, rng: random.Random) -> list[int]:
        count = min(len(self.free), rng.randint(1, 4))
        return rng.sample(self.free, count) if count else []


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    holds: int = 0
    conflicts: int = 0
    checkouts: int = 0
    releases: int = 0
    seats_sold: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_order_at: float = 0.0

    def timed(self, name: str, started: float) -> None:
        self.latencies[name].append(time.perf_counter() - started)

    def summary(self, seconds: float) -> dict:
        attempts = self.holds + self.conflicts
        return {
            "seconds": round(seconds, 2),
            "holds_per_s": round(self.holds / seconds, 1),
            "orders_per_s": round(self.checkouts / seconds, 1),
            "seats_sold_per_s": round(self.seats_sold / seconds, 1),
            "hold_attempts": attempts,
            "orders": self.checkouts,
            "releases": self.releases,
            "conflict_rate": round(self.conflicts / attempts, 3) if attempts else 0.0,
            "errors": dict(self.errors),
            "latency_ms": {name: percentiles(values) for name, values in self.latencies.items()},
        }


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


async def buyer_round(backend, view: SeatView, stats: Stats, rng: random.Random) -> bool:
    """One buyer's visit: hold what looks free in `view`, then buy or give back; False when
    nothing looks free any more."""
    chosen = view.pick(rng)
    if not chosen:
        return False
    view.take(chosen)
    started = time.perf_counter()
    outcome = await backend.hold(chosen)
    stats.timed("hold", started)
    if outcome.refused is not None:
        stats.conflicts += 1
        view.give_back([s for s in chosen if s not in outcome.refused])
        return True
    stats.holds += 1
    if rng.random() < 0.7:
        started = time.perf_counter()
        if await backend.checkout(outcome.hold):
            stats.timed("checkout", started)
            stats.checkouts += 1
            stats.seats_sold += len(chosen)
            stats.last_order_at = time.perf_counter()
        else:
            stats.errors["checkout_failed"] += 1
    else:
        started = time.perf_counter()
        await backend.release(outcome.hold)
        stats.timed("release", started)
        stats.releases += 1
        view.give_back(chosen)
    return True


async def closed_loop(
    backends, view: SeatView, *, buyers: int, seconds: float | None, reload_map: bool, seed: int = 1
) -> tuple[Stats, float]:
    """`buyers` who never pause, for `seconds` or (None) until nothing looks free.

    With `reload_map` each buyer loads the seat map before every visit and picks from what it
    shows, as independent buyers in a rush do (so they conflict); otherwise all pick from one
    view loaded once (a huge performance, where conflicts are rare anyway)."""
    stats = Stats()
    started = time.perf_counter()
    deadline = started + (seconds or MAX_SELL_OUT_SECONDS)

    async def buyer(n: int) -> None:
        rng = random.Random(seed * 10_000 + n)
        backend = backends[n % len(backends)]
        own_view = view
        while time.perf_counter() < deadline:
            try:
                if reload_map:
                    began = time.perf_counter()
                    free = await backend.load_map()
                    stats.timed("map", began)
                    if free is not None:
                        own_view = SeatView(free)
                        if not free and not backend.pending:
                            return  # nothing free and nothing held: sold out
                if not await buyer_round(backend, own_view, stats, rng):
                    if not reload_map:
                        return
                    await asyncio.sleep(0.1)  # wait for the map to change
            except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
                stats.errors[type(error).__name__] += 1
                await asyncio.sleep(0.01)

    await asyncio.gather(*(buyer(n) for n in range(buyers)))
    elapsed = seconds if seconds else (stats.last_order_at or time.perf_counter()) - started
    return stats, elapsed


async def open_loop(
    backend, view: SeatView, *, rate: float, seconds: float, seed: int = 2
) -> tuple[Stats, float]:
    """Buyers arriving at a fixed rate, whatever the server's speed (no coordinated omission)."""
    stats = Stats()
    rng = random.Random(seed)
    tasks = []
    started = time.perf_counter()
    count = int(rate * seconds)
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(
            asyncio.create_task(_one_visit(backend, view, stats, random.Random(rng.random())))
        )
    await asyncio.gather(*tasks)
    return stats, seconds


async def _one_visit(backend, view, stats, rng) -> None:
    try:
        await buyer_round(backend, view, stats, rng)
    except Exception as error:  # noqa: BLE001
        stats.errors[type(error).__name__] += 1
