"""House seats: held back for a channel off the public sale, released to the public at once
(catalog/house_seats.py), and what every count and the buyer's API make of them."""

import pytest

from catalog import inventory
from catalog.errors import ChannelHasNoSeats, ChannelNameInvalid, InvalidSeats
from catalog.house_seats import channel_seats, hold_back_seats, release_channel
from catalog.models import HeldBackSeat, Seat, SeatStatus
from catalog.selectors import capacity_by_section_and_ticket_type, effective_status
from core.dbtime import db_now
from ops.audit import audit
from reservations.services import hold_seats, release_expired_holds
from tests.api.helpers import assert_problem, create_hold, post, snapshot
from tests.factories import expire_hold, make_order, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def statuses(ids) -> dict[int, str]:
    return dict(Seat.objects.filter(id__in=ids).values_list("id", "status"))


def channels(performance) -> dict[int, str]:
    return dict(
        HeldBackSeat.objects.filter(performance=performance).values_list("seat_id", "channel")
    )


def test_holding_back_blocks_the_free_seats_for_the_channel_and_names_the_others():
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    ids = seat_ids(performance)
    make_order(performance, seats=1)  # sells ids[0]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids[1:2])
    result = hold_back_seats(
        performance_id=performance.pk, channel="  sponsors ", seat_ids=ids[:4], actor="mina"
    )
    assert result.channel == "sponsors"
    assert result.held == ids[2:4]
    assert result.not_free == ids[:2]
    assert statuses(ids[2:4]) == {i: SeatStatus.BLOCKED for i in ids[2:4]}
    assert channels(performance) == {ids[2]: "sponsors", ids[3]: "sponsors"}
    assert set(HeldBackSeat.objects.values_list("held_by", flat=True)) == {"mina"}
    assert Seat.objects.get(pk=ids[1]).hold_id == held.hold.pk
    assert audit()["inconsistency_count"] == 0


def test_a_seat_held_back_for_one_channel_is_not_taken_by_another():
    performance = make_performance(sections=1, rows=1, seats_per_row=3)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[:1])
    result = hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids)
    assert result.held == ids[1:] and result.not_free == ids[:1]
    assert channels(performance)[ids[0]] == "press"


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_a_channel_needs_a_name_of_a_few_words(name):
    performance = make_performance()
    with pytest.raises(ChannelNameInvalid):
        hold_back_seats(performance_id=performance.pk, channel=name, seat_ids=seat_ids(performance))
    assert not HeldBackSeat.objects.exists()


def test_seats_of_another_performance_are_refused_and_nothing_is_held_back():
    performance, other = make_performance(), make_performance()
    with pytest.raises(InvalidSeats):
        hold_back_seats(performance_id=performance.pk, channel="house", seat_ids=[])
    before = snapshot()
    with pytest.raises(InvalidSeats):
        hold_back_seats(
            performance_id=performance.pk,
            channel="house",
            seat_ids=[seat_ids(performance)[0], seat_ids(other)[0]],
        )
    assert snapshot() == before and not HeldBackSeat.objects.exists()


def test_releasing_a_channel_puts_all_its_seats_on_sale_and_none_of_another_channel():
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:4])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[4:6])
    inventory.block(performance_id=performance.pk, seat_ids=ids[6:7], now=db_now())
    versions = dict(Seat.objects.values_list("id", "version"))
    assert release_channel(performance_id=performance.pk, channel="sponsors") == 4
    assert statuses(ids[:4]) == {i: SeatStatus.AVAILABLE for i in ids[:4]}
    assert statuses(ids[4:7]) == {i: SeatStatus.BLOCKED for i in ids[4:7]}
    assert channels(performance) == {ids[4]: "press", ids[5]: "press"}
    after = dict(Seat.objects.values_list("id", "version"))
    assert {i for i in ids if after[i] != versions[i]} == set(ids[:4])  # watchers are told
    with pytest.raises(ChannelHasNoSeats):
        release_channel(performance_id=performance.pk, channel="sponsors")


def test_a_plain_unblock_leaves_a_held_back_seat_with_its_channel():
    performance = make_performance()
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="house", seat_ids=ids[:1])
    assert inventory.unblock(performance_id=performance.pk, seat_ids=ids[:1]) == []
    assert statuses(ids[:1]) == {ids[0]: SeatStatus.BLOCKED}


def test_held_back_seats_are_refused_to_buyers_with_a_409_as_blocked_seats_are(client):
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": ids[1:3]})
    assert_problem(response, 409, "seats_unavailable")
    assert snapshot() == before
    assert create_hold(client, performance, ids[2:4])["seats"]


def test_best_available_never_offers_held_back_seats(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="house", seat_ids=ids[:5])  # row A
    body = post(
        client, f"/performances/{performance.pk}/holds", {"best_available": {"quantity": 5}}
    ).json()
    assert {seat["id"] for seat in body["seats"]} == set(ids[5:])
    response = post(
        client, f"/performances/{performance.pk}/holds", {"best_available": {"quantity": 1}}
    )
    assert_problem(response, 409, "not_enough_seats")


def test_capacity_counts_held_back_seats_as_blocked():
    performance = make_performance(sections=1, rows=1, seats_per_row=5)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="house", seat_ids=ids[:3])
    (row,) = capacity_by_section_and_ticket_type(performance_id=performance.pk)
    assert (row.allocated, row.available, row.blocked) == (5, 2, 3)


def test_channel_seats_counts_each_channel():
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[3:4])
    counts = {row.channel: (row.held_back, row.at_desk, row.sold) for row in channel_seats(
        performance_id=performance.pk)}  # fmt: skip
    assert counts == {"press": (1, 0, 0), "sponsors": (3, 0, 0)}


def test_an_expired_hold_of_a_channel_seat_reads_blocked_and_the_sweeper_makes_it_so():
    """A seat reserved (as the desk reserves it) and then held back is planted directly: the
    desk's own path is tested in tests/backoffice/test_house_seats.py."""
    performance = make_performance(sections=1, rows=1, seats_per_row=3)
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=ids[:1])
    HeldBackSeat.objects.create(
        seat_id=ids[0], performance=performance, channel="house", held_at=db_now()
    )
    expire_hold(held.hold)
    effective = dict(Seat.objects.annotate(e=effective_status()).values_list("id", "e"))
    assert effective[ids[0]] == SeatStatus.BLOCKED
    with pytest.raises(Exception, match="seats_unavailable"):
        hold_seats(performance_id=performance.pk, seat_ids=ids[:1])
    (row,) = capacity_by_section_and_ticket_type(performance_id=performance.pk)
    assert (row.available, row.reserved, row.blocked) == (2, 0, 1)
    release_expired_holds()
    assert statuses(ids[:1]) == {ids[0]: SeatStatus.BLOCKED}
