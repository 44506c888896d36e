"""The production recipe: nginx with deploy/nginx/sandali.conf in front of granian (the HTTP
API, 2 workers x 4 blocking threads) and uvicorn (WebSockets), on this test's database."""

import json
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest
from websockets.sync.client import connect

from bench.infra import AppProcess, django_env
from bench.nginx import nginx_binary, private_nginx
from bench.slow_clients import other_clients, slow_header_clients
from tests.factories import make_performance, seat_ids
from tests.servers import shared_database_url


@pytest.fixture(scope="module")
def recipe(django_db_setup, django_db_blocker):
    if nginx_binary() is None:
        pytest.skip("needs nginx (Debian package nginx; scripts/system-packages installs it)")
    with ExitStack() as stack, django_db_blocker.unblock():
        env = django_env(
            shared_database_url(), SANDALI_TRUSTED_PROXIES="1", SANDALI_RATE_HOLDS="1/60"
        )
        api = AppProcess(env, workers=2, threads=4).start()  # granian, as the README runs it
        stack.callback(api.stop)
        uvicorn = AppProcess(env, server="uvicorn").start()
        stack.callback(uvicorn.stop)
        proxy = stack.enter_context(
            private_nginx(
                http_upstream=f"127.0.0.1:{api.port}", ws_upstream=f"127.0.0.1:{uvicorn.port}"
            )
        )
        yield proxy, api.url


def test_slow_clients_do_not_keep_others_waiting_behind_the_proxy(recipe):
    proxy, _ = recipe
    # 16 connections dribbling their headers held all 8 of gunicorn's threads: straight at
    # gunicorn, 8 of 8 other requests timed out (docs/reliability.md, bench/slow_clients.py).
    # granian reads headers outside Python, but the proxy must protect either server.
    with slow_header_clients(proxy, 16, seconds=10):
        results = other_clients(f"{proxy}/api/v1/events", timeout=5)
    # Every one answered within its 5 s (a request stuck behind the slow ones gets no answer);
    # the median, not the slowest, is bounded, so that one request slowed by a busy CI
    # machine does not fail the test.
    assert [r["status"] for r in results] == [200] * 8, results
    assert sorted(r["seconds"] for r in results)[4] < 1, results


def status(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def hold(base: str, performance_id: int, seat: int, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/performances/{performance_id}/holds",
        data=json.dumps({"seats": [seat]}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_a_client_cannot_pick_its_address_through_the_proxy(recipe):
    proxy, _ = recipe
    performance = make_performance()
    seats = seat_ids(performance)
    # One hold a minute per address; each request claims another address. nginx replaces
    # X-Forwarded-For, so all are one client. (Each app worker counts on its own without
    # Redis: of three requests two reach the same worker.)
    statuses = [hold(proxy, performance.pk, seats[i], f"198.51.100.{i}") for i in range(3)]
    assert 429 in statuses, statuses


@pytest.mark.django_db(transaction=True)
def test_websockets_pass_through_the_proxy(recipe):
    proxy, _ = recipe
    performance = make_performance()
    ws_url = proxy.replace("http://", "ws://") + f"/ws/performances/{performance.pk}"
    with connect(ws_url, origin=proxy, open_timeout=10) as socket:
        snapshot = json.loads(socket.recv(timeout=10))
    assert snapshot["snapshot"] is True and len(snapshot["seats"]) == len(seat_ids(performance))


def test_metrics_are_not_served_through_the_proxy(recipe):
    proxy, api = recipe
    assert status(f"{api}/metrics") == 200  # loopback: every proxied request looks so
    assert status(f"{proxy}/metrics") == 404
    assert status(f"{proxy}/metrics/") == 404
