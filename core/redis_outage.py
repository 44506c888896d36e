"""What Sandali does while Redis cannot be reached (DESIGN.md principle 9: degrade, never 500).

`RedisCircuit` is a circuit breaker per process and per use of Redis: the first failure opens
it, and while it is open callers skip Redis and one caller a second tries it again, so a down
Redis costs one fast failure a second instead of a connect attempt per request. It counts each
failure in `sandali_redis_failures_total` and logs once when Redis goes away and once when it
is back, not once per request.

`FallbackRedisCache` is Django's RedisCache that, while its circuit is open, reads and writes
an in-process memory cache instead: snapshots keep being served (each process computes its
own), and rate limits keep counting, per process, until Redis is back. Entries written to the
memory cache during an outage are left behind when Redis returns (snapshots live a second,
rate windows a minute).
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.metrics import REDIS_FAILURES

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0  # how often a process tries a down Redis again

# What an unreachable, restarting or black-holed Redis raises (socket errors are wrapped).
REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class RedisCircuit:
    def __init__(self, use: str, *, retry_seconds: float = RETRY_SECONDS):
        self.use = use
        self.retry_seconds = retry_seconds
        self.is_open = False
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Whether to try Redis now: always while closed; while open, once per retry_seconds
        (the caller that gets True probes Redis, the others keep skipping it)."""
        if not self.is_open:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.retry_seconds
            return True

    def succeeded(self) -> None:
        if self.is_open:
            with self._lock:
                was_open, self.is_open = self.is_open, False
            if was_open:
                log.warning("Redis (%s) is reachable again.", self.use)

    def failed(self, error: BaseException) -> None:
        REDIS_FAILURES.labels(self.use).inc()
        with self._lock:
            was_open, self.is_open = self.is_open, True
            self._retry_at = time.monotonic() + self.retry_seconds
        if not was_open:
            log.warning(
                "Redis (%s) cannot be reached (%s); degrading until it is back, trying again "
                "every %s s.",
                self.use, error, self.retry_seconds,
            )  # fmt: skip


_circuits: dict[str, RedisCircuit] = {}
_circuits_lock = threading.Lock()


def circuit(use: str, *, retry_seconds: float = RETRY_SECONDS) -> RedisCircuit:
    """The process's circuit for one use of Redis (Django makes a cache object per thread;
    they must share it)."""
    with _circuits_lock:
        if use not in _circuits:
            _circuits[use] = RedisCircuit(use, retry_seconds=retry_seconds)
        return _circuits[use]


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool. Django's
    makes a new one on every cache call, and redis-py's constructor (its table of response
    callbacks, its event dispatcher) was about 5 % of the app's Python CPU in the rush, where every
    request reads the cache. A client is only a handle on its pool, which is thread-safe, so
    reusing it changes nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}  # pool -> its client; pools live as long as this

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    """Django's RedisCache, falling back to this process's memory while Redis is unreachable.

    Settings: the RedisCache ones; put socket_connect_timeout and socket_timeout in OPTIONS so
    that a black-holed Redis fails fast."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient
        self._circuit = circuit(f"cache {server}")
        # Same key prefix and version; one store per process (LocMemCache shares it by name).
        local_params = {**params, "OPTIONS": {"MAX_ENTRIES": 10_000}}
        self._local = LocMemCache(f"sandali-redis-fallback:{server}", local_params)

    def _either(self, method: str, *args, **kwargs):
        if self._circuit.allow():
            try:
                result = getattr(RedisCache, method)(self, *args, **kwargs)
            except REDIS_UNREACHABLE as error:
                self._circuit.failed(error)
            else:
                self._circuit.succeeded()
                return result
        return getattr(self._local, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def count_in_window(self, key: str, *, seconds: int) -> int:
        """Add one to the counter `key`, which lives `seconds` from its first count, and
        return it (core/limits.py): one round trip to Redis, where Django's add then incr
        take three (SET NX, EXISTS, INCR). Every queue join and hold request counts one."""
        if self._circuit.allow():
            try:
                made = self.make_and_validate_key(key)
                pipe = self._cache.get_client(made, write=True).pipeline(transaction=False)
                pipe.set(made, 0, ex=seconds, nx=True)  # what add(key, 0) stores
                pipe.incr(made)
                used = pipe.execute()[1]
            except REDIS_UNREACHABLE as error:
                self._circuit.failed(error)
            else:
                self._circuit.succeeded()
                return used
        self._local.add(key, 0, timeout=seconds)
        try:
            return self._local.incr(key)
        except ValueError:  # expired between add and incr
            self._local.add(key, 1, timeout=seconds)
            return 1

    def clear(self):
        self._local.clear()
        return self._either("clear")
