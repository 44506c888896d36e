"""The API's edges over real HTTP: chunked bodies, hostile web pages, clients with no address,
and the answers that must never be a traceback."""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from reservations.models import Hold
from tests.api.helpers import assert_problem
from tests.factories import make_performance, seat_ids
from tests.servers import ROOT, sandali_server, shared_database_url

SERVERS = ["uvicorn", "granian", "gunicorn"]


def send(base: str, method: str, path: str, body=None, headers=None, *, chunked=False):
    """One request with http.client (which can send chunks); returns status, headers, body."""
    host = urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=15)
    try:
        if chunked:
            connection.request(method, path, body=iter(body), headers=headers or {},
                               encode_chunked=True)  # fmt: skip
        else:
            connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def json_headers(**extra: str) -> dict:
    return {"Content-Type": "application/json", **extra}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", SERVERS)
def test_chunked_bodies_are_read_or_refused_with_the_documented_problem(server):
    performance = make_performance()
    ids = seat_ids(performance)
    path = f"/api/v1/performances/{performance.pk}/holds"
    with sandali_server(server=server, SANDALI_MAX_BODY_BYTES="2000") as base:
        small = json.dumps({"seats": ids[:2]}).encode()
        status, _, body = send(base, "POST", path, [small[:5], small[5:]], json_headers(),
                               chunked=True)  # fmt: skip
        assert status == 201, body
        assert sorted(seat["id"] for seat in json.loads(body)["seats"]) == ids[:2]

        big = [b'{"seats": [', *([b"1, " * 100] * 20), b"1]}"]
        status, headers, body = send(base, "POST", path, big, json_headers(), chunked=True)
        assert status == 413, body
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["code"] == "request_too_large"
        assert b"Traceback" not in body


@pytest.mark.django_db(transaction=True)
def test_a_hostile_web_page_cannot_hold_seats_from_its_visitors_browsers():
    performance = make_performance()
    ids = seat_ids(performance)
    path = f"/api/v1/performances/{performance.pk}/holds"
    payload = json.dumps({"seats": [ids[0]]})
    with sandali_server(SANDALI_ALLOWED_ORIGINS="https://box-office.example.org") as base:
        # An auto-submitting <form enctype="text/plain"> and a no-cors fetch: no preflight.
        for media_type in ("text/plain", "application/x-www-form-urlencoded", ""):
            status, _, body = send(base, "POST", path, payload, {"Content-Type": media_type})
            assert status == 415, body
            assert json.loads(body)["code"] == "unsupported_media_type"
        foreign = json_headers(Origin="https://scalper.example.com")
        status, _, body = send(base, "POST", path, payload, foreign)
        assert (status, json.loads(body)["code"]) == (403, "origin_not_allowed")
        status, _, body = send(base, "POST", path, payload, json_headers(Origin="null"))
        assert status == 403
        assert not Hold.objects.exists()

        # The site itself, an allowed origin, and clients that send no Origin are served.
        for n, origin in enumerate((base, "https://box-office.example.org", None)):
            headers = json_headers(**({"Origin": origin} if origin else {}))
            body = json.dumps({"seats": [ids[n]]})
            status, _, answer = send(base, "POST", path, body, headers)
            assert status == 201, answer
        assert Hold.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_client_without_an_address_is_still_one_client_to_the_limits():
    """gunicorn on a Unix socket gives no REMOTE_ADDR: the limits must not fall away."""
    performance = make_performance(sections=4, rows=2, seats_per_row=10)
    ids = seat_ids(performance)
    socket_path = Path(tempfile.mkdtemp(prefix="sandali-sock-")) / "app.sock"
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "SANDALI_MAX_SEATS_PER_CLIENT": "6",
        "SANDALI_RATE_HOLDS": "5/60",
    }
    command = [sys.executable, "-m", "gunicorn", "sandali.wsgi:application",
               "--bind", f"unix:{socket_path}", "--worker-class", "gthread"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        statuses = []
        for n in range(6):
            body = json.dumps({"seats": ids[2 * n : 2 * n + 2]})
            statuses.append(unix_post(socket_path, f"/api/v1/performances/{performance.pk}/holds",
                                      body))  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)
    # Three holds of two seats reach the seat cap; then the cap, then the rate refuse.
    assert statuses[:3] == [201, 201, 201]
    assert statuses[3:] == [429, 429, 429]
    assert Hold.objects.count() == 3


def unix_post(socket_path: Path, path: str, body: str) -> int:
    deadline = time.monotonic() + 30
    while True:
        connection = http.client.HTTPConnection("localhost", timeout=15)
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(socket_path))
            connection.sock = sock
            connection.request("POST", path, body=body, headers=json_headers())
            return connection.getresponse().status
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        finally:
            connection.close()


@pytest.mark.django_db
def test_an_unexpected_error_is_a_500_problem_without_a_traceback_even_in_debug(
    client, settings, monkeypatch, caplog
):
    settings.DEBUG = True

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("catalog.selectors.list_events", broken)
    response = client.get("/api/v1/events")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error"
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert "secret internals" in caplog.text  # the operator still sees it


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"content_type": "text/plain"}, 415),
        ({"content_type": "application/json", "HTTP_ORIGIN": "https://evil.example"}, 403),
    ],
)
def test_the_gates_refusals_speak_persian(client, performance, headers, status):
    response = client.post(
        f"/api/v1/performances/{performance.pk}/holds",
        '{"seats": [1]}',
        HTTP_ACCEPT_LANGUAGE="fa",
        **headers,
    )
    assert response.status_code == status
    assert any("\u0600" <= ch <= "\u06ff" for ch in response.json()["detail"])


def test_a_host_the_server_does_not_serve_gets_a_problem_on_the_api(client):
    """Django refuses it before any view (ALLOWED_HOSTS); the API still answers problem+json."""
    response = client.get("/api/v1/events", HTTP_HOST="_not.a.host")
    assert_problem(response, 400, "bad_request")
    page = client.get("/", HTTP_HOST="_not.a.host")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_the_server_process_environment_never_reaches_a_request(monkeypatch):
    """granian puts its process's environment in every request's environ (request.META):
    the WSGI application drops it, so no secret of the process rides along a request."""
    from sandali import wsgi

    assert isinstance(wsgi.application, wsgi.WithoutProcessEnvironment)  # what servers call
    seen = {}
    monkeypatch.setenv("SANDALI_TEST_SECRET_URL", "postgres://user:hunter2@db/x")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    # Set for the request by the server, whatever the environment says (gunicorn takes
    # SCRIPT_NAME from it to serve under a prefix): never dropped.
    monkeypatch.setenv("SCRIPT_NAME", "/tickets")
    monkeypatch.setenv("SERVER_PORT", "80")

    def record(environ, start_response):
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    application = wsgi.WithoutProcessEnvironment(record)  # started with this environment
    environ = {
        **os.environ,  # as granian passes it
        "REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/events", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "HTTP_PROXY": "http://evil.example",
        "SCRIPT_NAME": "/tickets",
    }  # fmt: skip
    application(environ, lambda *args: None)
    assert "SANDALI_TEST_SECRET_URL" not in seen and "PATH" not in seen
    assert seen["HTTP_PROXY"] == "http://evil.example"  # the request's own header stays
    assert seen["PATH_INFO"] == "/api/v1/events" and seen["HTTP_HOST"] == "127.0.0.1"
    assert seen["SCRIPT_NAME"] == "/tickets" and seen["SERVER_PORT"] == "80"
