"""Cancellation of a paid order by the organizer: refund it, void its tickets, free its seats,
tell the buyer (a mail recorded with the cancellation, orders/outbox.py) and note it in the
order's history (orders/history.py).

Lock order: the order row, then its sold seat rows (FOR UPDATE, ascending id, as every service
that locks seats takes them), so a cancellation and a hold or another cancellation never wait
on each other in a circle.
"""

from django.db import transaction

from catalog import inventory
from catalog.models import Seat, SeatStatus
from core.dbtime import db_now
from orders.errors import OrderNotCancellable
from orders.history import record_change
from orders.models import MailKind, Order, OrderChange, OrderStatus, Ticket
from orders.outbox import record_mail
from payments.providers import payment_provider

# The refund reference of an order sold at the box office desk (backoffice/box_office.py): no
# provider charged it, so none refunds it; staff give the money back at the desk.
DESK_REFUND = "desk"


def cancel_order(*, order_id: int, actor: str = "") -> Order:
    """Cancel a paid order (organizer `actor`, a username): refund it, void its tickets, free
    its seats, record the mail that tells its buyer and the change in the order's history."""
    with transaction.atomic():
        # Only the order's row: locking its performance would stop every hold meanwhile.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("performance__event")
            .get(pk=order_id)
        )
        if order.status != OrderStatus.PAID:
            raise OrderNotCancellable()
        now = db_now()
        valid_before = list(order.tickets.filter(valid=True).order_by("pk"))
        left = sum((t.price for t in valid_before), start=order.total * 0)
        _unsell_seats(order)
        order.tickets.update(valid=False)
        # Inside the transaction, unlike checkout's calls: the provider refunds a charge once
        # however often it is asked, so a cancel cut short after the refund is simply run again.
        provider = payment_provider()
        if order.desk_method:  # sold at the box office desk: the desk gives the money back
            order.refund_reference = DESK_REFUND
        elif left == order.total:
            order.refund_reference = provider.refund(
                reference=order.payment_reference, amount=order.total, currency=order.currency
            )
        else:  # staff cancelled some tickets before (backoffice/order_changes.py): the rest
            order.refund_reference = refund_tickets(order, valid_before)[-1]
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = now
        order.save(update_fields=["status", "cancelled_at", "refund_reference"])
        record_mail(order_id=order.pk, kind=MailKind.CANCELLATION, now=now)
        record_change(
            order_id=order.pk,
            change=OrderChange.CANCELLED,
            actor=actor,
            amount=str(left),
            currency=order.currency,
        )
    return order


def _unsell_seats(order: Order) -> None:
    """The order's sold seats, locked in ascending id (the order every writer of seats takes
    them in), back on sale through the inventory."""
    sold = Seat.objects.filter(ticket__order=order, status=SeatStatus.SOLD).order_by("id")
    seat_ids = list(sold.select_for_update(of=("self",)).values_list("id", flat=True))
    inventory.unsell(seat_ids=seat_ids)


def refund_tickets(order: Order, tickets: list[Ticket]) -> list[str]:
    """Refund each ticket's price of the order's charge, once per ticket however often this
    is asked (the key names the ticket): staff cancelling tickets, or the rest of an order
    some of whose tickets were refunded before. Returns the refunds' references."""
    if order.desk_method:
        return [DESK_REFUND for _ in tickets]
    provider = payment_provider()
    return [
        provider.refund_part(
            reference=order.payment_reference,
            amount=ticket.price,
            currency=order.currency,
            key=f"ticket-{ticket.pk}-refund",
        )
        for ticket in tickets
    ]
