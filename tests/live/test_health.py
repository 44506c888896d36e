"""The probe of the channel layer tells a lost message from a late one: watchers are sent the
whole map again only when changes may have been lost, not whenever their process was busy."""

import asyncio

import pytest

from live import health as health_module
from live.health import LayerHealth

pytestmark = pytest.mark.asyncio


class ProbedLayer:
    """Echoes each probe after `delay` seconds, or drops the probes numbered in `dropped`."""

    def __init__(self, delay: float = 0.0, dropped: set[int] = frozenset()) -> None:
        self.delay = delay
        self.dropped = dropped
        self.queue: asyncio.Queue = asyncio.Queue()

    async def send(self, channel: str, message: dict) -> None:
        if message["n"] not in self.dropped:
            delay = self.delay if message["n"] == 2 else 0.0
            asyncio.get_running_loop().call_later(delay, self.queue.put_nowait, message)

    async def receive(self, channel: str) -> dict:
        return await self.queue.get()


@pytest.fixture(autouse=True)
def fast_probes(monkeypatch):
    monkeypatch.setattr(health_module, "PROBE_SECONDS", 0.05)
    monkeypatch.setattr(health_module, "ECHO_SECONDS", 0.1)


async def probe_for(layer, seconds: float) -> list[float]:
    probed = LayerHealth()
    recoveries: list[float] = []
    probed.on_recovered.append(recoveries.append)
    task = asyncio.ensure_future(probed._probe_forever(layer))
    await asyncio.sleep(seconds)
    task.cancel()
    return recoveries


async def test_a_probe_that_never_comes_back_sends_every_watcher_the_map():
    assert len(await probe_for(ProbedLayer(dropped={2}), 0.6)) == 1


async def test_a_probe_that_comes_back_late_sends_nothing():
    """The second probe comes back after its deadline, before the third: a busy process."""
    assert await probe_for(ProbedLayer(delay=0.15), 0.6) == []
