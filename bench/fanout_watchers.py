"""One client process of the fan-out benchmark (bench/fanout.py): COUNT WebSocket watchers of
one performance, spread over the socket servers' URLs, each recording when its snapshot came
and when each later message reached it (wall clock, comparable across the processes of one
machine).

    python -m bench.fanout_watchers SPEC_JSON

SPEC: {"urls": [ws://host:port/ws/performances/N, ...], "count": n, "handshakes": in flight}.
It prints "ready" once every watcher has its snapshot (or failed), waits for a line on stdin,
gives the last changes a moment, then prints one JSON document and exits.

The watchers are a minimal WebSocket client on asyncio's protocol API: they ask for
permessage-deflate as browsers do (so the server compresses for each socket, as it would for
browsers), and read only the frames' headers: the n-th message after the snapshot is the n-th
change, since nothing else changes on the watched performance while the benchmark holds seats
one after another. A full client (the websockets library: inflating and decoding every
message) cost several times the server's CPU per message, and with 2 cores shared the clients
would have measured themselves."""

import asyncio
import base64
import json
import os
import resource
import sys
import time
from urllib.parse import urlsplit

GRACE_SECONDS = 3.0
LARGEST_CHANGE = 4096  # bytes: a larger message after the snapshot is a map, not a change
PING, PONG, CLOSE = 0x9, 0xA, 0x8


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Watcher(asyncio.Protocol):
    def __init__(self, request: bytes, on_snapshot: asyncio.Future) -> None:
        self.request = request
        self.on_snapshot = on_snapshot
        self.buffer = bytearray()
        self.upgraded = False
        self.changes: list[float] = []
        self.problems: list[str] = []
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, error) -> None:
        if not self.on_snapshot.done():
            self.on_snapshot.set_exception(ConnectionError("closed before the snapshot"))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[: buffer.find(b"\r\n")]:
                self.on_snapshot.set_exception(ConnectionError(bytes(buffer[:40]).decode()))
                self.transport.close()
                return
            del buffer[: end + 4]
            self.upgraded = True
        while len(buffer) >= 2:
            opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            self._frame(opcode, payload, now)

    def _frame(self, opcode: int, payload: bytes, now: float) -> None:
        if opcode == PING:  # uvicorn pings idle sockets; a client frame is masked
            mask = os.urandom(4)
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self.transport.write(bytes([0x80 | PONG, 0x80 | len(payload)]) + mask + masked)
        elif opcode == CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.problems.append(f"closed {code}")
            if not self.on_snapshot.done():
                self.on_snapshot.set_exception(ConnectionError(f"closed {code}"))
        elif opcode in (0x1, 0x2):
            if not self.on_snapshot.done():
                self.on_snapshot.set_result(now)
            elif len(payload) > LARGEST_CHANGE:
                self.problems.append("a map among the changes")
            else:
                self.changes.append(now)


def upgrade_request(url: str) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    return parts.hostname, parts.port, request.encode()


async def watch(url: str, handshakes: asyncio.Semaphore, watchers: list, report: dict) -> None:
    loop = asyncio.get_running_loop()
    host, port, request = upgrade_request(url)
    async with handshakes:
        on_snapshot = loop.create_future()
        try:
            _transport, watcher = await loop.create_connection(
                lambda: Watcher(request, on_snapshot), host, port
            )
            report["snapshot_times"].append(await asyncio.wait_for(on_snapshot, timeout=120))
        except Exception as error:  # counted and reported: a benchmark result, not a crash
            report["failures"].append(type(error).__name__)
            return
    watchers.append(watcher)


async def main(spec: dict) -> None:
    handshakes = asyncio.Semaphore(spec.get("handshakes", 100))
    watchers: list[Watcher] = []
    report: dict = {"snapshot_times": [], "failures": []}
    started_cpu, started = cpu_seconds(), time.time()
    urls = spec["urls"]
    await asyncio.gather(
        *(watch(urls[n % len(urls)], handshakes, watchers, report) for n in range(spec["count"]))
    )
    ready_cpu, ready = cpu_seconds(), time.time()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await asyncio.sleep(GRACE_SECONDS)
    finished_cpu, finished = cpu_seconds(), time.time()
    report["watchers"] = len(watchers)
    # received[n]: when each watcher got the n-th change
    report["received"] = [
        [watcher.changes[n] for watcher in watchers if len(watcher.changes) > n]
        for n in range(max((len(watcher.changes) for watcher in watchers), default=0))
    ]
    report["failures"] += [problem for watcher in watchers for problem in watcher.problems]
    report["connect_cpu_share"] = round((ready_cpu - started_cpu) / max(1e-6, ready - started), 3)
    report["changes_cpu_share"] = round((finished_cpu - ready_cpu) / max(1e-6, finished - ready), 3)
    print(json.dumps(report), flush=True)
    for watcher in watchers:
        watcher.transport.abort()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
