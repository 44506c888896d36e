"""Real concurrency against PostgreSQL: threads, each with its own connection."""

import random
import threading
from collections import Counter

import pytest
from django.db import connections

from catalog.errors import SeatsUnavailable
from catalog.models import Seat
from ops.audit import audit
from orders.checkout import checkout
from orders.errors import PaymentInProgress
from orders.models import Order, Ticket
from payments.models import Charge
from reservations.errors import AlreadyCheckedOut
from reservations.services import hold_seats, release_expired_holds
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = [pytest.mark.django_db(transaction=True)]


def run_threads(count: int, work) -> list:
    """Start `count` threads that call work(n) together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer is stuck: deadlock?"
    return results


def test_fifty_buyers_racing_for_the_same_twenty_seats_never_share_one(postgres_only):
    performance = make_performance(sections=2, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    assert len(ids) == 20

    def buyer(n: int):
        rng = random.Random(n)
        outcomes = []
        for _attempt in range(3):
            chosen = rng.sample(ids, rng.randint(2, 5))  # random overlap, random order
            try:
                held = hold_seats(performance_id=performance.pk, seat_ids=chosen)
                outcomes.append((held.hold.pk, chosen))
            except SeatsUnavailable as refused:
                assert set(refused.details["seats"]) <= set(chosen)
        return outcomes

    results = run_threads(50, buyer)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    holds = [outcome for outcomes in results for outcome in outcomes]
    assert holds, "somebody must have held something"
    seats_taken = Counter(seat for _hold, chosen in holds for seat in chosen)
    assert max(seats_taken.values()) == 1
    for hold_id, chosen in holds:
        assert set(Seat.objects.filter(hold_id=hold_id).values_list("id", flat=True)) == set(chosen)
    assert audit()["inconsistency_count"] == 0


def test_twenty_checkouts_of_one_hold_with_one_key_make_one_order(postgres_only):
    performance = make_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:3])

    def pay(n: int):
        return checkout(
            hold_id=held.hold.pk,
            token=held.token,
            idempotency_key="same",
            name="A",
            email="a@x.org",
        )

    results = run_threads(20, pay)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert {r.order.pk for r in results} == {Order.objects.get().pk}
    assert {r.token for r in results} == {results[0].token}
    assert sum(r.created for r in results) == 1
    assert Ticket.objects.count() == 3
    assert Charge.objects.count() == 1  # the provider charged once, however often it was asked


def test_twenty_checkouts_of_one_hold_with_different_keys_make_one_order(postgres_only):
    performance = make_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:3])

    def pay(n: int):
        return checkout(
            hold_id=held.hold.pk,
            token=held.token,
            idempotency_key=f"key-{n}",
            name="A",
            email="a@x.org",
        )

    results = run_threads(20, pay)
    paid = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(paid) == 1
    # While one key's payment is under way, the others are told so; once paid, that it is.
    assert all(isinstance(r, AlreadyCheckedOut | PaymentInProgress) for r in refused)
    assert Order.objects.count() == 1 and Ticket.objects.count() == 3
    assert Charge.objects.count() == 1  # no second key ever reached the provider
    assert audit()["inconsistency_count"] == 0


def test_sweepers_running_at_once_free_each_expired_seat_exactly_once(postgres_only):
    performance = make_performance(sections=4, rows=5, seats_per_row=10)  # 200 seats
    ids = seat_ids(performance)
    for start in range(0, 200, 10):
        expire_hold(
            hold_seats(performance_id=performance.pk, seat_ids=ids[start : start + 10]).hold
        )
    versions = dict(Seat.objects.values_list("id", "version"))

    def sweep(n: int):
        freed = []
        while batch := release_expired_holds(batch_size=7):
            freed.extend(change.seat_id for change in batch)
        return freed

    results = run_threads(4, sweep)
    assert [r for r in results if isinstance(r, BaseException)] == []
    freed = [seat for seats in results for seat in seats]
    assert sorted(freed) == ids, "every expired seat freed once, by one sweeper"
    after = dict(Seat.objects.values_list("id", "version"))
    assert all(after[seat] == versions[seat] + 1 for seat in ids)
    assert set(Seat.objects.values_list("status", flat=True)) == {"available"}
