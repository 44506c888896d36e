"""Where the waiting room's queues live: Redis when REDIS_URL is set (shared by every app
process, and kept when one is killed), else this process's memory (reservations/
queue_memory.py: the embedded default, one process, as the run command serves; a restart
empties it).

A queue per performance holds entries (the SHA-256 of a queue token, never the token), each
placed by when it arrived:
- before opening, arrivals go into a set, in no order;
- at opening, the first process to see the clock past it shuffles that set once (an atomic
  script: whoever comes second finds it done) and places its entries, in the drawn order,
  before anyone who comes after opening; every later arrival is placed by its arrival time,
  so after opening the order is the order of arrival;
- admission lets in the next waiting entry, in order of arrival, at the admission rate (the
  first at opening, then one more each 60/rate seconds), moving it from the places to the
  admitted (numbered in the order they were let in), by whichever request asks first after
  an interval: no daemon. While nobody waits it is not banked: a crowd arriving after a quiet
  hour is admitted at the rate, not all at once;
- while no seat is free (every one left is held by a buyer who may still pay, or may give it
  back), admission pauses: letting buyers in to a map with nothing to choose would only
  spend their turn (and the servers' time on their map). Nor is a pause banked: when seats
  come back, admission goes on at the rate.

An entry's arrival time is when the proxy in front received its request (nginx's `$msec`,
passed on in a header the deployment names: core/arrival.py), else when the app got to it.
Why: in a surge joins wait for the app, for seconds, in the proxy's and the server's queues,
and in no strict order; placed by when the app served them, buyers who came later would pass
those who came earlier. Placed by arrival, one that the app serves late still goes where it
came: ahead of everyone still waiting who came after it, so it is let in next. It is not let
in at once: when joins are slow (an overloaded app), letting in every late join that came
before the last one let in added admissions beyond the rate, more buying, and slower joins
(docs/benchmarks.md, "Every 5xx counted"). Nobody let in is ever put back.

So that a late join is not passed by those who came after it, admission lets in only those
who arrived at least the lag ago: the longest a join served in this window of LAG_WINDOW_MS or
the one before waited for the app (its stamp to the moment the app served it). When joins
are prompt the lag is 0 and nothing changes; in a surge's first seconds, while the app is
seconds behind, the head of the queue is let in only once everyone who came before it has
had that long to be served. The time this holds admission back is not banked (as a pause).
Those drawn at opening are exempt: a late early arrival is drawn among them anyway.

Times are milliseconds since the epoch, passed in by the caller (reservations/waiting_room.py
reads the app server's clock; NTP keeps app servers and the proxy within milliseconds, which
is all a queue needs; tests pass their own).
"""

import random
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

from reservations.admission_rate import DOWN, SLOW_SHARE, UP, WINDOW_MS, RatePolicy

KEY_DAYS = 7  # a queue's keys outlive any on-sale, then Redis drops them
# How long joins have lately waited for the app (the lag) is the longest wait of a join served
# in this window or the one before; a wait counts up to the proxy's timeout for the queue's
# requests (deploy/nginx/sandali.conf): a join older than that was already answered 504.
LAG_WINDOW_MS = 5_000
LAG_CAP_MS = 60_000
RATE_RULE = [WINDOW_MS, SLOW_SHARE, DOWN, UP]

if TYPE_CHECKING:
    from reservations.queue_memory import MemoryQueueStore
NO_ONE = -1  # "admitted through" before anyone is: every place's time is above it


@dataclass(frozen=True)
class Place:
    """Where an entry stands. rank None: it came before opening and is not placed yet."""

    rank: int | None  # 1 = the first to have arrived (or drawn)
    admitted_through: int  # every rank up to this one is admitted
    length: int  # placed entries (or, before opening, entries waiting for the draw)
    opened: bool
    rate: int  # admissions a minute now


class QueueUnavailable(Exception):
    """The store cannot be reached (Redis down): the caller answers 503."""


# KEYS: early set, places (sorted set of those waiting, score: arrival ms; the drawn get
# scores just below the opening, in drawn order), meta (hash), admitted buyers' waits since
# the rate was last judged (hash: judged, slow), admitted (sorted set, score: the order in
# which they were let in, from 1). ARGV:
# entry, now ms, opens ms, rate per minute (fixed, or where "auto" starts), join (1) or only
# look (0), key lifetime (s), arrived ms, a random number in [0, 1), paused (1: no seat is
# free now, nobody is let in and the time is not banked; else 0), the lag's window and cap
# (ms), then for "auto" (else empty): lowest and highest rate, window ms, slow share, down, up
# (reservations/admission_rate.py: its next_rate, step by step). Returns {rank, admitted,
# length, opened, rate}; rank -1: not placed yet (before opening), -2: unknown entry, -3: past
# opening, the draw is still to do.
STEP_LUA = """
local now = tonumber(ARGV[2])
local opens = tonumber(ARGV[3])
local joining = ARGV[5] == '1'
if not redis.call('HGET', KEYS[3], 'opened') then
  if now < opens then
    if joining then
      redis.call('SADD', KEYS[1], ARGV[1])
      redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
    elseif redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
      return {-2, 0, 0, 0, 0}
    end
    return {-1, 0, redis.call('SCARD', KEYS[1]), 0, tonumber(ARGV[4])}
  end
  return {-3, 0, 0, 0, 0}
end
local lag_window = math.floor(now / tonumber(ARGV[10]))
local lag_seen, lag, lag_before = unpack(redis.call('HMGET', KEYS[3], 'lag_window', 'lag',
  'lag_before'))
lag_seen, lag, lag_before = tonumber(lag_seen), tonumber(lag) or 0, tonumber(lag_before) or 0
-- Never back: a step whose clock reads a few ms before a window's start (read before this
-- ran, or on another process) must not wipe the lag of the window already under way.
if lag_seen and lag_seen > lag_window then lag_window = lag_seen end
if lag_seen ~= lag_window then
  -- A new window: the last one's longest wait is the one before, unless it is older.
  if lag_seen == lag_window - 1 then lag_before = lag else lag_before = 0 end
  lag = 0
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and not redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  if not joining then return {-2, 0, 0, 1, 0} end
  local score = tonumber(ARGV[7])
  local waited = math.min(tonumber(ARGV[11]), math.max(0, now - score))
  if waited > lag or lag_seen ~= lag_window then
    lag = math.max(lag, waited)
    lag_seen = lag_window
    redis.call('HSET', KEYS[3], 'lag_window', lag_window, 'lag', lag, 'lag_before', lag_before)
  end
  if score < opens then
    -- It came before opening, and is served after the draw: a place drawn among the drawn.
    local drawn = tonumber(redis.call('HGET', KEYS[3], 'drawn'))
    score = opens - 1 - math.floor(tonumber(ARGV[8]) * drawn)
  end
  redis.call('ZADD', KEYS[2], score, ARGV[1])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[6]))
  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[6]))
end
local rate = tonumber(ARGV[4])
if ARGV[12] then
  rate = tonumber(redis.call('HGET', KEYS[3], 'rate')) or rate
  local window = math.floor(now / tonumber(ARGV[14]))
  local seen = tonumber(redis.call('HGET', KEYS[3], 'window'))
  if seen ~= window then
    if seen then
      local judged = tonumber(redis.call('HGET', KEYS[4], 'judged')) or 0
      local slow = tonumber(redis.call('HGET', KEYS[4], 'slow')) or 0
      if judged > 0 and slow > tonumber(ARGV[15]) * judged then
        rate = math.max(tonumber(ARGV[12]), math.floor(rate * tonumber(ARGV[16])))
      elseif judged > 0 and slow == 0 then
        rate = math.min(tonumber(ARGV[13]), math.floor(rate * tonumber(ARGV[17])) + 1)
      end
      redis.call('DEL', KEYS[4])
    end
    redis.call('HSET', KEYS[3], 'rate', rate, 'window', window)
  end
end
local since = tonumber(redis.call('HGET', KEYS[3], 'since'))
local count = redis.call('ZCARD', KEYS[5])
local due = 0
if ARGV[9] == '1' then
  -- Never back: app processes' clocks differ by a few milliseconds.
  if now > since then redis.call('HSET', KEYS[3], 'since', now) end
else
  due = math.floor((now - since) * rate / 60000)
end
if due > 0 then
  -- Only those who arrived at least the lag ago: one who came before them may still be
  -- waiting for the app, and would be let in after them.
  -- (Those drawn at opening are ready at once: a late one is drawn among them anyway.)
  local frontier = math.max(now - math.max(lag, lag_before), opens - 1)
  local ready = redis.call('ZCOUNT', KEYS[2], '-inf', frontier)
  if due >= ready then
    due = ready
    since = now
  else
    since = since + math.floor(due * 60000 / rate)
  end
  if due > 0 then
    local next_in = redis.call('ZPOPMIN', KEYS[2], due)
    for i = 1, #next_in, 2 do
      count = count + 1
      redis.call('ZADD', KEYS[5], count, next_in[i])
    end
    redis.call('EXPIRE', KEYS[5], tonumber(ARGV[6]))
  end
  redis.call('HSET', KEYS[3], 'since', since)
end
local turn = redis.call('ZSCORE', KEYS[5], ARGV[1])
local rank
if turn then
  rank = tonumber(turn)
else
  rank = count + redis.call('ZRANK', KEYS[2], ARGV[1]) + 1
end
return {rank, count, count + redis.call('ZCARD', KEYS[2]), 1, rate}
"""

# KEYS as above. ARGV: opens ms, key lifetime (s), when admission starts to count (ms: one
# interval before opening, so that the first is let in at opening), then the early entries
# in their drawn order. Places them (then any that came while the draw was made) just below
# the opening, in that order, once; no one is admitted yet.
OPEN_LUA = """
if redis.call('HGET', KEYS[3], 'opened') then return 0 end
local drawn = {}
local seen = {}
for i = 4, #ARGV do
  drawn[#drawn + 1] = ARGV[i]
  seen[ARGV[i]] = true
end
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not seen[entry] then drawn[#drawn + 1] = entry end
end
local first = tonumber(ARGV[1]) - #drawn
for i, entry in ipairs(drawn) do
  redis.call('ZADD', KEYS[2], first + i - 1, entry)
end
redis.call('HSET', KEYS[3], 'opened', 1, 'drawn', #drawn, 'since', ARGV[3])
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
        return [
            f"{base}:early", f"{base}:places", f"{base}:meta", f"{base}:waits", f"{base}:admitted"
        ]  # fmt: skip

    def step(
        self,
        *,
        performance_id: int,
        entry: str,
        now: int,
        opens: int,
        rate: int,
        join: bool,
        arrived: int | None = None,
        auto: RatePolicy | None = None,
        paused: bool = False,
    ) -> Place | None:
        """Join (or only look at) `entry`'s place; `arrived`: when it arrived (default now).
        `auto`: the rate is derived (reservations/admission_rate.py), `rate` is its start.
        `paused`: no seat is free now; nobody is let in, and the pause is not banked."""
        keys = self._keys(performance_id)
        lifetime = KEY_DAYS * 86400
        arrived = now if arrived is None else arrived
        rule = [] if auto is None else [auto.lowest, auto.highest, *RATE_RULE]
        try:
            for _attempt in range(3):
                args = [entry, now, opens, rate, int(join), lifetime, arrived, self._rng.random(),
                        int(paused), LAG_WINDOW_MS, LAG_CAP_MS]  # fmt: skip
                answer = self._step(keys=keys, args=[*args, *rule])
                if answer[0] != -3:
                    break
                early = [m.decode() for m in self._redis.smembers(keys[0])]
                self._rng.shuffle(early)
                start = opens - 60000 // rate
                self._open(keys=keys, args=[opens, lifetime, start, *early])
        except self._errors as error:
            raise QueueUnavailable() from error
        rank, admitted, length, opened, rate_now = answer
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
            rate=rate_now or rate,
        )

    def note_hold_wait(self, *, performance_id: int, slow: bool) -> None:
        """Count one admitted buyer's hold request, and whether it waited too long: the rate's
        next step (the first in a new window) judges all those counted since the last."""
        key = self._keys(performance_id)[3]
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.hincrby(key, "judged", 1)
            if slow:
                pipe.hincrby(key, "slow", 1)
            pipe.expire(key, 120)
            pipe.execute()
        except self._errors as error:
            raise QueueUnavailable() from error

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


@cache
def _memory_store() -> "MemoryQueueStore":
    from reservations.queue_memory import MemoryQueueStore  # it builds on this module

    return MemoryQueueStore()


def forget_memory_queues() -> None:
    """Empty this process's queues (for tests)."""
    _memory_store.cache_clear()


_redis_stores: dict[str, RedisQueueStore] = {}


def queue_store() -> "RedisQueueStore | MemoryQueueStore":
    """The process's store: Redis when REDIS_URL is set, else memory."""
    url = settings.REDIS_URL
    if not url:
        return _memory_store()
    if url not in _redis_stores:
        _redis_stores[url] = RedisQueueStore(url)
    return _redis_stores[url]
