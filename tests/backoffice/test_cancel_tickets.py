"""Cancelling some tickets of a paid order (backoffice/order_changes.py `cancel_tickets`):
their price refunded through the provider once, their seats back on sale, the rest of the
order kept; then a cancellation of the whole order refunds only what is left."""

from decimal import Decimal

import pytest

from backoffice.errors import NoTicketsChosen, TicketAlreadyUsed
from backoffice.order_changes import cancel_tickets
from catalog.models import Seat, SeatStatus
from checkin.devices import device_for_token
from checkin.services import check_in
from delivery.mail import compose_order_mail
from orders.cancellation import cancel_order
from orders.models import MailKind, Order, OrderMail, OrderStatus
from payments.models import Charge, PartialRefund
from payments.providers import RefundRefused, TestPaymentProvider
from tests.checkin.door import device, qr, sell

pytestmark = pytest.mark.django_db


def charge_of(order: Order) -> Charge:
    return Charge.objects.get(reference=order.payment_reference)


def test_cancelling_one_ticket_of_three_refunds_its_price_and_keeps_the_rest(performance):
    tickets = sell(performance, 3)
    order = tickets[0].order
    gone = tickets[1]

    (reference,) = cancel_tickets(order_id=order.pk, ticket_ids=[gone.pk], actor="desk")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    refund = PartialRefund.objects.get()
    assert (refund.reference, refund.amount) == (reference, gone.price)
    assert refund.charge == charge_of(order)
    assert list(order.tickets.filter(valid=True).values_list("pk", flat=True)) == [
        tickets[0].pk,
        tickets[2].pk,
    ]
    assert Seat.objects.get(pk=gone.seat_id).status == SeatStatus.AVAILABLE
    assert Seat.objects.get(pk=tickets[0].seat_id).status == SeatStatus.SOLD
    entry = order.history.get()
    assert (entry.change, entry.actor, entry.detail["codes"]) == (
        "tickets_cancelled",
        "desk",
        [gone.code],
    )
    mail = OrderMail.objects.get(order=order, kind=MailKind.CHANGED)
    body = compose_order_mail(mail).body
    assert tickets[0].code in body and tickets[2].code in body and gone.code not in body
    with pytest.raises(NoTicketsChosen):  # already cancelled: nothing is refunded twice
        cancel_tickets(order_id=order.pk, ticket_ids=[gone.pk], actor="desk")
    assert PartialRefund.objects.count() == 1


def test_cancelling_the_whole_order_afterwards_refunds_only_what_is_left(performance):
    tickets = sell(performance, 3)
    order = tickets[0].order
    cancel_tickets(order_id=order.pk, ticket_ids=[tickets[0].pk], actor="desk")

    cancel_order(order_id=order.pk, actor="desk")

    refunded = sum(PartialRefund.objects.values_list("amount", flat=True))
    assert refunded == order.total == charge_of(order).amount
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.refund_reference
    assert order.history.last().detail["amount"] == str(tickets[1].price + tickets[2].price)


def test_cancelling_every_remaining_ticket_cancels_the_order_and_says_so(performance):
    tickets = sell(performance, 2)
    order = tickets[0].order

    cancel_tickets(order_id=order.pk, ticket_ids=[t.pk for t in tickets], actor="desk")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_at
    assert OrderMail.objects.filter(order=order, kind=MailKind.CANCELLATION).count() == 1
    assert sum(PartialRefund.objects.values_list("amount", flat=True)) == order.total


def test_a_used_ticket_or_another_orders_ticket_is_refused_and_nothing_is_refunded(performance):
    mine, other = sell(performance, 2), sell(performance, 1, first=5)
    check_in(device=device_for_token(device(performance)), text=qr(mine[0]))

    with pytest.raises(TicketAlreadyUsed):
        cancel_tickets(order_id=mine[0].order_id, ticket_ids=[mine[0].pk], actor="desk")
    with pytest.raises(NoTicketsChosen):
        cancel_tickets(order_id=mine[0].order_id, ticket_ids=[other[0].pk], actor="desk")
    with pytest.raises(NoTicketsChosen):
        cancel_tickets(order_id=mine[0].order_id, ticket_ids=[], actor="desk")
    assert not PartialRefund.objects.exists()
    assert mine[0].order.tickets.filter(valid=True).count() == 2


def test_the_test_provider_refunds_a_part_once_per_key_and_never_more_than_the_charge(
    performance,
):
    (ticket,) = sell(performance)
    provider, reference = TestPaymentProvider(), ticket.order.payment_reference
    half = ticket.price / 2

    first = provider.refund_part(reference=reference, amount=half, currency="EUR", key="a")
    again = provider.refund_part(reference=reference, amount=half, currency="EUR", key="a")
    assert first == again and PartialRefund.objects.count() == 1
    with pytest.raises(RefundRefused):
        provider.refund_part(reference=reference, amount=half + Decimal("0.01"), currency="EUR",
                             key="b")  # fmt: skip


def test_a_ticket_is_never_refunded_twice_whatever_the_selection_a_retry_makes(performance):
    """A cancellation whose commit failed after the provider refunded (a real provider's
    ledger does not roll back) is run again by staff, with more tickets chosen this time."""
    tickets = sell(performance, 3)
    order = tickets[0].order
    from orders.cancellation import refund_tickets

    refund_tickets(order, [tickets[0]])  # the refund of the first try, whose commit failed

    cancel_tickets(order_id=order.pk, ticket_ids=[tickets[0].pk, tickets[1].pk], actor="desk")

    refunded = sorted(PartialRefund.objects.values_list("amount", flat=True))
    assert refunded == sorted([tickets[0].price, tickets[1].price])
