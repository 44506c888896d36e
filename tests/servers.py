"""Real Sandali server processes (uvicorn) and a private Redis, for tests across processes."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_database_url() -> str:
    """The URL of the database this test runs on, for a server process to share it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


# A browser test module's pages are served by one server process (the module-scoped `server`
# fixtures of tests/web/test_browser.py and tests/checkin/test_scanner_browser.py): starting
# one (Django's imports) took 2 to 5 s of each browser test on CI's 2 cores. The database is
# flushed between tests, and SQLite's AUTOINCREMENT never gives a flushed row's id again, so
# nothing the process keeps in memory by id (snapshots, queues) reaches the next test; each
# test's pages are closed when it ends (conftest.py: close_browser_pages). What a fresh process
# had that a shared one has not is empty rate-limit counters: the module's earlier tests'
# counts would add up, so the limits per client address are set beyond any test's own clicks
# (no browser test tests them: the pages' and the API's rate tests run on Django's test
# client, with the settings they test).
SHARED_SERVER_SETTINGS = {
    "SANDALI_RATE_HOLDS": "100000/60",
    "SANDALI_RATE_CHECKOUTS": "100000/60",
    "SANDALI_RATE_TICKET_LINKS": "100000/600",
    "SANDALI_RATE_TICKET_REQUESTS": "100000/3600",
    "SANDALI_RATE_QUEUE_JOINS": "100000/60",
    "SANDALI_RATE_WAITING_LIST_JOINS": "100000/600",
}


@contextmanager
def module_server(django_db_blocker):
    """Yield the base URL of a server process for a browser test module (SHARED_SERVER_SETTINGS).
    When the module ends, after the process stopped, the database is flushed once more: the
    module's last test's rows were flushed while the process still ran, and its worker's
    periodic tasks went on writing their results (one left a second sweep's result for the
    next module's test of the scheduler)."""
    from django.core.management import call_command

    with sandali_server(**SHARED_SERVER_SETTINGS) as base:
        yield base
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


# The process serving each base URL that sandali_server yields, for tests that kill one.
SERVER_PROCESSES: dict[str, subprocess.Popen] = {}


@contextmanager
def sandali_server(*, redis_url: str = "", server: str = "uvicorn", **settings: str):
    """Yield the base URL of a Sandali server process on this test's database: uvicorn (ASGI,
    as the run command serves), granian with blocking threads (the API in production) or
    gunicorn with threaded workers (the waiting room's queue processes)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The task worker and its scheduler in the server process, as scripts/run has them:
        # the sweeper's changes reach this process's watchers. Mail goes nowhere.
        "SANDALI_WORKER_IN_PROCESS": "1",
        "SANDALI_SWEEP_INTERVAL_SECONDS": "0.2",
        "EMAIL_URL": "console://",
        "REDIS_URL": redis_url,
        # The pages charge synchronously unless a test of the provider's hosted page says.
        "SANDALI_PAYMENT_REDIRECT": "0",
        **settings,
    }
    if server == "gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", "sandali.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads", "4",
        ]  # fmt: skip
    elif server == "granian":
        command = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "sandali.wsgi:application",
            "--port", str(port), "--blocking-threads", "4", "--no-ws",
        ]  # fmt: skip
    else:
        command = [sys.executable, "-m", "uvicorn", "sandali.asgi:application"]
        command += ["--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    SERVER_PROCESSES[base] = process
    try:
        wait_until_up(f"{base}/api/v1/events", process)
        yield base
    finally:
        SERVER_PROCESSES.pop(base, None)
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def redis_server():
    """Yield the URL of a private Redis on loopback; None when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class LoopbackServer:
    """A payment provider's stand-in (tests/stripe_server.py, tests/bank_server.py) on a free
    loopback port, served from a thread: `url` for the provider's base-URL setting, `fake`
    (its state) for the test."""

    def __init__(self, fake, make_handler):
        self.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
