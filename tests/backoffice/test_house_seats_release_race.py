"""Releasing a channel while the desk gives back one of its seats, the two interleaved on
purpose (PostgreSQL, real threads, each with its own connection): whichever commits first,
the seat ends on sale, never blocked for a channel that no longer exists.

Before, the give-back decided "back to the channel?" from its own snapshot: in one order it
still saw the channel's row that the release had deleted but not committed, in the other the
release's unblock still saw the seat reserved; either way the seat stayed blocked, for no
channel, for good (catalog/seat_statements.py `back_to_channel`)."""

import threading
import time

import pytest
from django.db import connections, transaction

from backoffice.house_seats import hold_held_back
from catalog import inventory
from catalog.house_seats import hold_back_seats, release_channel
from catalog.models import HeldBackSeat, Seat, SeatStatus
from ops.audit import audit
from tests.factories import make_performance, seat_ids

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PAUSE_SECONDS = 0.5  # long enough for the other thread's statement to start meanwhile


@pytest.fixture
def at_the_desk():
    """A channel's seat in the desk's hold (committed: the threads see it)."""
    performance = make_performance(sections=1, rows=1, seats_per_row=3)
    seat = seat_ids(performance)[0]
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=[seat])
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=[seat])
    return performance, seat, desk


def both(first, second) -> None:
    """Run `first` (which sets the event when it has written, then pauses before it commits)
    and `second` (which starts once the event is set) in two threads."""
    errors = []

    def run(work):
        try:
            work()
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "deadlock?"
    assert not errors, errors


def test_a_seat_given_back_while_its_channel_is_released_goes_on_sale(postgres_only, at_the_desk):
    performance, seat, desk = at_the_desk
    written = threading.Event()

    def release_pausing_before_commit():
        with transaction.atomic():
            HeldBackSeat.objects.filter(performance=performance, channel="sponsors").delete()
            inventory.unblock(performance_id=performance.pk, seat_ids=[seat])  # still at desk
            written.set()
            time.sleep(PAUSE_SECONDS)

    def desk_gives_back():
        written.wait(10)
        inventory.release(hold_id=desk.hold_id)

    both(release_pausing_before_commit, desk_gives_back)
    assert Seat.objects.get(pk=seat).status == SeatStatus.AVAILABLE
    assert audit()["inconsistency_count"] == 0


def test_a_channel_released_while_the_desk_gives_its_seat_back_puts_it_on_sale(
    postgres_only, at_the_desk
):
    performance, seat, desk = at_the_desk
    written = threading.Event()

    def desk_gives_back_pausing_before_commit():
        with transaction.atomic():
            inventory.release(hold_id=desk.hold_id)  # back to the channel: blocked
            written.set()
            time.sleep(PAUSE_SECONDS)

    def organizer_releases():
        written.wait(10)
        release_channel(performance_id=performance.pk, channel="sponsors")

    both(desk_gives_back_pausing_before_commit, organizer_releases)
    assert Seat.objects.get(pk=seat).status == SeatStatus.AVAILABLE
    assert not HeldBackSeat.objects.exists()
