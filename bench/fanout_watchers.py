"""One client process of the fan-out benchmark (bench/fanout.py): COUNT WebSocket watchers of
one performance, spread over the socket servers' URLs, each recording when its snapshot came
and when each seat's change reached it (wall clock, comparable across the processes of one
machine).

    python -m bench.fanout_watchers SPEC_JSON

SPEC: {"urls": [ws://.../ws/performances/N, ...], "count": n, "handshakes": in flight at once}.
It prints "ready" once every watcher has its snapshot (or failed), waits for a line on stdin,
gives the last changes a moment, then prints one JSON document and exits. The sockets offer
permessage-deflate, as browsers do."""

import asyncio
import json
import resource
import sys
import time
from collections import defaultdict

from websockets.asyncio.client import connect

GRACE_SECONDS = 3.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Watchers:
    def __init__(self, spec: dict) -> None:
        self.urls = spec["urls"]
        self.count = spec["count"]
        self.handshakes = asyncio.Semaphore(spec.get("handshakes", 100))
        self.snapshot_times: list[float] = []
        self.failures: list[str] = []
        # seat id -> when each watcher got the seat's first change after its snapshot
        self.received: dict[int, list[float]] = defaultdict(list)
        self.settled = 0
        self.all_settled = asyncio.Event()
        self.sockets = []

    def _settle(self) -> None:
        self.settled += 1
        if self.settled == self.count:
            self.all_settled.set()

    async def watch(self, url: str) -> None:
        try:
            async with self.handshakes:
                socket = await connect(url, open_timeout=120, ping_interval=None, max_size=None)
                first = await asyncio.wait_for(socket.recv(), timeout=120)
        except Exception as error:  # counted and reported: a benchmark result, not a crash
            self.failures.append(type(error).__name__)
            self._settle()
            return
        self.snapshot_times.append(time.time())
        if not first.startswith('{"snapshot":true'):
            self.failures.append("first message was not the snapshot")
        self.sockets.append(socket)
        self._settle()
        seen: set[int] = set()
        try:
            async for message in socket:
                now = time.time()
                if message.startswith('{"snapshot"'):
                    continue  # a catch-up map: changes are what is measured
                for seat, _status, _version in json.loads(message).get("seats", ()):
                    if seat not in seen:
                        seen.add(seat)
                        self.received[seat].append(now)
        except Exception as error:
            self.failures.append(f"closed: {type(error).__name__}")


async def main(spec: dict) -> None:
    watchers = Watchers(spec)
    started_cpu, started = cpu_seconds(), time.time()
    tasks = [
        asyncio.ensure_future(watchers.watch(watchers.urls[n % len(watchers.urls)]))
        for n in range(watchers.count)
    ]
    await watchers.all_settled.wait()
    ready_cpu, ready = cpu_seconds(), time.time()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await asyncio.sleep(GRACE_SECONDS)
    finished_cpu, finished = cpu_seconds(), time.time()
    report = {
        "watchers": len(watchers.sockets),
        "failures": watchers.failures,
        "snapshot_times": watchers.snapshot_times,
        "received": watchers.received,
        "connect_cpu_share": round((ready_cpu - started_cpu) / max(1e-6, ready - started), 3),
        "changes_cpu_share": round((finished_cpu - ready_cpu) / max(1e-6, finished - ready), 3),
    }
    print(json.dumps(report), flush=True)
    for task in tasks:
        task.cancel()
    for socket in watchers.sockets:
        socket.transport.abort()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
