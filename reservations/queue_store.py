"""Where the waiting room's queues live: Redis when REDIS_URL is set (shared by every app
process, and kept when one is killed), else this process's memory (the embedded default, one
process, as the run command serves; a restart empties it).

A queue per performance holds entries (the SHA-256 of a queue token, never the token):
- before opening, arrivals go into a set, in no order;
- at opening, the first process to see the clock past it shuffles that set once (an atomic
  script: whoever comes second finds it done) and gives its entries ranks 1..n; every later
  arrival takes the next rank, so after opening the order is the order of arrival;
- admission is one number, "admitted through rank N", moved on at the admission rate (the
  first at opening, then one each 60/rate seconds) by whichever request asks first after an
  interval: no daemon. While nobody waits it is not
  banked: a crowd arriving after a quiet hour is admitted at the rate, not all at once.

Times are milliseconds since the epoch, passed in by the caller (reservations/waiting_room.py
reads the app server's clock; NTP keeps app servers within milliseconds, which is all a queue
needs; tests pass their own).
"""

import random
import threading
from dataclasses import dataclass
from functools import cache

from django.conf import settings

KEY_DAYS = 7  # a queue's keys outlive any on-sale, then Redis drops them


@dataclass(frozen=True)
class Place:
    """Where an entry stands. rank None: it came before opening and is not ranked yet."""

    rank: int | None
    admitted_through: int  # every rank up to this one is admitted
    length: int  # ranked entries (or, before opening, entries waiting for the draw)
    opened: bool


class QueueUnavailable(Exception):
    """The store cannot be reached (Redis down): the caller answers 503."""


# KEYS: early set, ranks (sorted set), meta (hash). ARGV: entry, now ms, opens ms, rate per
# minute, join (1) or only look (0). Returns {rank, admitted, length, opened}; rank -1: not
# ranked yet (before opening), -2: unknown entry, -3: past opening, the draw is still to do.
STEP_LUA = """
local now = tonumber(ARGV[2])
local joining = ARGV[5] == '1'
if not redis.call('HGET', KEYS[3], 'opened') then
  if now < tonumber(ARGV[3]) then
    if joining then
      redis.call('SADD', KEYS[1], ARGV[1])
      redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
    elseif redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
      return {-2, 0, 0, 0}
    end
    return {-1, 0, redis.call('SCARD', KEYS[1]), 0}
  end
  return {-3, 0, 0, 0}
end
local rank = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not rank then
  if not joining then return {-2, 0, 0, 1} end
  rank = redis.call('HINCRBY', KEYS[3], 'length', 1)
  redis.call('ZADD', KEYS[2], rank, ARGV[1])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[6]))
  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[6]))
end
local admitted = tonumber(redis.call('HGET', KEYS[3], 'admitted'))
local since = tonumber(redis.call('HGET', KEYS[3], 'since'))
local length = tonumber(redis.call('HGET', KEYS[3], 'length'))
local rate = tonumber(ARGV[4])
local due = math.floor((now - since) * rate / 60000)
if due > 0 then
  if admitted + due >= length then
    admitted = length
    since = now
  else
    admitted = admitted + due
    since = since + math.floor(due * 60000 / rate)
  end
  redis.call('HSET', KEYS[3], 'admitted', admitted, 'since', since)
end
return {tonumber(rank), admitted, length, 1}
"""

# KEYS as above. ARGV: opens ms, key lifetime (s), when admission starts to count (ms: one
# interval before opening, so that the first is let in at opening), then the early entries
# in their drawn order. Ranks them 1..n (then any that came while the draw was made), once.
OPEN_LUA = """
if redis.call('HGET', KEYS[3], 'opened') then return 0 end
local n = 0
for i = 4, #ARGV do
  n = n + 1
  redis.call('ZADD', KEYS[2], n, ARGV[i])
end
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not redis.call('ZSCORE', KEYS[2], entry) then
    n = n + 1
    redis.call('ZADD', KEYS[2], n, entry)
  end
end
redis.call('HSET', KEYS[3], 'opened', 1, 'length', n, 'admitted', 0, 'since', ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2]))
return 1
"""


class RedisQueueStore:
    def __init__(self, url: str, *, rng: random.Random | None = None):
        import redis

        timeout = settings.SANDALI_REDIS_TIMEOUT_SECONDS
        self._redis = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._step = self._redis.register_script(STEP_LUA)
        self._open = self._redis.register_script(OPEN_LUA)
        self._rng = rng or random.SystemRandom()
        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    @staticmethod
    def _keys(performance_id: int) -> list[str]:
        base = f"sandali:queue:{performance_id}"
        return [f"{base}:early", f"{base}:ranks", f"{base}:meta"]

    def step(
        self, *, performance_id: int, entry: str, now: int, opens: int, rate: int, join: bool
    ) -> Place | None:
        keys = self._keys(performance_id)
        lifetime = KEY_DAYS * 86400
        try:
            for _attempt in range(3):
                args = [entry, now, opens, rate, int(join), lifetime]
                rank, admitted, length, opened = self._step(keys=keys, args=args)
                if rank != -3:
                    break
                early = [m.decode() for m in self._redis.smembers(keys[0])]
                self._rng.shuffle(early)
                start = opens - 60000 // rate
                self._open(keys=keys, args=[opens, lifetime, start, *early])
        except self._errors as error:
            raise QueueUnavailable() from error
        if rank == -3:
            # The draw never showed as done (its keys vanishing, say, under memory pressure):
            # -3 must not be read as a rank, which would count as admitted.
            raise QueueUnavailable()
        if rank == -2:
            return None
        return Place(
            rank=None if rank == -1 else rank,
            admitted_through=admitted,
            length=length,
            opened=bool(opened),
        )

    def count_arrival(self, *, performance_id: int, minute: int) -> tuple[int | None, int]:
        """Count an arrival in `minute`; returns (when the room turned on by itself or None,
        the minute's arrivals), in one round trip (every join asks both)."""
        key = f"sandali:queue:{performance_id}:arrivals:{minute}"
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(f"sandali:queue:{performance_id}:auto")
            pipe.incr(key)
            pipe.expire(key, 120)
            switched_on, arrivals, _ = pipe.execute()
        except self._errors as error:
            raise QueueUnavailable() from error
        return (int(switched_on) if switched_on is not None else None), arrivals

    def switch_on(self, *, performance_id: int, now: int) -> int:
        """Remember (once) when the room turned on by itself; returns that moment."""
        key = f"sandali:queue:{performance_id}:auto"
        try:
            self._redis.set(key, now, nx=True, ex=KEY_DAYS * 86400)
            return int(self._redis.get(key))
        except self._errors as error:
            raise QueueUnavailable() from error

    def switched_on(self, *, performance_id: int) -> int | None:
        try:
            value = self._redis.get(f"sandali:queue:{performance_id}:auto")
        except self._errors as error:
            raise QueueUnavailable() from error
        return int(value) if value is not None else None


@dataclass
class _MemoryQueue:
    early: set[str]
    ranks: dict[str, int]
    opened: bool = False
    admitted: int = 0
    since: int = 0
    auto_on: int | None = None


class MemoryQueueStore:
    """The same queue in this process's memory, under a lock (the embedded default)."""

    def __init__(self, *, rng: random.Random | None = None):
        self._queues: dict[int, _MemoryQueue] = {}
        self._arrivals: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()
        self._rng = rng or random.SystemRandom()

    def step(
        self, *, performance_id: int, entry: str, now: int, opens: int, rate: int, join: bool
    ) -> Place | None:
        with self._lock:
            queue = self._queues.setdefault(performance_id, _MemoryQueue(set(), {}))
            if not queue.opened:
                if now < opens:
                    if join:
                        queue.early.add(entry)
                    elif entry not in queue.early:
                        return None
                    return Place(
                        rank=None, admitted_through=0, length=len(queue.early), opened=False
                    )
                drawn = sorted(queue.early)
                self._rng.shuffle(drawn)
                queue.ranks = {e: rank for rank, e in enumerate(drawn, start=1)}
                queue.early, queue.opened = set(), True
                queue.since = opens - 60000 // rate  # the first is let in at opening
            rank = queue.ranks.get(entry)
            if rank is None:
                if not join:
                    return None
                rank = queue.ranks[entry] = len(queue.ranks) + 1
            due = (now - queue.since) * rate // 60000
            if due > 0:
                if queue.admitted + due >= len(queue.ranks):
                    queue.admitted, queue.since = len(queue.ranks), now
                else:
                    queue.admitted += due
                    queue.since += due * 60000 // rate
            return Place(
                rank=rank, admitted_through=queue.admitted, length=len(queue.ranks), opened=True
            )

    def count_arrival(self, *, performance_id: int, minute: int) -> tuple[int | None, int]:
        with self._lock:
            key = (performance_id, minute)
            if key not in self._arrivals:  # a new minute: forget the old ones
                self._arrivals = {k: n for k, n in self._arrivals.items() if k[1] >= minute - 1}
            self._arrivals[key] = self._arrivals.get(key, 0) + 1
            queue = self._queues.get(performance_id)
            return (queue.auto_on if queue else None), self._arrivals[key]

    def switch_on(self, *, performance_id: int, now: int) -> int:
        with self._lock:
            queue = self._queues.setdefault(performance_id, _MemoryQueue(set(), {}))
            if queue.auto_on is None:
                queue.auto_on = now
            return queue.auto_on

    def switched_on(self, *, performance_id: int) -> int | None:
        queue = self._queues.get(performance_id)
        return queue.auto_on if queue else None


@cache
def _memory_store() -> MemoryQueueStore:
    return MemoryQueueStore()


def forget_memory_queues() -> None:
    """Empty this process's queues (for tests)."""
    _memory_store.cache_clear()


_redis_stores: dict[str, RedisQueueStore] = {}


def queue_store() -> RedisQueueStore | MemoryQueueStore:
    """The process's store: Redis when REDIS_URL is set, else memory."""
    url = settings.REDIS_URL
    if not url:
        return _memory_store()
    if url not in _redis_stores:
        _redis_stores[url] = RedisQueueStore(url)
    return _redis_stores[url]
