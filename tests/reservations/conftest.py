"""The queue's stores, for the waiting room's tests: this process's memory and a private
Redis."""

import random
import time

import pytest

from reservations.queue_memory import MemoryQueueStore
from reservations.queue_store import RedisQueueStore
from tests.servers import redis_server


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def make_store(request, redis_url):
    """Each call: a fresh store (and performance id) seeded with `seed`."""
    counter = iter(range(1, 10_000_000))

    def make(seed: int = 0):
        if request.param == "memory":
            return MemoryQueueStore(rng=random.Random(seed)), next(counter)
        if redis_url is None:
            pytest.skip("needs redis-server (Debian package redis-server)")
        store = RedisQueueStore(redis_url, rng=random.Random(seed))
        return store, int(time.time() * 1000) % 10**9 * 1000 + next(counter)

    return make
