"""PostgreSQL: an extension racing its hold's expiry, another buyer waiting for those seats and
the sweeper. Exactly one of the extension and the other buyer wins each round: never an
extended hold whose seats someone else holds, never seats stuck."""

import time
from datetime import timedelta

import pytest

from catalog.errors import SeatsUnavailable
from catalog.models import Performance, Seat, SeatStatus
from core.dbtime import db_now
from ops.audit import audit
from reservations.errors import HoldExpired
from reservations.extension import ExtendedHold, extend_hold
from reservations.models import Hold
from reservations.services import hold_seats, release_expired_holds
from tests.factories import make_performance, seat_ids
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True)]
ROUNDS = 24


def test_an_extension_racing_expiry_and_another_buyer_never_both_win(postgres_only):
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    Performance.objects.filter(pk=performance.pk).update(hold_extension_minutes=5)
    wanted = seat_ids(performance)[:2]
    outcomes = []
    for round_ in range(ROUNDS):
        first = hold_seats(performance_id=performance.pk, seat_ids=wanted)
        # The hold expires within the next few milliseconds, a little later each round, so
        # that the extension arrives just before, at or just after that moment.
        expiry = db_now() + timedelta(milliseconds=10 * round_)
        Hold.objects.filter(pk=first.hold.pk).update(expires_at=expiry)
        Seat.objects.filter(hold_id=first.hold.pk).update(hold_expires_at=expiry)

        def other_buyer():
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                try:
                    return hold_seats(performance_id=performance.pk, seat_ids=wanted)
                except SeatsUnavailable:
                    time.sleep(0.002)
            return None

        work = [
            lambda first=first: extend_hold(hold_id=first.hold.pk, token=first.token),
            other_buyer,
            lambda: release_expired_holds(),
        ]
        extended, taken, _ = run_threads(3, lambda n, work=work: work[n]())
        assert isinstance(extended, ExtendedHold | HoldExpired), extended
        won = isinstance(extended, ExtendedHold)
        assert won != (taken is not None), f"round {round_}: {extended!r}, {taken!r}"
        owner = first.hold.pk if won else taken.hold.pk
        seats = Seat.objects.filter(pk__in=wanted)
        assert {(s.status, s.hold_id) for s in seats} == {(SeatStatus.RESERVED, owner)}
        if won:
            assert {s.hold_expires_at for s in seats} == {expiry + timedelta(minutes=5)}
        assert Hold.objects.get(pk=first.hold.pk).extended == won
        outcomes.append(won)
        Seat.objects.filter(pk__in=wanted).update(  # the round's seats back on sale
            status=SeatStatus.AVAILABLE, hold=None, hold_expires_at=None
        )
        assert audit()["inconsistency_count"] == 0
    # Both outcomes happen: the race was run on both sides of the expiry.
    assert outcomes.count(True) and outcomes.count(False), outcomes
