"""The waiting room's queue and passes: order after opening, the draw at opening, admission at
the rate, and a pass's signature, expiry, binding and use count. The queue's rules are run on
both stores: this process's memory and a private Redis (skipped where it is not installed)."""

import time
from datetime import timedelta

import pytest
from django.core import signing

from core.dbtime import db_now
from core.errors import ServiceUnavailable
from reservations import waiting_room
from reservations.errors import WaitingRoomPassUsedUp, WaitingRoomRequired
from reservations.queue_store import QueueUnavailable, RedisQueueStore
from tests.factories import make_performance
from tests.servers import free_port

OPENS = 1_800_000_000_000  # ms
RATE = 60  # a minute: one a second


def join(store, performance_id, entry, now, rate=RATE):
    return store.step(
        performance_id=performance_id, entry=entry, now=now, opens=OPENS, rate=rate, join=True
    )


def look(store, performance_id, entry, now, rate=RATE):
    return store.step(
        performance_id=performance_id, entry=entry, now=now, opens=OPENS, rate=rate, join=False
    )


def test_after_opening_the_queue_keeps_the_order_of_arrival(make_store):
    store, performance = make_store()
    ranks = [join(store, performance, f"e{i}", OPENS + 10 + i).rank for i in range(50)]
    assert ranks == list(range(1, 51))
    # Asking again keeps the place; an unknown entry has none.
    assert join(store, performance, "e7", OPENS + 100).rank == 8
    assert look(store, performance, "stranger", OPENS + 100) is None


def test_arrivals_before_opening_are_drawn_in_random_order_at_opening(make_store):
    """Refreshing early wins nothing: over many seeded draws the earliest arrival's place is
    spread evenly, and arrival order and place are unrelated (Kendall's tau about 0)."""
    early, taus, first_places = 12, [], []
    for seed in range(60):
        store, performance = make_store(seed)
        for i in range(early):
            place = join(store, performance, f"e{i}", OPENS - 1000 + i)
            assert place.rank is None and not place.opened
        # After opening, a late arrival comes after every early one.
        assert join(store, performance, "late", OPENS + 5).rank == early + 1
        ranks = [look(store, performance, f"e{i}", OPENS + 5).rank for i in range(early)]
        assert sorted(ranks) == list(range(1, early + 1))
        taus.append(kendall_tau(list(range(early)), ranks))
        first_places.append(ranks[0])
    assert abs(sum(taus) / len(taus)) < 0.1
    assert 4 < sum(first_places) / len(first_places) < 9  # uniform over 1..12: 6.5
    assert len(set(first_places)) > 6


def kendall_tau(xs: list[int], ys: list[int]) -> float:
    pairs = [(i, j) for i in range(len(xs)) for j in range(i + 1, len(xs))]
    agree = sum(1 if (xs[i] - xs[j]) * (ys[i] - ys[j]) > 0 else -1 for i, j in pairs)
    return agree / len(pairs)


def test_admission_moves_at_the_rate_and_is_not_banked(make_store):
    store, performance = make_store()
    for i in range(30):
        join(store, performance, f"e{i}", OPENS + i)  # 30 arrive within 30 ms
    assert look(store, performance, "e0", OPENS + 999).admitted_through == 1  # at opening
    place = look(store, performance, "e0", OPENS + 10_000)
    assert place.admitted_through == 11 and place.length == 30
    assert look(store, performance, "e0", OPENS + 10_500).admitted_through == 11
    assert look(store, performance, "e0", OPENS + 100_000).admitted_through == 30
    # An hour with nobody waiting: the next crowd is still let in at the rate.
    hour = OPENS + 3_600_000
    for i in range(20):
        join(store, performance, f"late{i}", hour + i)
    assert look(store, performance, "late0", hour + 20).admitted_through == 31
    assert (
        look(store, performance, "late0", hour + 5_100).admitted_through == 36
    )  # 5 more since late0 came


@pytest.fixture
def room(db):
    performance = make_performance(max_seats_per_order=2)
    performance.waiting_room = True
    performance.waiting_room_rate = 60
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    return performance


def admitted_status(performance):
    token = waiting_room.queue_token(performance.pk)
    waiting_room.join_queue(performance_id=performance.pk, token=token)
    status = waiting_room.queue_status(token=token, now_ms=int(time.time() * 1000) + 120_000)
    assert status.admitted
    return token, status


def test_a_pass_opens_holds_only_for_its_own_binding_and_performance(room):
    token, status = admitted_status(room)
    binding = waiting_room.token_binding(token)
    hold_pass = waiting_room.issue_pass(status=status, binding=binding)
    assert waiting_room.read_pass(performance_id=room.pk, pass_text=hold_pass, binding=binding)
    other = waiting_room.token_binding(waiting_room.queue_token(room.pk))
    browser = waiting_room.browser_binding("another-browser")
    for wrong_binding in (other, browser, None):
        with pytest.raises(WaitingRoomRequired):
            waiting_room.read_pass(
                performance_id=room.pk, pass_text=hold_pass, binding=wrong_binding
            )
    with pytest.raises(WaitingRoomRequired):
        waiting_room.read_pass(performance_id=room.pk + 1, pass_text=hold_pass, binding=binding)
    forged = hold_pass[:-2] + ("AA" if not hold_pass.endswith("AA") else "BB")
    with pytest.raises(WaitingRoomRequired):
        waiting_room.read_pass(performance_id=room.pk, pass_text=forged, binding=binding)
    unsigned = signing.dumps({"p": room.pk, "b": binding[:32], "n": "x"}, salt="other")
    with pytest.raises(WaitingRoomRequired):
        waiting_room.read_pass(performance_id=room.pk, pass_text=unsigned, binding=binding)


def test_a_pass_expires(room, settings, monkeypatch):
    token, status = admitted_status(room)
    binding = waiting_room.token_binding(token)
    hold_pass = waiting_room.issue_pass(status=status, binding=binding)
    settings.SANDALI_WAITING_ROOM_PASS_MINUTES = 30
    later = time.time() + 30 * 60 + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(WaitingRoomRequired):
        waiting_room.read_pass(performance_id=room.pk, pass_text=hold_pass, binding=binding)


def test_a_pass_is_given_only_to_an_admitted_entry(room):
    token = waiting_room.queue_token(room.pk)
    for _ in range(3):  # two others ahead of it, at one a second
        waiting_room.join_queue(performance_id=room.pk, token=waiting_room.queue_token(room.pk))
    status = waiting_room.join_queue(performance_id=room.pk, token=token)
    assert not status.admitted and status.position >= 1 and status.wait_seconds >= 1
    with pytest.raises(WaitingRoomRequired):
        waiting_room.issue_pass(status=status, binding=waiting_room.token_binding(token))


def test_a_place_in_the_queue_allows_a_bounded_number_of_hold_requests(room, settings):
    settings.SANDALI_WAITING_ROOM_HOLDS_PER_SEAT = 3  # x max 2 seats per order: 6
    token, status = admitted_status(room)
    binding = waiting_room.token_binding(token)
    hold_pass = waiting_room.issue_pass(status=status, binding=binding)
    for _ in range(5):
        waiting_room.admit_hold_request(
            performance_id=room.pk, pass_text=hold_pass, binding=binding
        )
    # Asking the queue again gives a new pass, which shares the place's count.
    status = waiting_room.queue_status(token=token)
    again = waiting_room.issue_pass(status=status, binding=binding)
    waiting_room.admit_hold_request(performance_id=room.pk, pass_text=again, binding=binding)
    with pytest.raises(WaitingRoomPassUsedUp):
        waiting_room.admit_hold_request(performance_id=room.pk, pass_text=again, binding=binding)


def test_without_a_room_hold_requests_need_no_pass(performance):
    assert (
        waiting_room.admit_hold_request(performance_id=performance.pk, pass_text=None, binding=None)
        is None
    )


def test_the_room_turns_on_by_itself_above_the_threshold(performance):
    performance.waiting_room_threshold = 5
    performance.save()
    for _ in range(5):
        assert (
            waiting_room.admit_hold_request(
                performance_id=performance.pk, pass_text=None, binding=None
            )
            is None
        )
    with pytest.raises(WaitingRoomRequired):
        waiting_room.admit_hold_request(performance_id=performance.pk, pass_text=None, binding=None)
    # From then on, arrivals queue in order of arrival.
    tokens = [waiting_room.queue_token(performance.pk) for _ in range(3)]
    positions = [
        waiting_room.join_queue(performance_id=performance.pk, token=t).position for t in tokens
    ]
    assert positions == sorted(positions)


def test_a_queue_whose_redis_is_down_answers_503_and_admitted_buyers_keep_holding(room, settings):
    token, status = admitted_status(room)
    binding = waiting_room.token_binding(token)
    hold_pass = waiting_room.issue_pass(status=status, binding=binding)
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    with pytest.raises(ServiceUnavailable):
        waiting_room.join_queue(performance_id=room.pk, token=waiting_room.queue_token(room.pk))
    # A pass is checked by its signature alone: no store needed.
    assert waiting_room.admit_hold_request(
        performance_id=room.pk, pass_text=hold_pass, binding=binding
    )


def test_a_draw_that_never_shows_as_done_is_a_store_outage_not_an_admission():
    """The step script answers -3 (past opening, not drawn yet) to every try: the store is
    unavailable (503), never a place of rank -3, which would read as admitted."""
    store = RedisQueueStore(f"redis://127.0.0.1:{free_port()}/0")  # never connected to
    tries = []
    store._step = lambda keys, args: tries.append(args) or [-3, 0, 0, 0, 0]
    store._open = lambda keys, args: 0
    store._redis.smembers = lambda key: set()
    with pytest.raises(QueueUnavailable):
        join(store, 1, "e0", OPENS + 10)
    assert len(tries) == 3


def test_asking_where_a_place_stands_is_no_arrival(room):
    """A room the organizer turned on, with a threshold: its buyers' polls must not switch it
    on by itself, or it would stay on when the organizer turns it off."""
    room.waiting_room_threshold = 3
    room.save()
    token = waiting_room.queue_token(room.pk)
    waiting_room.join_queue(performance_id=room.pk, token=token)  # one arrival
    for _ in range(10):
        waiting_room.queue_status(token=token)
    room.waiting_room = False
    room.save()
    assert not waiting_room.room_on(performance_id=room.pk)
    # Arrivals still count: the join and three hold requests are past the threshold.
    for _ in range(2):
        waiting_room.admit_hold_request(performance_id=room.pk, pass_text=None, binding=None)
    with pytest.raises(WaitingRoomRequired):
        waiting_room.admit_hold_request(performance_id=room.pk, pass_text=None, binding=None)
    assert waiting_room.room_on(performance_id=room.pk)


def test_on_redis_an_arrival_under_the_threshold_is_one_round_trip_and_still_switches_it_on(
    room, redis_url, settings
):
    """Every map shown and hold asked for counts an arrival while a threshold is set: whether
    the room turned on by itself is read with the count, in one round trip."""
    if redis_url is None:
        pytest.skip("needs redis-server (Debian package redis-server)")
    settings.REDIS_URL = redis_url
    room.waiting_room = False
    room.waiting_room_threshold = 3
    room.save()
    terms = waiting_room.room_terms(performance_id=room.pk)
    pool = waiting_room.queue_store()._redis.connection_pool
    taken = pool.get_connection
    round_trips = []
    pool.get_connection = lambda *args, **kwargs: round_trips.append(1) or taken(*args, **kwargs)
    try:
        answers = [waiting_room.room_is_on(terms)[0] for _ in range(3)]
    finally:
        del pool.get_connection
    assert answers == [False, False, False]
    assert len(round_trips) == 3
    assert waiting_room.room_is_on(terms)[0]  # the fourth in the minute
    assert waiting_room.room_is_on(terms, arrival=False)[0]
    waiting_room.join_queue(performance_id=room.pk, token=waiting_room.queue_token(room.pk))
