"""The surge's small HTTP client (bench/http_client.py) against a real local server: answers
by length and in chunks, connections kept and reused, a kept connection the server closed
sent again once on a new one, gzip undone, and no answer reported as NoAnswer."""

import asyncio
import gzip
import json
import socket
import struct

import pytest
import uvloop

from bench.http_client import NoAnswer, Pool


async def serve(handle):
    """A server on a free loopback port; `handle(reader, writer, connection_number)`."""
    connections = 0

    async def on_connect(reader, writer):
        nonlocal connections
        connections += 1
        try:
            await handle(reader, writer, connections)
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}", lambda: connections


async def read_request(reader) -> tuple[str, dict, bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    line, *fields = head.strip().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return line, headers, body


async def two_requests(handle):
    """Two GETs a moment apart through one pool: (first answer, second, connections made)."""
    server, base, connections = await serve(handle)
    pool = Pool(4, timeout=5)
    try:
        first = await pool.request("GET", f"{base}/")
        await asyncio.sleep(0.2)
        second = await pool.request("GET", f"{base}/")
    finally:
        pool.close()
        server.close()
    return first, second, connections()


def test_json_bodies_go_and_come_back_by_length_gzipped_and_in_chunks_on_one_connection():
    async def handle(reader, writer, _number):
        while True:
            try:
                line, headers, body = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            echo = json.dumps({"line": line, "body": body.decode(), "pass": headers.get("x-pass")})
            if line.startswith("GET"):  # chunked, in two pieces
                data = echo.encode()
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for piece in (data[:5], data[5:]):
                    writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                writer.write(b"0\r\n\r\n")
            else:  # gzipped, as asked
                assert headers["accept-encoding"] == "gzip"
                data = gzip.compress(echo.encode())
                writer.write(
                    b"HTTP/1.1 201 Created\r\nContent-Encoding: gzip\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(data), data)
                )
            await writer.drain()

    async def main():
        server, base, connections = await serve(handle)
        pool = Pool(4)
        try:
            posted = await pool.request(
                "POST", f"{base}/api/queue", json_body={"a": 1}, headers={"X-Pass": "p"}
            )
            got = await pool.request("GET", f"{base}/api/seats?x=1")
        finally:
            pool.close()
            server.close()
        return posted, got, connections()

    posted, got, connections = asyncio.run(main())
    assert posted.status == 201
    assert json.loads(posted.body) == {
        "line": "POST /api/queue HTTP/1.1",
        "body": '{"a": 1}',
        "pass": "p",
    }
    assert got.status == 200 and json.loads(got.body)["line"] == "GET /api/seats?x=1 HTTP/1.1"
    assert connections == 1  # kept open and reused


def test_a_kept_connection_the_server_closed_is_sent_again_once_on_a_new_one():
    async def handle(reader, writer, number):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n%d" % (10 + number))
        await writer.drain()
        # then closes: the client's kept connection is dead

    first, second, connections = asyncio.run(two_requests(handle))
    assert (first.body, second.body, connections) == (b"11", b"12", 2)


def test_no_answer_is_no_answer():
    async def handle(reader, writer, _number):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")  # then closes

    async def main():
        server, base, _connections = await serve(handle)
        pool = Pool(1)
        try:
            with pytest.raises(NoAnswer):
                await pool.request("GET", f"{base}/")
            server.close()
            await server.wait_closed()
            with pytest.raises(NoAnswer):  # refused
                await pool.request("GET", f"{base}/")
        finally:
            pool.close()

    asyncio.run(main())


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_kept_connection_the_server_reset_is_not_a_crash(loop):
    """A connection reset while kept (nginx restarted, say): the next request goes on a new
    one. uvloop raised RuntimeError writing to it, which no one caught."""
    served = []

    async def handle(reader, writer, _number):
        await read_request(reader)
        served.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        if len(served) == 1:  # reset, not closed: RST at once
            linger = struct.pack("ii", 1, 0)
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            writer.transport.abort()
            return
        await reader.read()

    run = uvloop.run if loop == "uvloop" else asyncio.run
    first, second, connections = run(two_requests(handle))
    assert (first.status, second.status, connections) == (200, 200, 2)
