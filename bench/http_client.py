"""A small HTTP/1.1 client for the surge's load generator: keep-alive connections in a bounded
pool, requests written whole, answers read by Content-Length (or chunks) and gunzipped,
nothing else.

Why not aiohttp (which the surge used for everything until 2026-11-30, and still uses for
buying: bench/surge_buyers.py says why): the load generator runs on the cores it measures,
and with this client for the queue's joins and polls (most of the requests) the surge's
client processes took 21-26 s of CPU a run against 40-66 s with aiohttp for everything
(docs/benchmarks.md): CPU the app gets back during the arrivals. It does what the surge's
requests need (JSON bodies, a few headers, answers with a length or in chunks, gzip) and
nothing more: no redirects, cookies, TLS or proxies.
"""

import asyncio
import json
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit


class NoAnswer(Exception):
    """The connection failed, was closed, or the answer was cut short or malformed."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


class Pool:
    """At most `limit` connections at once to any number of hosts, kept open between
    requests. A request that finds a kept connection closed by the server (before any answer)
    is sent again on the next kept one, or a new one, as browsers do."""

    def __init__(self, limit: int, timeout: float = 60):
        self.slots = asyncio.Semaphore(limit)
        self.timeout = timeout
        self.idle: dict[tuple[str, int], list] = {}

    async def request(
        self, method: str, url: str, *, json_body=None, headers: dict | None = None
    ) -> Answer:
        address = urlsplit(url)
        host, port = address.hostname, address.port or 80
        path = url[url.index("/", len(address.scheme) + 3) :]
        body = b"" if json_body is None else json.dumps(json_body).encode()
        # gzip, as browsers (and aiohttp) ask: the seat map is ten times smaller so.
        lines = [f"{method} {path} HTTP/1.1", f"Host: {address.netloc}", "Accept-Encoding: gzip"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if json_body is not None:
            lines.append("Content-Type: application/json")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        # The timeout counts the wait for a connection too (as aiohttp's total timeout does):
        # a buyer waits a minute at most, whatever it waits for.
        try:
            async with asyncio.timeout(self.timeout), self.slots:
                return await self._send(host, port, message, method)
        except TimeoutError:
            raise
        except (OSError, RuntimeError, asyncio.IncompleteReadError, ValueError, zlib.error) as e:
            # RuntimeError: uvloop's write on a transport the server reset
            raise NoAnswer(str(e)) from e

    async def _send(self, host: str, port: int, message: bytes, method: str) -> Answer:
        kept = self.idle.setdefault((host, port), [])
        while kept:  # a kept connection the server closed fails before any answer: next
            connection = kept.pop()
            reader, writer = connection
            if writer.is_closing() or reader.at_eof():
                writer.close()
                continue
            try:
                return await self._exchange(connection, (host, port), message, method)
            except asyncio.IncompleteReadError as error:
                if error.partial:
                    raise
            except (ConnectionError, RuntimeError):  # RuntimeError: uvloop, reset while kept
                pass
        connection = await asyncio.open_connection(host, port)
        return await self._exchange(connection, (host, port), message, method)

    async def _exchange(self, connection, key, message: bytes, method: str) -> Answer:
        reader, writer = connection
        try:
            writer.write(message)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                body = b""
            elif "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await self._chunks(reader)
            else:  # the answer ends with the connection
                body = await reader.read()
                headers["connection"] = "close"
        except BaseException:
            writer.close()
            raise
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self.idle[key].append(connection)
        if headers.get("content-encoding", "").lower() == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        return Answer(status, headers, body)

    @staticmethod
    async def _chunks(reader) -> bytes:
        parts = []
        while True:  # no trailers: nginx sends none
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if not size:
                return b"".join(parts)
            parts.append(chunk[:-2])

    def close(self) -> None:
        for connections in self.idle.values():
            for _reader, writer in connections:
                writer.close()
        self.idle.clear()
