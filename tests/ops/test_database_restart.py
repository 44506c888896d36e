"""While PostgreSQL is down, requests fail fast with 503; when it is back, the same app
process serves again with no restart. Runs against a private PostgreSQL (bench/infra.py)."""

import json
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.infra import AppProcess, django_env, manage, private_postgres


def installed_postgres() -> bool:
    return bool(shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))


def get(url: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, {}, time.monotonic() - started
    except urllib.error.HTTPError as error:
        assert error.headers["Content-Type"] == "application/problem+json"
        body = json.loads(error.read())  # a problem, never a traceback
        return (
            error.code,
            {**body, "retry_after": error.headers.get("Retry-After")},
            (time.monotonic() - started),
        )


# Production serves the API from granian and the waiting room's queue from gunicorn; every
# other run (the README's recipes, a laptop) has DEBUG on, where Django Ninja would answer an
# unexpected error with a traceback.
SERVERS = {
    "granian-production": {"server": "granian", "env": {}},
    "gunicorn-production": {"server": "gunicorn", "env": {}},
    "uvicorn-debug": {
        "server": "uvicorn",
        "env": {"SANDALI_ENV": "development", "DJANGO_DEBUG": "1"},
    },
}


@pytest.mark.parametrize("setup", SERVERS.values(), ids=SERVERS.keys())
def test_requests_get_503_while_the_database_is_down_and_recover_after(setup):
    if not installed_postgres():
        pytest.skip("needs PostgreSQL's server binaries (Debian package postgresql)")
    with private_postgres() as (database_url, postgres):
        env = django_env(database_url, "", DATABASE_CONNECT_TIMEOUT="2", **setup["env"])
        manage(env, "migrate", "-v0")
        app = AppProcess(env, threads=2, server=setup["server"]).start()
        try:
            url = f"{app.url}/api/v1/events"
            assert get(url)[0] == 200
            postgres.stop()
            status, body, seconds = get(url)
            assert status == 503 and body["code"] == "service_unavailable"
            assert body["retry_after"] and seconds < 10
            for path in ("/api/v1/performances/1", "/api/v1/performances/1/seats", "/"):
                assert get(f"{app.url}{path}")[0] == 503
            postgres.start()
            statuses = []
            for _ in range(3):  # a broken connection fails at most one request, then heals
                statuses.append(get(url)[0])
            assert statuses[-1] == 200 and 500 not in statuses
        finally:
            app.stop()
