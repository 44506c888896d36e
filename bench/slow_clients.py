"""Slow clients against the recommended API server (granian, 2 workers x 4 blocking threads;
or gunicorn, 2 workers x 4 threads, gthread), straight and behind the nginx recipe
(deploy/nginx/sandali.conf): N connections send a request's headers a byte a second while 8
other clients ask for the events list; how long do those wait? Prints one JSON document.
    python -m bench.slow_clients [--server granian|gunicorn] [--slow 0 8 16] [--timeout 5]
"""

import argparse
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager, suppress
from urllib.parse import urlsplit

OTHER_CLIENTS = 8


@contextmanager
def slow_header_clients(url: str, count: int, *, seconds: float = 20):
    """Open `count` connections to `url` that send the start of a request and then one byte
    of a header a second, never finishing it; they stop after `seconds` or on leaving."""
    address = urlsplit(url)
    sockets = [socket.create_connection((address.hostname, address.port), timeout=2)
               for _ in range(count)]  # fmt: skip
    start = f"GET /api/v1/events HTTP/1.1\r\nHost: {address.hostname}\r\n".encode()
    stop = threading.Event()

    def drip() -> None:
        for sock in sockets:
            with suppress(OSError):
                sock.sendall(start)
        deadline = time.monotonic() + seconds
        while not stop.wait(1) and time.monotonic() < deadline:
            for sock in sockets:
                with suppress(OSError):
                    sock.sendall(b"X")

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        time.sleep(1)  # the servers have read the first bytes and are waiting for the rest
        yield
    finally:
        stop.set()
        dripper.join()
        for sock in sockets:
            sock.close()


def other_clients(url: str, *, count: int = OTHER_CLIENTS, timeout: float = 5) -> list[dict]:
    """`count` ordinary requests at once; each one's status (None: no answer) and seconds."""
    results: list[dict] = [{}] * count

    def ask(index: int) -> None:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = None
        results[index] = {"status": status, "seconds": round(time.monotonic() - started, 3)}

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def measure(target: str, slow: int, timeout: float) -> dict:
    with slow_header_clients(target, slow):
        results = other_clients(f"{target}/api/v1/events", timeout=timeout)
    seconds = sorted(r["seconds"] for r in results)
    return {
        "slow_clients": slow,
        "answered_200": sum(r["status"] == 200 for r in results),
        "timed_out": sum(r["status"] is None for r in results),
        "median_seconds": seconds[len(seconds) // 2],
        "max_seconds": seconds[-1],
    }


def main() -> None:
    from bench.infra import AppProcess, django_env, manage, private_postgres
    from bench.nginx import private_nginx

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow", type=int, nargs="+", default=[0, 8, 16])
    parser.add_argument("--timeout", type=float, default=5)
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    args = parser.parse_args()
    with ExitStack() as stack:
        database_url, _ = stack.enter_context(private_postgres())
        env = django_env(database_url, SANDALI_TRUSTED_PROXIES="1")
        manage(env, "migrate", "-v0")
        api = AppProcess(env, workers=2, threads=4, server=args.server).start()
        stack.callback(api.stop)
        uvicorn = AppProcess(env, server="uvicorn").start()
        stack.callback(uvicorn.stop)
        proxy = stack.enter_context(
            private_nginx(
                http_upstream=f"127.0.0.1:{api.port}", ws_upstream=f"127.0.0.1:{uvicorn.port}"
            )  # fmt: skip
        )
        result = {
            "server": args.server, "timeout_seconds": args.timeout, "other_clients": OTHER_CLIENTS
        }  # fmt: skip
        for name, target in {args.server: api.url, f"nginx_then_{args.server}": proxy}.items():
            result[name] = []
            for slow in args.slow:
                result[name].append(measure(target, slow, args.timeout))
                time.sleep(1)  # let the server drop the last round's connections
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
