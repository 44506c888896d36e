"""Placed by arrival, not by when the app got to it: in a surge joins wait for the app in the
proxy's and the server's queues, in no strict order, and the proxy's stamp of when each
arrived decides the order (core/arrival.py, reservations/queue_store.py). Run on both stores."""

from tests.reservations.test_waiting_room import OPENS, RATE, look


def join(store, performance_id, entry, *, now, arrived, rate=RATE):
    return store.step(
        performance_id=performance_id,
        entry=entry,
        now=now,
        opens=OPENS,
        rate=rate,
        join=True,
        arrived=arrived,
    )


def test_joins_served_out_of_order_are_placed_in_the_order_they_arrived(make_store):
    store, performance = make_store()
    slow = 1  # one a minute: nobody below is let in during the test
    join(store, performance, "x", now=OPENS, arrived=OPENS, rate=slow)  # let in at opening
    # Served in this order, after waiting different times in the proxy and the server:
    arrivals = {"c": OPENS + 300, "a": OPENS + 100, "d": OPENS + 400, "b": OPENS + 200}
    for served, (entry, arrived) in enumerate(arrivals.items()):
        join(store, performance, entry, now=OPENS + 5_000 + served, arrived=arrived, rate=slow)
    ranks = {
        entry: look(store, performance, entry, OPENS + 5_010, rate=slow).rank for entry in arrivals
    }
    assert ranks == {"a": 2, "b": 3, "c": 4, "d": 5}
    # Without a stamp, the moment the app serves the join is its arrival.
    assert join(store, performance, "e", now=OPENS + 6_000, arrived=None, rate=slow).rank == 6


def test_a_late_served_join_goes_ahead_of_later_arrivals_but_admission_keeps_its_rate(
    make_store,
):
    """A join the app served late is placed where it arrived: ahead of everyone waiting who
    came after it, so it is let in next. Not at once: with joins slowed by an overloaded app,
    letting in every late join that came before the last one let in added admissions beyond
    the rate (docs/benchmarks.md, "Every 5xx counted"). Nobody let in is put back."""
    store, performance = make_store()
    for i in range(5):
        join(store, performance, f"e{i}", now=OPENS + 10 + i, arrived=OPENS + 10 + i)
    # The first was let in as it came (at OPENS + 10), the next a second later.
    assert look(store, performance, "e0", OPENS + 1_010).admitted_through == 2
    late = join(store, performance, "late", now=OPENS + 1_100, arrived=OPENS + 5)
    assert late.rank == 3 and late.admitted_through == 2  # next in line, not let in yet
    for entry in ("e0", "e1"):  # still in
        place = look(store, performance, entry, OPENS + 1_200)
        assert place.rank <= place.admitted_through == 2
    assert look(store, performance, "e2", OPENS + 1_200).rank == 4
    # The rate goes on from there, one a second: the late one first, then e2.
    assert look(store, performance, "late", OPENS + 2_000).admitted_through == 2
    place = look(store, performance, "late", OPENS + 2_010)
    assert place.admitted_through == 3 and place.rank == 3
    place = look(store, performance, "e2", OPENS + 3_010)
    assert place.rank == 4 and place.admitted_through == 4


def test_a_join_that_arrived_before_opening_but_is_served_after_the_draw_is_drawn_too(
    make_store,
):
    """It gets a place among those drawn at random, before everyone who came after opening:
    coming early but being served late neither wins nor loses against the early ones, and
    still beats the later crowd."""
    places = []
    for seed in range(30):
        store, performance = make_store(seed)
        for i in range(10):
            join(store, performance, f"early{i}", now=OPENS - 500 + i, arrived=OPENS - 500 + i)
        join(store, performance, "after", now=OPENS + 5, arrived=OPENS + 5)  # the draw is made
        slow = join(store, performance, "slow", now=OPENS + 50, arrived=OPENS - 100)
        assert look(store, performance, "after", OPENS + 60).rank == 12
        places.append(slow.rank)
    assert all(1 <= rank <= 11 for rank in places)
    assert len(set(places)) > 4  # drawn, not always first nor always last


def test_while_no_seat_is_free_nobody_is_let_in_and_the_pause_is_not_banked(make_store):
    """Every seat left is held by a buyer paying: letting more in would spend their turn on a
    map with nothing to choose. When seats come back, admission goes on at the rate, not with
    a burst for the time it was paused."""
    store, performance = make_store()
    for i in range(30):
        join(store, performance, f"e{i}", now=OPENS + i, arrived=OPENS + i)
    assert look(store, performance, "e0", OPENS + 999).admitted_through == 1

    def step(now, *, paused):
        return store.step(performance_id=performance, entry="e5", now=now, opens=OPENS,
                          rate=RATE, join=False, paused=paused)  # fmt: skip

    assert step(OPENS + 5_000, paused=True).admitted_through == 1
    assert step(OPENS + 20_000, paused=True).admitted_through == 1
    # Seats came back: the next one a second after the pause ended, and so on.
    assert step(OPENS + 20_500, paused=False).admitted_through == 1
    assert step(OPENS + 21_000, paused=False).admitted_through == 2
    assert step(OPENS + 25_000, paused=False).admitted_through == 6
    # A join while paused still takes its place by arrival.
    late = store.step(performance_id=performance, entry="late", now=OPENS + 26_000, opens=OPENS,
                      rate=RATE, join=True, arrived=OPENS + 26_000, paused=True)  # fmt: skip
    assert late.rank == 31 and late.admitted_through == 6


def test_nobody_is_let_in_while_a_join_that_came_before_them_may_still_be_on_its_way(
    make_store,
):
    """The lag: the longest a join served lately (this 5 s window or the one before) waited
    for the app. Only those who arrived at least the lag ago are let in, so a join still
    waiting in the proxy or the server is not passed by one who came after it. Without this,
    in the surge benchmark's first seconds, whoever the app served promptly was let in ahead
    of those it served late (tau 0.89 in one of two runs)."""
    store, performance = make_store()
    join(store, performance, "first", now=OPENS + 10, arrived=OPENS + 10)  # in at opening
    slow1 = join(store, performance, "slow1", now=OPENS + 2_000, arrived=OPENS + 50)
    assert slow1.rank == 2 == slow1.admitted_through  # it waited 1,950 ms: the lag
    prompt = join(store, performance, "prompt", now=OPENS + 2_100, arrived=OPENS + 2_100)
    assert prompt.rank == 3
    # Due at OPENS + 3,000, but it arrived less than the lag ago: someone who came before it
    # may still be waiting for the app.
    assert look(store, performance, "prompt", OPENS + 3_000).admitted_through == 2
    # And someone was: served now, placed where it arrived, let in first.
    slow2 = join(store, performance, "slow2", now=OPENS + 3_500, arrived=OPENS + 2_050)
    assert slow2.rank == 3 and slow2.admitted_through == 2
    assert look(store, performance, "slow2", OPENS + 4_100).admitted_through == 3
    assert look(store, performance, "slow2", OPENS + 4_100).rank == 3
    assert look(store, performance, "prompt", OPENS + 5_100).rank == 4
    assert look(store, performance, "prompt", OPENS + 5_100).admitted_through == 4
    # Two windows without a late join: the lag is gone, and a join on time is let in at once.
    later = join(store, performance, "later", now=OPENS + 10_500, arrived=OPENS + 10_500)
    assert later.rank == 5 == later.admitted_through


def test_the_drawn_are_let_in_from_opening_whatever_the_lag(make_store):
    """Those who came before opening are drawn at random; a late one is drawn among them
    anyway, so they need not wait for the lag."""
    store, performance = make_store()
    for i in range(3):
        join(store, performance, f"early{i}", now=OPENS - 100 + i, arrived=OPENS - 100 + i)
    # Served 3 s late, after opening: the lag (3,050 ms) reaches back before the opening.
    join(store, performance, "late_early", now=OPENS + 3_000, arrived=OPENS - 50)
    place = look(store, performance, "early0", OPENS + 3_000)
    assert place.admitted_through == 4  # every drawn one, at the rate since opening


def test_a_step_whose_clock_reads_just_before_a_window_does_not_wipe_the_lag(make_store):
    """Clocks are read before the store is reached, and app processes' differ by a few ms: a
    step dated a moment before the lag's window began must not take the window back."""
    store, performance = make_store()
    fast = 60_000  # a thousand a second: only the lag holds anyone back
    boundary = OPENS + 20_000  # where a lag window begins
    join(store, performance, "first", now=OPENS + 10, arrived=OPENS + 10, rate=fast)
    join(store, performance, "slow", now=boundary - 100, arrived=boundary - 4_100, rate=fast)
    prompt = join(store, performance, "prompt", now=boundary + 10, arrived=boundary + 10, rate=fast)
    assert prompt.rank > prompt.admitted_through  # within the 4 s lag: held back
    join(store, performance, "stale", now=boundary - 5, arrived=boundary - 5, rate=fast)
    place = look(store, performance, "prompt", boundary + 20, rate=fast)
    assert place.rank > place.admitted_through  # still held back: the lag was kept
