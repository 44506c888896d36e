"""The waiting room's queue in this process's memory, under a lock: the embedded default (one
process, as the run command serves; a restart empties it). The same rules as the Redis store
(reservations/queue_store.py), which the tests run on both."""

import bisect
import random
import threading
from dataclasses import dataclass, field

from reservations.admission_rate import WINDOW_MS, RatePolicy, next_rate
from reservations.queue_store import LAG_CAP_MS, LAG_WINDOW_MS, Place


@dataclass
class _MemoryQueue:
    early: set[str]
    places: list[tuple[int, str]] = field(default_factory=list)  # waiting: (arrived, entry), sorted
    arrival_of: dict[str, int] = field(default_factory=dict)  # every entry placed
    turn_of: dict[str, int] = field(default_factory=dict)  # admitted: 1 = the first let in
    opened: bool = False
    drawn: int = 0
    since: int = 0
    auto_on: int | None = None
    rate: int | None = None  # "auto": the derived rate
    window: int | None = None  # "auto": the window the rate was last judged in
    waits: list[int] = field(default_factory=lambda: [0, 0])  # since judged: judged, slow
    lag_window: int | None = None  # the window of `lag`: the longest a join served then waited
    lag: int = 0
    lag_before: int = 0  # the longest wait in the window before `lag_window`

    def lag_at(self, now: int) -> int:
        """How long joins have lately waited for the app (queue_store.py, LAG_WINDOW_MS)."""
        window = max(now // LAG_WINDOW_MS, self.lag_window or 0)  # never back (queue_store.py)
        if self.lag_window == window:
            return max(self.lag, self.lag_before)
        return self.lag if self.lag_window == window - 1 else 0

    def note_wait(self, now: int, waited: int) -> None:
        window = max(now // LAG_WINDOW_MS, self.lag_window or 0)
        if self.lag_window != window:
            self.lag_before = self.lag if self.lag_window == window - 1 else 0
            self.lag_window, self.lag = window, 0
        self.lag = max(self.lag, min(LAG_CAP_MS, max(0, waited)))

    def admitted(self) -> int:
        return len(self.turn_of)


class MemoryQueueStore:
    def __init__(self, *, rng: random.Random | None = None):
        self._queues: dict[int, _MemoryQueue] = {}
        self._arrivals: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()
        self._rng = rng or random.SystemRandom()

    def _queue(self, performance_id: int) -> _MemoryQueue:
        return self._queues.setdefault(performance_id, _MemoryQueue(set()))

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
        arrived = now if arrived is None else arrived
        with self._lock:
            queue = self._queue(performance_id)
            if not queue.opened:
                if now < opens:
                    if join:
                        queue.early.add(entry)
                    elif entry not in queue.early:
                        return None
                    return Place(
                        rank=None,
                        admitted_through=0,
                        length=len(queue.early),
                        opened=False,
                        rate=rate,
                    )
                drawn = sorted(queue.early)
                self._rng.shuffle(drawn)
                first = opens - len(drawn)
                queue.places = [(first + i, e) for i, e in enumerate(drawn)]
                queue.arrival_of = {e: t for t, e in queue.places}
                queue.early, queue.opened, queue.drawn = set(), True, len(drawn)
                queue.since = opens - 60000 // rate  # the first is let in at opening
            if entry not in queue.arrival_of:
                if not join:
                    return None
                queue.note_wait(now, now - arrived)
                if arrived < opens:  # came before opening, served after the draw
                    arrived = opens - 1 - int(self._rng.random() * queue.drawn)
                queue.arrival_of[entry] = arrived
                bisect.insort(queue.places, (arrived, entry))
            if auto is not None:
                rate = self._derived_rate(queue, now=now, start=rate, policy=auto)
            if paused:  # no seat is free: nobody is let in, and the time is not banked
                queue.since = max(queue.since, now)
            else:
                self._admit(queue, now=now, rate=rate, opens=opens)
            rank = queue.turn_of.get(entry)
            if rank is None:
                waiting = bisect.bisect_left(queue.places, (queue.arrival_of[entry], entry))
                rank = queue.admitted() + waiting + 1
            return Place(
                rank=rank,
                admitted_through=queue.admitted(),
                length=queue.admitted() + len(queue.places),
                opened=True,
                rate=rate,
            )

    @staticmethod
    def _derived_rate(queue: _MemoryQueue, *, now: int, start: int, policy: RatePolicy) -> int:
        rate = queue.rate or start
        window = now // WINDOW_MS
        if queue.window != window:
            if queue.window is not None:
                judged, slow = queue.waits
                rate = next_rate(rate, judged=judged, slow=slow, policy=policy)
                queue.waits = [0, 0]
            queue.rate, queue.window = rate, window
        return rate

    @staticmethod
    def _admit(queue: _MemoryQueue, *, now: int, rate: int, opens: int) -> None:
        due = (now - queue.since) * rate // 60000
        if due <= 0:
            return
        # Only those who arrived at least the lag ago; the drawn at once (queue_store.py).
        frontier = max(now - queue.lag_at(now), opens - 1)
        ready = bisect.bisect_right(queue.places, (frontier, "\uffff"))
        if due >= ready:
            due, queue.since = ready, now
        else:
            queue.since += due * 60000 // rate
        let_in, queue.places = queue.places[:due], queue.places[due:]
        for _arrived, entry in let_in:
            queue.turn_of[entry] = len(queue.turn_of) + 1

    def note_hold_wait(self, *, performance_id: int, slow: bool) -> None:
        with self._lock:
            counts = self._queue(performance_id).waits
            counts[0] += 1
            counts[1] += int(slow)

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
            queue = self._queue(performance_id)
            if queue.auto_on is None:
                queue.auto_on = now
            return queue.auto_on

    def switched_on(self, *, performance_id: int) -> int | None:
        queue = self._queues.get(performance_id)
        return queue.auto_on if queue else None
