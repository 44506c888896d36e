"""The probe of the channel layer tells a lost message from a late one: watchers are sent the
whole map again only when changes may have been lost, not whenever their process was busy."""

import asyncio
import time

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


class StarvedLayer(ProbedLayer):
    """Echoes every probe at once, but its process gets no CPU for `starved` seconds after
    each send (the event loop blocked): a process in the idle scheduling class while others
    keep every core busy."""

    def __init__(self, starved: float) -> None:
        super().__init__()
        self.starved = starved

    async def send(self, channel: str, message: dict) -> None:
        loop = asyncio.get_running_loop()

        def off_the_cpu() -> None:  # then the echo is read 20 ms after the process is back
            time.sleep(self.starved)
            loop.call_later(0.02, self.queue.put_nowait, message)

        loop.call_soon(off_the_cpu)


async def test_a_process_off_the_cpu_is_not_taken_for_redis_down():
    """Three times the deadline off the CPU after every probe, the echo there when it is back:
    the wall clock says every probe missed, the time the process ran says none did."""
    probed = LayerHealth()
    recoveries: list[float] = []
    probed.on_recovered.append(recoveries.append)
    task = asyncio.ensure_future(probed._probe_forever(StarvedLayer(starved=0.3)))
    await asyncio.sleep(1.5)
    task.cancel()
    assert probed.up and recoveries == []


async def test_a_layer_that_drops_every_probe_is_down_however_busy_the_process():
    probed = LayerHealth()
    task = asyncio.ensure_future(probed._probe_forever(ProbedLayer(dropped=set(range(100)))))
    await asyncio.sleep(0.6)
    task.cancel()
    assert not probed.up
