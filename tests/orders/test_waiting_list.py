"""The waiting list (orders/waiting_list.py, reservations/waiting_list.py): joining only what
is sold out, one entry per address, freed seats kept from the public and offered in order
through a hold of their own, offers that pass on when they expire or are declined, and the
organizer's counts. On SQLite and PostgreSQL alike."""

import pytest

from catalog.errors import NotEnoughSeats, SeatsUnavailable
from catalog.models import Seat, SeatStatus
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.models import MailKind, OrderMail
from orders.waiting_list import (
    decline_offer,
    join_waiting_list,
    offer_hold_token,
    offer_secret,
    open_offer,
    remove_entry,
    serve_all,
    waiting_counts,
)
from orders.waiting_list_errors import (
    AlreadyOffered,
    NotSoldOut,
    OfferExpired,
    OfferNotFound,
    WaitingEmailInvalid,
    WaitingQuantityOutOfRange,
)
from reservations.best_holds import hold_best_available
from reservations.models import Hold, WaitingEntry, WaitingStatus
from reservations.services import hold_seats, release_hold
from tests.factories import expire_hold, make_order, make_performance, seat_ids
from web.session import hold_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    """Four seats, one row, all Normal (Student is priced but has no seats: sold out)."""
    return make_performance(sections=1, rows=1, seats_per_row=4, max_seats_per_order=4)


def sold_out(hall):
    return make_order(hall, seats=4).order


def join(hall, email="ava@example.org", quantity=2, **kind):
    return join_waiting_list(performance_id=hall.pk, email=email, quantity=quantity, **kind)


def entry(joined) -> WaitingEntry:
    return WaitingEntry.objects.get(pk=joined.entry_id)


def secret_of(joined) -> str:
    return offer_secret(entry(joined).offer_seed)


def seats_of(hold_id) -> set[int]:
    return set(Seat.objects.filter(hold_id=hold_id).values_list("id", flat=True))


def test_joining_is_refused_while_seats_of_that_kind_are_on_sale(hall):
    with pytest.raises(NotSoldOut):
        join(hall)
    normal = hall.seats.first()
    with pytest.raises(NotSoldOut):
        join(hall, section_id=normal.section_id, ticket_type_id=normal.ticket_type_id)
    student = hall.event.ticket_types.get(name="Student")
    joined = join(hall, section_id=normal.section_id, ticket_type_id=student.pk)  # no seats
    assert entry(joined).ticket_type_id == student.pk


def test_joining_checks_the_quantity_and_the_address(hall):
    sold_out(hall)
    for quantity in (0, 5, -1):
        with pytest.raises(WaitingQuantityOutOfRange) as refused:
            join(hall, quantity=quantity)
        assert refused.value.code == "waiting_list_quantity"
    with pytest.raises(WaitingEmailInvalid):
        join(hall, email="not an address")


def test_joining_twice_with_the_same_address_updates_the_entry_and_keeps_its_place(hall):
    sold_out(hall)
    first = join(hall, email="Ava@Example.org", quantity=1)
    join(hall, email="bo@example.org")
    again = join_waiting_list(
        performance_id=hall.pk, email="ava@example.ORG", quantity=3, language="en"
    )
    assert (again.entry_id, again.created, again.position) == (first.entry_id, False, 1)
    assert WaitingEntry.objects.count() == 2
    assert (entry(first).quantity, entry(first).language) == (3, "en")


def test_freed_seats_are_kept_from_the_public_and_offered_to_the_first_in_order(hall):
    order = sold_out(hall)
    first = join(hall, email="first@example.org", quantity=3)
    second = join(hall, email="second@example.org", quantity=2)
    cancel_order(order_id=order.pk)  # four seats free again
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=hall.pk, seat_ids=seat_ids(hall)[:1])
    with pytest.raises(NotEnoughSeats):  # best available passes over them too
        hold_best_available(performance_id=hall.pk, quantity=1)
    run = serve_all()
    assert (run.offered, run.seats) == (2, 4)
    one, two = entry(first), entry(second)
    assert (one.status, one.offered_seats, two.status, two.offered_seats) == (
        WaitingStatus.OFFERED, 3, WaitingStatus.OFFERED, 1,  # the second gets what is left
    )  # fmt: skip
    assert seats_of(one.hold_id) | seats_of(two.hold_id) == set(seat_ids(hall))
    assert Hold.objects.get(pk=one.hold_id).client_key == ""  # counts against no client's cap
    mails = OrderMail.objects.filter(kind=MailKind.WAITING_OFFER)
    assert sorted(mails.values_list("waiting_entry_id", flat=True)) == [one.pk, two.pk]


def test_seats_of_an_expired_hold_go_to_the_list_before_any_sweep(hall):
    buyer = hold_seats(performance_id=hall.pk, seat_ids=seat_ids(hall))
    joined = join(hall, quantity=2)
    expire_hold(buyer.hold)  # lazily free: no sweeper has run
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=hall.pk, seat_ids=seat_ids(hall)[:1])
    serve_all()
    offered = entry(joined)
    assert offered.status == WaitingStatus.OFFERED
    assert seats_of(offered.hold_id) == set(seat_ids(hall)[:2])
    # Nobody waits any more: the two seats left are the public's.
    assert hold_seats(performance_id=hall.pk, seat_ids=seat_ids(hall)[2:]).seats


def test_an_unanswered_offer_expires_and_its_seats_pass_to_the_next(hall):
    order = sold_out(hall)
    first, second = join(hall, email="a@example.org"), join(hall, email="b@example.org")
    cancel_order(order_id=order.pk)
    serve_all()
    third = join(hall, email="c@example.org")  # every seat is offered: sold out again
    # Both got two; the first lets its offer run out.
    expire_hold(Hold.objects.get(pk=entry(first).hold_id))
    taken_back = seats_of(entry(first).hold_id)
    with pytest.raises(OfferExpired):
        open_offer(secret=secret_of(first))
    run = serve_all()
    assert run.closed == 1 and entry(first).status == WaitingStatus.EXPIRED
    assert entry(third).status == WaitingStatus.OFFERED
    assert seats_of(entry(third).hold_id) == taken_back
    assert entry(second).status == WaitingStatus.OFFERED


def test_a_declined_offer_passes_to_the_next_at_once(hall, django_capture_on_commit_callbacks):
    order = sold_out(hall)
    first = join(hall, email="a@example.org", quantity=4)
    second = join(hall, email="b@example.org", quantity=4)
    cancel_order(order_id=order.pk)
    serve_all()
    assert entry(second).status == WaitingStatus.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        decline_offer(secret=secret_of(first))
    assert entry(first).status == WaitingStatus.DECLINED
    assert entry(second).status == WaitingStatus.OFFERED  # no periodic run needed
    assert seats_of(entry(second).hold_id) == set(seat_ids(hall))
    with pytest.raises(OfferNotFound):
        open_offer(secret=secret_of(first))


def test_a_bought_offer_leaves_the_list_and_the_counts_say_so(hall):
    order = sold_out(hall)
    buyer = join(hall, email="a@example.org", quantity=2)
    join(hall, email="b@example.org", quantity=1)
    join(hall, email="c@example.org", quantity=3)
    assert waiting_counts(performance_id=hall.pk).seats_wanted == 6
    cancel_order(order_id=order.pk)
    serve_all()
    offer = open_offer(secret=secret_of(buyer))
    with pytest.raises(AlreadyOffered):
        join(hall, email="A@example.org")
    checkout(hold_id=offer.hold_id, token=offer_hold_token(offer.secret), idempotency_key="w",
             name="Ava", email="a@example.org")  # fmt: skip
    serve_all()
    assert entry(buyer).status == WaitingStatus.BOUGHT
    counts = waiting_counts(performance_id=hall.pk)
    assert (counts.waiting, counts.seats_wanted, counts.offers_out, counts.offers_taken) == (
        0, 0, 2, 1,  # b has its one seat offered, c the one left of its three
    )  # fmt: skip
    assert Seat.objects.filter(status=SeatStatus.SOLD).count() == 2


def test_staff_removing_an_offered_entry_release_its_seats_to_the_next(
    hall, django_capture_on_commit_callbacks
):
    order = sold_out(hall)
    first = join(hall, email="a@example.org", quantity=4)
    second = join(hall, email="b@example.org", quantity=4)
    cancel_order(order_id=order.pk)
    serve_all()
    with django_capture_on_commit_callbacks(execute=True):
        assert remove_entry(entry_id=first.entry_id)
    assert not remove_entry(entry_id=first.entry_id)
    assert entry(first).status == WaitingStatus.REMOVED
    assert entry(second).status == WaitingStatus.OFFERED


def test_a_buyer_releasing_an_offer_hold_gives_the_seats_to_the_list_not_the_public(hall):
    order = sold_out(hall)
    first = join(hall, email="a@example.org", quantity=4)
    join(hall, email="b@example.org", quantity=4)
    cancel_order(order_id=order.pk)
    serve_all()
    offer = open_offer(secret=secret_of(first))
    release_hold(hold_id=offer.hold_id, token=offer_hold_token(offer.secret))
    with pytest.raises(SeatsUnavailable):  # the second still waits for them
        hold_seats(performance_id=hall.pk, seat_ids=seat_ids(hall)[:1])


def test_the_offer_hold_token_is_the_pages_hold_token_of_the_secret():
    assert offer_hold_token("a secret") == hold_token("a secret")


def test_a_performance_nobody_waits_for_sells_as_before():
    performance = make_performance()
    assert hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2]).seats


def test_wheelchair_spaces_and_companion_seats_are_neither_offered_nor_kept():
    from tests.accessible import accessible_performance, seat_id

    hall = accessible_performance(max_seats_per_order=20)
    ids = list(hall.seats.order_by("id").values_list("id", flat=True))
    held = hold_seats(performance_id=hall.pk, seat_ids=ids[:20])
    rest = hold_seats(performance_id=hall.pk, seat_ids=ids[20:])
    join(hall, quantity=20)
    expire_hold(held.hold)
    expire_hold(rest.hold)
    space, companion = seat_id(hall, "A-3"), seat_id(hall, "A-2")
    serve_all()
    offered = seats_of(WaitingEntry.objects.get().hold_id)
    assert len(offered) == 19  # 24 seats, less 2 wheelchair spaces and 3 companion seats
    assert not {space, companion, seat_id(hall, "A-7")} & offered
    # The public holds a wheelchair space, with its companions, while the entry waits on.
    assert {s.id for s in hold_seats(performance_id=hall.pk, seat_ids=[space]).seats} == {
        space, companion, seat_id(hall, "A-4"),
    }  # fmt: skip


def test_staff_removing_an_offer_bought_before_the_next_run_leaves_it_bought(hall):
    """Bought between two offer runs, the entry is still OFFERED on the list: removing it then
    must neither fail (its hold is checked out) nor call the sale a removal."""
    order = sold_out(hall)
    buyer = join(hall, email="a@example.org", quantity=2)
    cancel_order(order_id=order.pk)
    serve_all()
    offer = open_offer(secret=secret_of(buyer))
    checkout(hold_id=offer.hold_id, token=offer_hold_token(offer.secret), idempotency_key="w",
             name="Ava", email="a@example.org")  # fmt: skip
    assert entry(buyer).status == WaitingStatus.OFFERED  # no run has closed it yet
    assert remove_entry(entry_id=buyer.entry_id)
    assert entry(buyer).status == WaitingStatus.BOUGHT
    assert Seat.objects.filter(status=SeatStatus.SOLD).count() == 2
