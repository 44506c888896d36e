"""While Redis cannot be reached, every buyer path still answers (never a 500): the cache falls
back to each process's memory behind a circuit breaker, and holds and checkouts need only the
database. Runs against a private Redis that each test stops and starts (bench/infra.py)."""

import json
import shutil
import socket
import time
import urllib.error
import urllib.request

import pytest
import redis
from django.core.cache import cache as django_cache

from bench.infra import AppProcess, django_env, restartable_redis
from core.limits import RateLimited, check_rate
from core.metrics import REDIS_FAILURES
from core.redis_outage import FallbackRedisCache
from tests.factories import make_performance, seat_ids
from tests.servers import shared_database_url

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="needs redis-server (Debian package redis-server; .ci/run installs it)",
)

FAST = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def fallback_cache(url: str) -> FallbackRedisCache:
    return FallbackRedisCache(url, {"OPTIONS": FAST})


def failures(url: str) -> float:
    return REDIS_FAILURES.labels(f"cache {url}")._value.get()


def test_the_cache_serves_from_memory_while_redis_is_down_and_from_redis_when_back():
    with restartable_redis() as (url, redis):
        cache = fallback_cache(url)
        cache.set("shared", "in redis")
        redis.stop()
        assert cache.get("shared") is None  # Redis's entries are gone with it; no error
        cache.set("local", "in memory")
        assert cache.get("local") == "in memory"
        redis.start()
        time.sleep(1.1)  # the circuit lets one call through a second
        cache.set("shared", "in redis again")
        assert fallback_cache(url).get("shared") == "in redis again"
        assert cache._cache.get_client().get(cache.make_key("shared")) is not None


def test_the_cache_makes_one_redis_client_for_all_its_calls_and_redis_restarting():
    """Django's client makes a redis-py client per call; ours keeps one per pool."""
    made = []

    class CountedRedis(redis.Redis):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    with restartable_redis() as (url, server):
        cache = fallback_cache(url)
        cache._cache._client = CountedRedis
        for n in range(20):
            cache.set(f"k{n}", n)
            assert cache.get(f"k{n}") == n
        assert cache.count_in_window("window", seconds=60) == 1
        server.stop()
        server.start()
        time.sleep(1.1)  # the circuit, opened or not, lets a call through
        cache.set("after", "restart")
        assert cache.get("after") == "restart"
        assert cache._cache.get_client().get(cache.make_key("after")) is not None  # in Redis
    assert len(made) == 1


def test_a_down_redis_costs_one_failure_a_second_not_one_per_call():
    with restartable_redis() as (url, redis):
        cache = fallback_cache(url)
        redis.stop()
        before = failures(url)
        started = time.monotonic()
        for n in range(500):
            cache.set(f"k{n}", n)
            assert cache.get(f"k{n}") == n
        elapsed = time.monotonic() - started
        assert failures(url) - before <= 1 + elapsed


def test_a_black_holed_redis_fails_within_the_socket_timeout():
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        cache = fallback_cache(url)
        started = time.monotonic()
        assert cache.get("anything", "default") == "default"
        assert time.monotonic() - started < 2


def test_rate_limits_keep_counting_in_each_process_while_redis_is_down(settings):
    with restartable_redis() as (url, redis):
        settings.CACHES = {
            "default": {
                "BACKEND": "core.redis_outage.FallbackRedisCache",
                "LOCATION": url,
                "OPTIONS": FAST,
            }
        }
        settings.SANDALI_RATE_LIMITS = {"holds": "3/60"}
        redis.stop()
        for _ in range(3):
            check_rate("holds", "192.0.2.9")
        with pytest.raises(RateLimited):
            check_rate("holds", "192.0.2.9")
        check_rate("holds", "192.0.2.10")  # another client has its own count


def test_a_rate_limit_counts_in_one_round_trip_to_redis_with_its_window(settings):
    """Every queue join and hold request counts one: SET NX and INCR in one pipeline, where
    Django's add() then incr() took three round trips."""
    with restartable_redis() as (url, _redis):
        settings.CACHES = {
            "default": {
                "BACKEND": "core.redis_outage.FallbackRedisCache",
                "LOCATION": url,
                "OPTIONS": FAST,
            }
        }
        settings.SANDALI_RATE_LIMITS = {"queue_joins": "3/60"}
        check_rate("queue_joins", "192.0.2.7")  # connects
        pool = django_cache._cache._get_connection_pool(True)
        taken = pool.get_connection
        round_trips = []
        pool.get_connection = lambda *a, **k: round_trips.append(1) or taken(*a, **k)
        try:
            for _ in range(2):
                check_rate("queue_joins", "192.0.2.7")
        finally:
            del pool.get_connection
        assert len(round_trips) == 2
        with pytest.raises(RateLimited):
            check_rate("queue_joins", "192.0.2.7")
        client = django_cache._cache.get_client()
        (key,) = client.keys("*rate:queue_joins:192.0.2.7:*")
        assert int(client.get(key)) == 4 and 0 < client.ttl(key) <= 61


def call(method: str, url: str, body=None, headers=None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def buyer_journey(base: str, performance_id: int, seats: list[int]) -> dict[str, int]:
    """Every request a buyer makes, from the page to the order: path -> status."""
    statuses = {}
    for path in ["/", f"/performances/{performance_id}/", "/api/v1/events",
                 f"/api/v1/performances/{performance_id}",
                 f"/api/v1/performances/{performance_id}/seats"]:  # fmt: skip
        statuses[path], _ = call("GET", base + path)
    statuses["hold"], body = call(
        "POST", f"{base}/api/v1/performances/{performance_id}/holds", {"seats": seats}
    )
    if statuses["hold"] == 201:
        hold = json.loads(body)
        auth = {"Authorization": f"Bearer {hold['token']}"}
        statuses["get hold"], _ = call("GET", f"{base}/api/v1/holds/{hold['id']}", headers=auth)
        statuses["checkout"], _ = call(
            "POST", f"{base}/api/v1/holds/{hold['id']}/checkout",
            {"name": "Buyer", "email": "buyer@example.org"}, {**auth, "Idempotency-Key": "k1"},
        )  # fmt: skip
    return statuses


@pytest.mark.django_db(transaction=True)
def test_every_buyer_path_answers_while_redis_is_down_and_after_it_is_back():
    performance = make_performance()
    ids = seat_ids(performance)
    with restartable_redis() as (url, redis):
        # As in production (DEBUG off, rate limits on), but with the development static files
        # storage, which needs no collectstatic.
        env = django_env(
            shared_database_url(), url, SANDALI_ENV="development", DJANGO_DEBUG="0",
            SANDALI_LOG_LEVEL="ERROR", SANDALI_RATE_HOLDS="60/60", SANDALI_RATE_CHECKOUTS="20/60",
            SANDALI_RATE_CHECKOUTS_PER_HOLD="10/60",
        )  # fmt: skip
        app = AppProcess(env, threads=2).start()
        try:
            assert set(buyer_journey(app.url, performance.pk, ids[0:2]).values()) <= {200, 201}
            redis.stop()
            started = time.monotonic()
            during = buyer_journey(app.url, performance.pk, ids[2:4])
            assert set(during.values()) <= {200, 201}, during
            assert during["checkout"] == 201
            assert time.monotonic() - started < 10
            redis.start()
            after = buyer_journey(app.url, performance.pk, ids[4:6])
            assert set(after.values()) <= {200, 201}, after
        finally:
            app.stop()
