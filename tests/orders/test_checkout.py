import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Seat, SeatStatus
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.errors import IdempotencyKeyRequired, OrderNotCancellable, PaymentDeclined
from orders.models import Order, OrderStatus, Ticket
from orders.selectors import owned_order
from reservations.errors import AlreadyCheckedOut, HoldEmpty, HoldExpired
from reservations.services import hold_seats, release_hold
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db


def pay(held, key="key-1", **fields):
    fields = {"name": "Ava", "email": "ava@example.org", **fields}
    return checkout(hold_id=held.hold.pk, token=held.token, idempotency_key=key, **fields)


def test_checkout_sells_each_seat_with_one_ticket_and_the_price_total(performance):
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[0], ids[5]])
    result = pay(held)
    order = result.order
    assert result.created and order.status == OrderStatus.PAID
    assert order.total == Decimal("30.00")
    tickets = list(order.tickets.order_by("seat_id"))
    assert [t.seat_id for t in tickets] == [ids[0], ids[5]]
    assert [t.price for t in tickets] == [Decimal("20.00"), Decimal("10.00")]
    assert len({t.code for t in tickets}) == 2 and all(len(t.code) >= 16 for t in tickets)
    for seat in Seat.objects.filter(id__in=[ids[0], ids[5]]):
        assert seat.status == SeatStatus.SOLD and seat.ticket.order_id == order.pk
        assert seat.hold_id is None
    assert owned_order(order_id=order.pk, token=result.token) == order


def test_the_same_idempotency_key_returns_the_same_order_and_token(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    first, again = pay(held), pay(held)
    assert (again.order.pk, again.token, again.created) == (first.order.pk, first.token, False)
    assert Order.objects.count() == 1 and Ticket.objects.count() == 2


def test_another_key_for_a_paid_hold_is_refused(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    pay(held, key="one")
    with pytest.raises(AlreadyCheckedOut):
        pay(held, key="two")
    assert Order.objects.count() == 1


def test_checkout_after_expiry_sells_nothing(performance):
    ids = seat_ids(performance)[:2]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    expire_hold(held.hold)
    with pytest.raises(HoldExpired):
        pay(held)
    assert not Order.objects.exists() and not Ticket.objects.exists()
    assert not Seat.objects.filter(status=SeatStatus.SOLD).exists()


def test_a_declined_payment_sells_nothing_and_keeps_the_hold(performance):
    ids = seat_ids(performance)[:2]
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    with pytest.raises(PaymentDeclined):
        pay(held, payment_token="decline")
    assert not Order.objects.exists()
    assert set(Seat.objects.filter(id__in=ids).values_list("hold_id", flat=True)) == {held.hold.pk}
    assert pay(held).created  # the same key: a new try, with a new charge


def test_an_empty_hold_cannot_be_checked_out(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    release_hold(hold_id=held.hold.pk, token=held.token)
    with pytest.raises(HoldEmpty):
        pay(held)


@pytest.mark.parametrize("key", [None, "", "k" * 201])
def test_checkout_needs_an_idempotency_key(performance, key):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    with pytest.raises(IdempotencyKeyRequired):
        pay(held, key=key)


def test_cancelling_an_order_refunds_it_and_puts_its_seats_back_on_sale(performance):
    ids = seat_ids(performance)[:2]
    order = pay(hold_seats(performance_id=performance.pk, seat_ids=ids)).order
    cancelled = cancel_order(order_id=order.pk)
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.refund_reference
    assert not order.tickets.filter(valid=True).exists()
    assert set(Seat.objects.filter(id__in=ids).values_list("status", flat=True)) == {"available"}
    with pytest.raises(OrderNotCancellable):
        cancel_order(order_id=order.pk)
    again = pay(hold_seats(performance_id=performance.pk, seat_ids=ids), key="again")
    assert again.created


def test_cancelling_locks_the_seats_in_ascending_id_order(performance, postgres_only):
    """The lock order of every service that locks seats: two services locking the same seats
    in different orders could deadlock."""
    ids = seat_ids(performance)[:3]
    order = pay(hold_seats(performance_id=performance.pk, seat_ids=ids)).order
    with CaptureQueriesContext(connection) as queries:
        cancel_order(order_id=order.pk)
    (locking,) = [
        q["sql"] for q in queries if 'FROM "catalog_seat"' in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    # Django may name the column by its place in the select list when it is selected.
    assert re.search(r'ORDER BY ("catalog_seat"\."id"|\d) ASC FOR UPDATE( OF "catalog_seat")?$',
                     locking), locking  # fmt: skip
