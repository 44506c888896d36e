from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.errors import InvalidSeats, SeatsUnavailable, TooManySeats
from catalog.models import Seat, SeatStatus, SectionTicketType
from catalog.selectors import capacity_by_section_and_ticket_type, seat_map
from catalog.services import block_seats
from orders.checkout import checkout
from reservations.errors import (
    AlreadyCheckedOut,
    HoldExpired,
    HoldNotFound,
    SalesClosed,
    SeatNotInHold,
)
from reservations.models import Hold
from reservations.services import (
    add_seats,
    hold_seats,
    release_expired_holds,
    release_hold,
    release_seat,
)
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def statuses(ids):
    return dict(Seat.objects.filter(id__in=ids).values_list("id", "status"))


def test_hold_reserves_every_seat_until_the_performance_hold_minutes(performance):
    ids = seat_ids(performance)[:3]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    assert statuses(ids) == {i: SeatStatus.RESERVED for i in ids}
    hold = held.hold
    assert hold.expires_at - hold.created_at == timedelta(minutes=performance.hold_minutes)
    assert set(Seat.objects.filter(hold_id=hold.pk).values_list("hold_expires_at", flat=True)) == {
        hold.expires_at
    }


def test_hold_is_all_or_nothing_and_names_the_seats_taken(performance):
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    with pytest.raises(SeatsUnavailable) as refused:
        hold_seats(performance_id=performance.pk, seat_ids=[ids[0], ids[1], ids[2]])
    assert refused.value.details["seats"] == [ids[1]]
    assert statuses([ids[0], ids[2]]) == {ids[0]: "available", ids[2]: "available"}
    assert Hold.objects.count() == 1


def test_sold_and_blocked_seats_cannot_be_held(performance):
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[0]])
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org")
    block_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    for seat in ids[:2]:
        with pytest.raises(SeatsUnavailable):
            hold_seats(performance_id=performance.pk, seat_ids=[seat])


def test_seats_of_another_performance_are_invalid(performance):
    other = make_performance()
    with pytest.raises(InvalidSeats) as refused:
        hold_seats(performance_id=performance.pk, seat_ids=[seat_ids(other)[0]])
    assert refused.value.details["seats"] == [seat_ids(other)[0]]


@pytest.mark.parametrize("ids", [[], [999_999], "repeated"])
def test_empty_unknown_and_repeated_seat_ids_are_invalid(performance, ids):
    if ids == "repeated":
        ids = [seat_ids(performance)[0]] * 2
    with pytest.raises(InvalidSeats):
        hold_seats(performance_id=performance.pk, seat_ids=ids)
    assert not Seat.objects.filter(status=SeatStatus.RESERVED).exists()


def test_a_hold_has_at_most_the_performance_max_seats(db):
    performance = make_performance(max_seats_per_order=3)
    ids = seat_ids(performance)
    with pytest.raises(TooManySeats):
        hold_seats(performance_id=performance.pk, seat_ids=ids[:4])
    held = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    with pytest.raises(TooManySeats):
        add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=ids[2:4])
    add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[2]])
    assert Seat.objects.filter(hold_id=held.hold.pk).count() == 3


def test_no_holds_while_sales_are_closed(db):
    performance = make_performance(sales_open=False)
    with pytest.raises(SalesClosed):
        hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])


def test_expired_hold_seats_can_be_held_by_another_buyer_before_any_sweep(performance):
    ids = seat_ids(performance)[:2]
    first = hold_seats(performance_id=performance.pk, seat_ids=ids)
    expire_hold(first.hold)
    second = hold_seats(performance_id=performance.pk, seat_ids=ids)
    assert set(Seat.objects.filter(hold_id=second.hold.pk).values_list("id", flat=True)) == set(ids)
    with pytest.raises(HoldExpired):
        checkout(
            hold_id=first.hold.pk, token=first.token, idempotency_key="k", name="A", email="a@x.org"
        )


def test_expired_hold_reads_as_available_everywhere_before_any_sweep(performance):
    ids = seat_ids(performance)[:2]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    expire_hold(held.hold)
    status_in_map = {row[0]: row[7] for row in seat_map(performance_id=performance.pk)}
    assert [status_in_map[i] for i in ids] == ["available", "available"]
    capacity = capacity_by_section_and_ticket_type(performance_id=performance.pk)
    assert sum(c.reserved for c in capacity) == 0
    assert sum(c.available for c in capacity) == sum(c.allocated for c in capacity)


def test_add_seats_is_all_or_nothing_and_keeps_the_expiry(performance):
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[0]])
    hold_seats(performance_id=performance.pk, seat_ids=[ids[2]])
    with pytest.raises(SeatsUnavailable):
        add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[1], ids[2]])
    assert statuses([ids[1]]) == {ids[1]: "available"}
    add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[0], ids[1]])
    expiries = set(
        Seat.objects.filter(hold_id=held.hold.pk).values_list("hold_expires_at", flat=True)
    )
    assert expiries == {held.hold.expires_at}


def test_nobody_can_touch_a_hold_without_its_token(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    other = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[1:2])
    for token in (None, "", "guess", other.token):
        with pytest.raises(HoldNotFound):
            release_hold(hold_id=held.hold.pk, token=token)
    assert Seat.objects.filter(hold_id=held.hold.pk).count() == 1


def test_release_one_seat_then_all(performance):
    ids = seat_ids(performance)[:3]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    release_seat(hold_id=held.hold.pk, token=held.token, seat_id=ids[0])
    assert statuses(ids)[ids[0]] == "available"
    with pytest.raises(SeatNotInHold):
        release_seat(hold_id=held.hold.pk, token=held.token, seat_id=ids[0])
    assert release_hold(hold_id=held.hold.pk, token=held.token) == 2
    assert set(statuses(ids).values()) == {"available"}


def test_a_late_release_never_frees_a_sold_seat(performance):
    ids = seat_ids(performance)[:2]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org")
    with pytest.raises(AlreadyCheckedOut):
        release_seat(hold_id=held.hold.pk, token=held.token, seat_id=ids[0])
    with pytest.raises(AlreadyCheckedOut):
        release_hold(hold_id=held.hold.pk, token=held.token)
    assert set(statuses(ids).values()) == {"sold"}


def test_the_sweeper_frees_only_expired_seats_and_bumps_their_version(performance):
    ids = seat_ids(performance)
    expired = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    live = hold_seats(performance_id=performance.pk, seat_ids=ids[2:3])
    expire_hold(expired.hold)
    versions = dict(Seat.objects.values_list("id", "version"))
    changes = release_expired_holds()
    assert {c.seat_id for c in changes} == set(ids[:2])
    assert all(c.status == "available" and c.version == versions[c.seat_id] + 1 for c in changes)
    assert statuses(ids[2:3]) == {ids[2]: "reserved"}
    assert Seat.objects.get(pk=ids[2]).hold_id == live.hold.pk
    assert release_expired_holds() == []


def test_every_status_change_increments_the_seat_version(performance):
    seat = seat_ids(performance)[0]
    versions = [Seat.objects.get(pk=seat).version]
    held = hold_seats(performance_id=performance.pk, seat_ids=[seat])
    versions.append(Seat.objects.get(pk=seat).version)
    release_hold(hold_id=held.hold.pk, token=held.token)
    versions.append(Seat.objects.get(pk=seat).version)
    held = hold_seats(performance_id=performance.pk, seat_ids=[seat])
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org")
    versions.append(Seat.objects.get(pk=seat).version)
    assert versions == sorted(set(versions)) and len(versions) == 4


def test_capacity_is_counted_from_the_seats(performance):
    ids = seat_ids(performance)  # section 1: row A Normal (5 seats), row B Student (5 seats)
    held = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    sold = hold_seats(performance_id=performance.pk, seat_ids=[ids[5]])
    checkout(hold_id=sold.hold.pk, token=sold.token, idempotency_key="k", name="A", email="a@x.org")
    block_seats(performance_id=performance.pk, seat_ids=[ids[9]])
    first = {
        c.ticket_type_id: c
        for c in capacity_by_section_and_ticket_type(performance_id=performance.pk)
        if c.section_id == performance.sections.first().pk
    }
    normal, student = sorted(first)
    assert (first[normal].allocated, first[normal].available, first[normal].reserved) == (5, 3, 2)
    assert (first[student].available, first[student].sold, first[student].blocked) == (3, 1, 1)
    assert held.hold.pk


def test_hold_total_comes_from_the_section_ticket_type_prices(performance):
    from core.dbtime import db_now
    from reservations.selectors import summarize_hold

    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[0], ids[5], ids[6]])
    summary = summarize_hold(hold=held.hold, now=db_now())
    assert summary.total == Decimal("40.00")
    assert [s.price for s in summary.seats] == [
        Decimal("20.00"),
        Decimal("10.00"),
        Decimal("10.00"),
    ]


def test_a_new_hold_is_priced_by_the_database_not_by_a_cached_list(performance, settings):
    settings.SANDALI_SNAPSHOT_SECONDS = 60
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=[ids[0]])  # fills the cached list
    SectionTicketType.objects.filter(section__performance=performance).update(price=Decimal("99"))
    state = hold_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    assert [seat.price for seat in state.seats] == [Decimal("99.00")]
    assert state.total == Decimal("99.00")


def test_a_hold_made_with_the_callers_token_is_reached_with_it_and_stores_only_its_hash(
    performance,
):
    from core.tokens import hash_token
    from reservations.selectors import owned_hold

    token = "t" * 43
    held = hold_seats(
        performance_id=performance.pk, seat_ids=seat_ids(performance)[:1], token=token
    )
    assert held.token == token and held.hold.token_hash == hash_token(token)
    assert owned_hold(hold_id=held.hold.pk, token=token).pk == held.hold.pk
    with pytest.raises(ValueError):
        hold_seats(
            performance_id=performance.pk, seat_ids=seat_ids(performance)[1:2], token="short"
        )
