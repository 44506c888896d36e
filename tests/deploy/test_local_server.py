"""The local run command: a newcomer sees a clean server log, a taken port is named with a
free one to use instead, and a paid order's mail is sent with no other process."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.factories import seat_ids
from tests.servers import free_port, shared_database_url, wait_until_up

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_the_run_commands_server_logs_no_warning_at_startup_or_on_static_files():
    port = free_port()
    # The task worker and its scheduler in the server process, as scripts/run has them.
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": shared_database_url(),
           "SANDALI_WORKER_IN_PROCESS": "1"}  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        # The very command scripts/run ends with.
        server = subprocess.Popen(
            [sys.executable, "-m", "ops.serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            wait_until_up(f"{base}/api/v1/events", server)
            script = urllib.request.urlopen(f"{base}/static/web/seatmap.js", timeout=10)
            body = script.read()
            again = urllib.request.Request(
                f"{base}/static/web/seatmap.js", headers={"If-None-Match": script.headers["ETag"]}
            )
            with pytest.raises(urllib.error.HTTPError) as not_modified:
                urllib.request.urlopen(again, timeout=10)
        finally:
            server.terminate()
            server.wait(timeout=10)
        log.seek(0)
        output = log.read()
    assert body == (ROOT / "web/static/web/seatmap.js").read_bytes()
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert not_modified.value.code == 304
    assert "lifespan" not in output, output
    assert "Warning" not in output and "StreamingHttpResponse" not in output, output


def test_the_run_command_names_a_taken_port_and_a_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["scripts/run"], cwd=ROOT, env={**os.environ, "PORT": str(port)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    hint = re.search(rf"port {port} is in use; run PORT=(\d+) scripts/run", result.stderr)
    assert hint, result.stderr
    with socket.socket() as suggested:
        suggested.bind(("127.0.0.1", int(hint[1])))


def api(base: str, method: str, path: str, body: dict, **headers: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", method=method, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.mark.django_db(transaction=True)
def test_the_run_commands_server_sends_a_paid_orders_mail_itself(performance, mail_server):
    """No worker process beside it: its own thread sends the mail (SANDALI_WORKER_IN_PROCESS,
    which scripts/run sets), in the language the buyer checked out in."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": shared_database_url(),
           "SANDALI_WORKER_IN_PROCESS": "1", "EMAIL_URL": mail_server.url}  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "ops.serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/events", server)
        hold = api(base, "POST", f"/performances/{performance.pk}/holds",
                   {"seats": seat_ids(performance)[:1]})  # fmt: skip
        order = api(base, "POST", f"/holds/{hold['id']}/checkout",
                    {"name": "Sara", "email": "sara@example.org"},
                    Authorization=f"Bearer {hold['token']}", **{"Idempotency-Key": "k"},
                    **{"Accept-Language": "fa"})  # fmt: skip
        deadline = time.monotonic() + 30
        while not mail_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    (message,) = mail_server.inbox.messages
    assert message["To"] == "Sara <sara@example.org>"
    assert message["Subject"].strip().startswith("بلیت‌های شما")
    assert f"order-{order['id']}.confirmation." in message["Message-ID"]
