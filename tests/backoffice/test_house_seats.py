"""The box office desk's hold of a channel's seats (backoffice/house_seats.py): whatever the
desk gives back returns to the channel, never to the public; and holding back racing a buyer
on PostgreSQL."""

import pytest

from backoffice.house_seats import hold_held_back
from catalog.errors import SeatsNotHeldBack, SeatsUnavailable
from catalog.house_seats import channel_seats, hold_back_seats, release_channel
from catalog.models import HeldBackSeat, Seat, SeatStatus
from ops.audit import audit
from orders.cancellation import cancel_order
from orders.checkout import checkout
from reservations.models import Hold
from reservations.services import hold_seats, release_expired_holds, release_hold
from tests.api.helpers import snapshot
from tests.factories import expire_hold, make_performance, seat_ids
from tests.reservations.test_concurrency import run_threads

pytestmark = pytest.mark.django_db


def statuses(ids) -> list[str]:
    return [Seat.objects.get(pk=i).status for i in ids]


def counts(performance) -> dict[str, tuple[int, int, int]]:
    return {
        row.channel: (row.held_back, row.at_desk, row.sold)
        for row in channel_seats(performance_id=performance.pk)
    }


@pytest.fixture
def sponsored():
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[3:4])
    return performance, ids


def test_the_desk_holds_a_channels_seats_reserved_for_its_hold(sponsored):
    performance, ids = sponsored
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    seats = Seat.objects.filter(pk__in=ids[:2])
    assert {(s.status, s.hold_id) for s in seats} == {(SeatStatus.RESERVED, desk.hold_id)}
    assert counts(performance) == {"sponsors": (1, 2, 0), "press": (1, 0, 0)}
    assert audit()["inconsistency_count"] == 0


def test_seats_not_of_the_channel_refuse_the_whole_desk_hold(sponsored):
    performance, ids = sponsored
    before = snapshot()
    for wrong in (ids[2:4], ids[4:5]):  # another channel's seat; a public seat
        with pytest.raises(SeatsNotHeldBack):
            hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=wrong)
    hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1])
    with pytest.raises(SeatsNotHeldBack):  # at the desk already
        hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1])
    assert snapshot()["seats"][2:] == before["seats"][2:]


def test_a_desk_hold_released_gives_the_seats_back_to_the_channel(sponsored):
    performance, ids = sponsored
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    assert release_hold(hold_id=desk.hold_id, token=desk.token) == 2
    assert statuses(ids[:2]) == [SeatStatus.BLOCKED] * 2
    assert counts(performance)["sponsors"] == (3, 0, 0)
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=performance.pk, seat_ids=ids[:1])


def test_an_expired_desk_hold_goes_back_to_the_channel_before_and_after_the_sweeper(sponsored):
    performance, ids = sponsored
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    expire_hold(Hold.objects.get(pk=desk.hold_id))
    with pytest.raises(SeatsUnavailable):  # lazy expiry leaves it to the channel
        hold_seats(performance_id=performance.pk, seat_ids=ids[:1])
    assert counts(performance)["sponsors"] == (3, 0, 0)
    # ...and the desk may hold it again before the sweeper has run.
    again = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1])
    release_expired_holds()
    assert statuses(ids[:3]) == [SeatStatus.RESERVED, SeatStatus.BLOCKED, SeatStatus.BLOCKED]
    assert Seat.objects.get(pk=ids[0]).hold_id == again.hold_id
    assert audit()["inconsistency_count"] == 0


def test_a_desk_sale_cancelled_goes_back_to_the_channel_and_after_release_to_the_public(
    sponsored,
):
    performance, ids = sponsored
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1])
    sale = checkout(
        hold_id=desk.hold_id, token=desk.token, idempotency_key="k", name="S", email="s@x.org"
    )
    assert statuses(ids[:1]) == [SeatStatus.SOLD]
    assert counts(performance)["sponsors"] == (2, 0, 1)
    cancel_order(order_id=sale.order.pk)
    assert statuses(ids[:1]) == [SeatStatus.BLOCKED]
    assert release_channel(performance_id=performance.pk, channel="sponsors") == 3
    assert statuses(ids[:3]) == [SeatStatus.AVAILABLE] * 3
    assert hold_seats(performance_id=performance.pk, seat_ids=ids[:3]).seats


def test_releasing_a_channel_while_its_seat_is_at_the_desk_frees_it_to_the_public_later(
    sponsored,
):
    performance, ids = sponsored
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1])
    release_channel(performance_id=performance.pk, channel="sponsors")
    assert statuses(ids[:3]) == [SeatStatus.RESERVED, SeatStatus.AVAILABLE, SeatStatus.AVAILABLE]
    release_hold(hold_id=desk.hold_id, token=desk.token)
    assert statuses(ids[:1]) == [SeatStatus.AVAILABLE]
    assert not HeldBackSeat.objects.filter(channel="sponsors").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_holding_back_racing_a_buyer_for_one_seat_one_wins_and_the_seats_agree(
    postgres_only, round_
):
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    ids = seat_ids(performance)
    contested = ids[1]

    def race(n: int):
        if n == 0:
            return hold_back_seats(
                performance_id=performance.pk, channel="sponsors", seat_ids=[contested]
            )
        return hold_seats(performance_id=performance.pk, seat_ids=[contested])

    held_back, bought = run_threads(2, race)
    seat = Seat.objects.get(pk=contested)
    if seat.status == SeatStatus.BLOCKED:
        assert held_back.held == [contested] and isinstance(bought, SeatsUnavailable)
        assert HeldBackSeat.objects.get().seat_id == contested
    else:
        assert seat.status == SeatStatus.RESERVED and seat.hold_id == bought.hold.pk
        assert held_back.held == [] and held_back.not_free == [contested]
        assert not HeldBackSeat.objects.exists()
    assert audit()["inconsistency_count"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_releasing_a_channel_racing_the_desks_hold_of_its_seats_leaves_them_agreeing(
    postgres_only, round_
):
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])

    def race(n: int):
        if n == 0:
            return release_channel(performance_id=performance.pk, channel="sponsors")
        return hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])

    released, desk = run_threads(2, race)
    assert released == 2 and not HeldBackSeat.objects.exists()
    seats = list(Seat.objects.filter(pk__in=ids[:2]))
    if isinstance(desk, SeatsNotHeldBack):  # released first: on sale to everyone
        assert {seat.status for seat in seats} == {SeatStatus.AVAILABLE}
    else:  # the desk first: its hold keeps them, and gives them to the public later
        assert {(seat.status, seat.hold_id) for seat in seats} == {
            (SeatStatus.RESERVED, desk.hold_id)
        }
        release_hold(hold_id=desk.hold_id, token=desk.token)
        assert set(Seat.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
            SeatStatus.AVAILABLE
        }
    assert audit()["inconsistency_count"] == 0
