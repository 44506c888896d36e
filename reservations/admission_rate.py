"""The admission rate Sandali derives for a waiting room set to "auto" (rate 0): from what the
system sustains, measured on the admitted buyers themselves.

Behind a proxy that stamps arrivals (core/arrival.py), every hold request of an admitted
buyer says how long it waited before the app got to it. That wait is what an overloaded app
adds first (requests queue for its threads and CPU), and what the waiting room exists to keep
small. So, over windows of WINDOW_MS: when more than SLOW_SHARE of those requests waited more
than SANDALI_WAITING_ROOM_WAIT_TARGET_MS, the rate falls by DOWN; when none did, it rises by
UP; in between, or with no hold requests to judge by, it stays. Always between a tenth and ten
times the starting rate (SANDALI_WAITING_ROOM_RATE): a few slow requests cannot close the room,
nor a quiet spell open it wide. Slowing down fast and speeding up slowly is how TCP shares a
link: the backlog an overload builds drains before more buyers are let in.

Without the stamp there is nothing to judge by, and "auto" is the starting rate.

The stores keep the rate and the window's counts (reservations/queue_store.py: in the same
atomic step as the queue in Redis, so every app process uses one rate); `next_rate` is the
rule, which the Redis script repeats line for line (tests run both stores).
"""

from dataclasses import dataclass

from django.conf import settings

WINDOW_MS = 5_000
SLOW_SHARE = 0.05
DOWN = 0.7
UP = 1.2


@dataclass(frozen=True)
class RatePolicy:
    start: int  # admissions a minute before anything is measured
    lowest: int
    highest: int


def auto_policy() -> RatePolicy:
    start = settings.SANDALI_WAITING_ROOM_RATE
    return RatePolicy(start=start, lowest=max(1, start // 10), highest=start * 10)


def next_rate(rate: int, *, judged: int, slow: int, policy: RatePolicy) -> int:
    """The rate for the next window, from the last one's hold requests: `judged` of them,
    `slow` over the target."""
    if judged == 0:
        return rate
    if slow > SLOW_SHARE * judged:
        return max(policy.lowest, int(rate * DOWN))
    if slow == 0:
        return min(policy.highest, int(rate * UP) + 1)
    return rate
