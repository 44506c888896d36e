"""The waiting room: a fair queue per performance in front of its holds.

While a performance's room is on (its organizer turned it on, or more buyers than its
threshold arrived in a minute), a buyer first joins the queue (reservations/queue_store.py:
those who came before the sale opened are drawn in random order at opening, later ones keep
their order of arrival), is admitted at the performance's rate, and receives a pass: signed
(django.core.signing, its own salt), expiring, bound to one browser (a random id its session
keeps) or one API client (the queue token it joined with). Every hold request of that
performance must bring a pass; the pass, not the client's address, carries the per-buyer
limits then (a bounded number of hold requests, the seats one buyer may hold at once), so
thousands of buyers behind one carrier address are not locked out.

The check of a pass needs no store: its signature, its age and its binding are enough. Only
its use count is kept, in Django's cache (Redis when REDIS_URL is set).

Every answer says when to ask again (`poll_seconds`: half the wait, between 2 s and a minute,
so that those far back, who are most, ask least) and whether the performance is sold out
(every seat sold or blocked, none held that could come back), so that the crowd still queued
after a sell-out is told, and asks again only once a minute: seats may come back (staff cancel
an order, release blocked seats).
"""

import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing

from catalog import snapshots
from catalog.models import Performance
from catalog.selectors import published
from core.dbtime import DbNow
from core.errors import ServiceUnavailable
from core.limits import count_in_window
from core.metrics import QUEUE_ADMITTED, QUEUE_RATE, QUEUE_WAITING
from core.tokens import derived_token, hash_token, new_token
from reservations.admission_rate import RatePolicy, auto_policy
from reservations.errors import (
    PerformanceHasNoQueue,
    QueueEntryNotFound,
    WaitingRoomPassUsedUp,
    WaitingRoomRequired,
)
from reservations.hold_checks import client_key
from reservations.queue_store import QueueUnavailable, queue_store

PASS_SALT = "sandali.waiting-room.pass"
PLACE_USES_SECONDS = 86400  # how long a place's count of hold requests is kept: an on-sale
POLL_MIN_SECONDS = 2
POLL_MAX_SECONDS = 60
# While admission is paused (no seat free, some held), even the next in line asks this seldom:
# held seats come back when a hold expires or is given back, minutes at most, and a few
# seconds' delay then costs little against a crowd asking every 2 s meanwhile.
POLL_PAUSED_SECONDS = 10


@dataclass(frozen=True)
class RoomTerms:
    """What the waiting room of one performance is set to."""

    performance_id: int
    organizer_on: bool
    opens_at: datetime  # the sale's start
    rate_per_minute: int  # never 0: "auto" starts at SANDALI_WAITING_ROOM_RATE
    rate_auto: bool  # derived from the admitted buyers' waits (reservations/admission_rate.py)
    threshold: int  # arrivals a minute that turn it on by itself; 0: never
    max_seats_per_order: int


@dataclass(frozen=True)
class QueueStatus:
    """What a buyer in the queue is told. `ahead`: buyers to be admitted before them (None
    before opening, when places are still to be drawn); `wait_seconds`: from the rate."""

    performance_id: int
    opened: bool
    admitted: bool
    position: int | None  # 1 = next to be admitted
    waiting: int  # buyers not yet admitted (before opening: those waiting for the draw)
    wait_seconds: int | None
    rate_per_minute: int
    opens_at: datetime
    entry: str  # the place's SHA-256 of its token: every pass of one place shares its count
    sold_out: bool = False  # every seat sold or blocked: nothing left to queue for
    # No seat free now, some held (they may come back): admission waits, places are kept.
    paused: bool = False
    poll_seconds: int = POLL_MIN_SECONDS  # when to ask again


@dataclass(frozen=True)
class HoldPass:
    """A verified pass: whose it is and what it allows."""

    performance_id: int
    pass_id: str
    holds_allowed: int

    @property
    def client_key(self) -> str:
        """The key the per-buyer seat cap counts by while the room is on (see hold_checks)."""
        return client_key(f"pass:{self.pass_id}")


_terms_cache: dict[int, tuple[float, RoomTerms]] = {}


def room_terms(*, performance_id: int) -> RoomTerms | None:
    """The room's settings, read at most once per SANDALI_SNAPSHOT_SECONDS in each process:
    every hold request asks, and an organizer's change may take a second to be seen."""
    seconds = settings.SANDALI_SNAPSHOT_SECONDS
    cached = _terms_cache.get(performance_id)
    if cached is not None and time.monotonic() - cached[0] < seconds:
        return cached[1]
    row = (
        # A draft has no room, as a missing performance has none: its queue answers 404.
        Performance.objects.filter(published(DbNow()), pk=performance_id)
        .values_list(
            "waiting_room",
            "sales_start",
            "waiting_room_rate",
            "waiting_room_threshold",
            "max_seats_per_order",
        )
        .first()
    )
    if row is None:
        return None
    on, opens_at, rate, threshold, max_seats = row
    terms = RoomTerms(
        performance_id=performance_id,
        organizer_on=on,
        opens_at=opens_at,
        rate_per_minute=rate or settings.SANDALI_WAITING_ROOM_RATE,
        rate_auto=not rate,
        threshold=threshold,
        max_seats_per_order=max_seats,
    )
    if seconds:
        _terms_cache[performance_id] = (time.monotonic(), terms)
    return terms


def _now_ms() -> int:
    return int(time.time() * 1000)


def _opens_ms(terms: RoomTerms, switched_on: int | None) -> int:
    opens = int(terms.opens_at.timestamp() * 1000)
    return max(opens, switched_on) if switched_on is not None else opens


def room_is_on(
    terms: RoomTerms, *, now_ms: int | None = None, arrival: bool = True
) -> tuple[bool, int | None]:
    """Whether the room is on, and when it turned on by itself (None: it did not).

    With a threshold, every call with `arrival` counts one arrival (a seat map shown, a hold
    asked for, a place taken in the queue) in the current minute; past the threshold the room
    turns on, for everyone, until the sale ends. Asking where a place stands is no arrival:
    the polls of a queue that the organizer turned on would otherwise switch it on by itself,
    and it would stay on once the organizer turned it off. Without a threshold this reads
    nothing but the terms."""
    if not terms.threshold:
        return terms.organizer_on, None
    store, now_ms = queue_store(), now_ms or _now_ms()
    try:
        if arrival:  # one round trip to Redis: whether it is on, and the arrival counted
            switched_on, arrivals = store.count_arrival(
                performance_id=terms.performance_id, minute=now_ms // 60000
            )
            if switched_on is None and arrivals > terms.threshold:
                switched_on = store.switch_on(performance_id=terms.performance_id, now=now_ms)
        else:
            switched_on = store.switched_on(performance_id=terms.performance_id)
    except QueueUnavailable:
        return terms.organizer_on, None  # the queue's store is down: no automatic switch
    return terms.organizer_on or switched_on is not None, switched_on


def room_on(*, performance_id: int | None) -> bool:
    """Whether a performance's room is on now (counting no arrival): while it is, the
    per-address limits give way to the passes' (checkout's too)."""
    terms = room_terms(performance_id=performance_id) if performance_id else None
    return terms is not None and room_is_on(terms, arrival=False)[0]


def queue_token(performance_id: int) -> str:
    """A new secret queue token; it names its performance, so that the token alone finds
    its place."""
    return f"{performance_id}-{new_token()}"


def performance_of_token(token: str) -> int:
    head, _, secret = token.partition("-")
    # ASCII digits of a 64-bit id at most: no database is asked for a bigger one.
    if not (head.isascii() and head.isdigit() and len(head) <= 18) or not secret:
        raise QueueEntryNotFound()
    if len(token) > 200 or int(head) < 1:
        raise QueueEntryNotFound()
    return int(head)


def join_queue(
    *, performance_id: int, token: str, now_ms: int | None = None, arrived_ms: int | None = None
) -> QueueStatus:
    """Put the entry of `token` in the performance's queue (again: it keeps its place), placed
    by `arrived_ms` (when the proxy received the request, core/arrival.py), else by now."""
    return _step(
        performance_id=performance_id, token=token, join=True, now_ms=now_ms, arrived_ms=arrived_ms
    )


def queue_status(*, token: str, now_ms: int | None = None) -> QueueStatus:
    """Where the entry of `token` stands; QueueEntryNotFound if it never joined."""
    return _step(performance_id=performance_of_token(token), token=token, join=False, now_ms=now_ms)


def _step(
    *,
    performance_id: int,
    token: str,
    join: bool,
    now_ms: int | None,
    arrived_ms: int | None = None,
) -> QueueStatus:
    terms = room_terms(performance_id=performance_id)
    if terms is None:
        raise QueueEntryNotFound()
    now_ms = now_ms or _now_ms()
    on, switched_on = room_is_on(terms, now_ms=now_ms, arrival=join)
    if not on and join:
        raise PerformanceHasNoQueue()
    entry = hash_token(token)
    free, held = seats_left(performance_id=performance_id)
    try:
        place = queue_store().step(
            performance_id=performance_id,
            entry=entry,
            now=now_ms,
            opens=_opens_ms(terms, switched_on),
            rate=terms.rate_per_minute,
            join=join,
            # Never after now: a proxy's clock a little ahead must not send anyone back.
            arrived=min(arrived_ms, now_ms) if arrived_ms else None,
            auto=_rate_policy(terms),
            paused=not free,
        )
    except QueueUnavailable:
        raise ServiceUnavailable() from None
    if place is None:
        raise QueueEntryNotFound()
    admitted = place.rank is not None and place.rank <= place.admitted_through
    position = None if place.rank is None else max(0, place.rank - place.admitted_through)
    if place.opened:
        waiting = place.length - place.admitted_through
        wait = 0 if admitted else -(-position * 60 // place.rate)
        until = wait // 2
        QUEUE_ADMITTED.labels(performance_id).set(place.admitted_through)
        QUEUE_RATE.labels(performance_id).set(place.rate)
    else:
        waiting, wait = place.length, None
        until = (_opens_ms(terms, switched_on) - now_ms) // 1000  # the draw, at opening
    QUEUE_WAITING.labels(performance_id).set(waiting)
    sold_out = place.opened and not free and not held
    paused = place.opened and not free and held and not admitted
    if paused:  # nobody moves until seats come back: asking every 2 s would only add load
        until = max(until, POLL_PAUSED_SECONDS)
    return QueueStatus(
        performance_id=performance_id,
        opened=place.opened,
        admitted=admitted,
        position=position,
        waiting=waiting,
        wait_seconds=wait,
        rate_per_minute=place.rate,
        opens_at=terms.opens_at,
        entry=entry,
        sold_out=sold_out,
        paused=paused,
        # Sold out: seats may still come back (a cancellation, blocked seats released), so
        # the crowd asks again, but seldom.
        poll_seconds=POLL_MAX_SECONDS
        if sold_out
        else min(POLL_MAX_SECONDS, max(POLL_MIN_SECONDS, until)),
    )


def _rate_policy(terms: RoomTerms) -> RatePolicy | None:
    """How an "auto" rate moves; None for a fixed rate, and for "auto" with nothing to judge
    by (no proxy stamps arrivals): then it stays at its start."""
    if not (terms.rate_auto and settings.SANDALI_ARRIVAL_HEADER):
        return None
    return auto_policy()


def note_admitted_wait(*, performance_id: int, waited_ms: int) -> None:
    """An admitted buyer's hold request waited `waited_ms` before the app got to it (from the
    proxy's stamp): counted toward the next step of an "auto" rate."""
    terms = room_terms(performance_id=performance_id)
    if terms is None or _rate_policy(terms) is None:
        return
    slow = waited_ms > settings.SANDALI_WAITING_ROOM_WAIT_TARGET_MS
    with suppress(QueueUnavailable):  # the rate stays where it is; the hold goes on
        queue_store().note_hold_wait(performance_id=performance_id, slow=slow)


_seats_left_cache: dict[int, tuple[float, tuple[bool, bool]]] = {}


def seats_left(*, performance_id: int) -> tuple[bool, bool]:
    """(whether any seat is free, whether any is held: it may come back): from the capacity
    snapshot that every process shares, and remembered by the process as long, since every
    join and poll asks (thousands a second in a surge). Neither: sold out."""
    seconds = settings.SANDALI_SNAPSHOT_SECONDS
    cached = _seats_left_cache.get(performance_id)
    if cached is not None and time.monotonic() - cached[0] < seconds:
        return cached[1]
    figures = snapshots.capacity(performance_id=performance_id)
    left = any(row.available for row in figures), any(row.reserved for row in figures)
    if seconds:
        _seats_left_cache[performance_id] = (time.monotonic(), left)
    return left


def browser_binding(browser_id: str) -> str:
    return derived_token(browser_id, purpose="waiting-room-browser")


def token_binding(token: str) -> str:
    return derived_token(hash_token(token), purpose="waiting-room-token")


def issue_pass(*, status: QueueStatus, binding: str) -> str:
    """A pass for an admitted place, bound to `binding` (browser_binding or token_binding).
    Asked again (the page reloaded, the API polled, a pass expired), a place gets a new pass
    with the same id, so that all its passes share one count of hold requests."""
    if not status.admitted:
        raise WaitingRoomRequired()
    pass_id = derived_token(status.entry, purpose="waiting-room-pass")[:22]
    payload = {"p": status.performance_id, "b": binding[:32], "n": pass_id}
    return signing.dumps(payload, salt=PASS_SALT, compress=False)


def read_pass(*, performance_id: int, pass_text: str | None, binding: str | None) -> HoldPass:
    """The pass if it is genuine, not older than SANDALI_WAITING_ROOM_PASS_MINUTES, of this
    performance and bound to `binding`; WaitingRoomRequired otherwise."""
    if not pass_text or not binding or len(pass_text) > 500:
        raise WaitingRoomRequired()
    try:
        payload = signing.loads(
            pass_text, salt=PASS_SALT, max_age=settings.SANDALI_WAITING_ROOM_PASS_MINUTES * 60
        )
    except signing.BadSignature:  # SignatureExpired is one too
        raise WaitingRoomRequired() from None
    if payload.get("p") != performance_id or payload.get("b") != binding[:32]:
        raise WaitingRoomRequired()
    terms = room_terms(performance_id=performance_id)
    per_seat = settings.SANDALI_WAITING_ROOM_HOLDS_PER_SEAT
    allowed = (terms.max_seats_per_order if terms else 1) * per_seat
    return HoldPass(performance_id=performance_id, pass_id=payload["n"], holds_allowed=allowed)


def admit_hold_request(
    *,
    performance_id: int,
    pass_text: str | None,
    binding: str | None,
    waited_ms: int | None = None,
) -> HoldPass | None:
    """The gate of every hold request (a new hold, seats added): None while the room is off
    (the caller applies its per-address limits); else the pass, one more of its hold
    requests counted, or WaitingRoomRequired / WaitingRoomPassUsedUp. `waited_ms`: how long
    the request waited before the app got to it (core/arrival.py), which an "auto" rate
    learns from."""
    terms = room_terms(performance_id=performance_id)
    if terms is None or not room_is_on(terms)[0]:
        return None
    hold_pass = read_pass(performance_id=performance_id, pass_text=pass_text, binding=binding)
    used = count_in_window(f"waiting-room-pass:{hold_pass.pass_id}", seconds=PLACE_USES_SECONDS)
    if used > hold_pass.holds_allowed:
        raise WaitingRoomPassUsedUp(limit=hold_pass.holds_allowed)
    if waited_ms is not None:
        note_admitted_wait(performance_id=performance_id, waited_ms=waited_ms)
    return hold_pass
