"""Changes staff make to a paid order. Each is one transaction, takes the same locks as the
buyer's path, writes seats only through the inventory, and is recorded in the order's
history (orders/history.py).

Lock order: the order row, then its ticket rows (a check-in of the ticket locks the same row,
so a change and a check-in of one ticket never both succeed on stale reads), then seats — the
new seat is taken with SKIP LOCKED, so staff never wait on a buyer taking it, nor a buyer on
staff.

This module sits above check-in (pyproject.toml's layers): whether a ticket was used at the
door is check-in's state, and a used ticket is never changed."""

from django.db import IntegrityError, transaction

from backoffice.errors import (
    NoTicketsChosen,
    PriceDiffers,
    SameSeat,
    SeatNotFound,
    SeatNotFree,
    TicketAlreadyUsed,
    TicketNotFound,
    TicketNotMovable,
)
from catalog import inventory
from catalog.models import Seat, SeatStatus, SectionTicketType
from checkin.models import CheckIn
from core.dbtime import db_now
from orders.cancellation import refund_tickets
from orders.history import record_change
from orders.models import MailKind, Order, OrderChange, OrderStatus, Ticket
from orders.outbox import record_mail
from orders.settlement import new_ticket_code


def seat_label(seat: Seat) -> str:
    return f"{seat.section.name} {seat.row}-{seat.number}"


def move_ticket(*, ticket_id: int, to_seat_id: int, actor: str) -> Ticket:
    """Move a ticket to another free seat of its performance at the same price, in one
    transaction: its seat is freed and the new one sold to it under a new code (the old code
    no longer opens the door), both seats' changes reach the watchers, and the buyer is sent
    the tickets again. The ticket stays one row: the order's tickets, totals and refunds are
    what they were (a moved ticket is no refund). Returns the ticket as it now is."""
    try:
        return _move_ticket(ticket_id, to_seat_id, actor)
    except IntegrityError as error:  # the seat's valid ticket was made meanwhile: it is sold
        raise SeatNotFree() from error


def _move_ticket(ticket_id: int, to_seat_id: int, actor: str) -> Ticket:
    with transaction.atomic():
        order_id = Ticket.objects.filter(pk=ticket_id).values_list("order_id", flat=True).first()
        if order_id is None:
            raise TicketNotFound()
        order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("seat__section")
            .get(pk=ticket_id)
        )
        if order.status != OrderStatus.PAID or not ticket.valid:
            raise TicketNotMovable()
        if CheckIn.objects.filter(ticket_id=ticket_id).exists():
            raise TicketAlreadyUsed()
        to_seat = _seat_at_same_price(order.performance_id, to_seat_id, ticket)
        now = db_now()
        if not Seat.objects.filter(pk=to_seat.pk).filter(inventory.free(now)).exists():
            raise SeatNotFree()
        old_code, old_seat = ticket.code, ticket.seat
        inventory.unsell(seat_ids=[old_seat.pk])
        ticket.seat, ticket.ticket_type_id, ticket.code = (
            to_seat,
            to_seat.ticket_type_id,
            new_ticket_code(),
        )
        ticket.save(update_fields=["seat", "ticket_type", "code"])
        if not inventory.sell_free(
            performance_id=order.performance_id, seat_id=to_seat.id, ticket_id=ticket.pk, now=now
        ):
            raise SeatNotFree()  # rolls back the freed seat and the ticket too
        record_change(
            order_id=order.pk,
            change=OrderChange.TICKET_MOVED,
            actor=actor,
            old_code=old_code,
            new_code=ticket.code,
            from_seat=seat_label(old_seat),
            to_seat=seat_label(to_seat),
        )
        record_mail(order_id=order.pk, kind=MailKind.CHANGED, now=now)
    return ticket


def _seat_at_same_price(performance_id: int, seat_id: int, ticket: Ticket) -> Seat:
    seat = (
        Seat.objects.select_related("section")
        .filter(pk=seat_id, performance_id=performance_id)
        .first()
    )
    if seat is None:
        raise SeatNotFound()
    if seat.pk == ticket.seat_id:
        raise SameSeat()
    price = (
        SectionTicketType.objects.filter(
            section_id=seat.section_id, ticket_type_id=seat.ticket_type_id
        )
        .values_list("price", flat=True)
        .first()
    )
    if price != ticket.price:
        raise PriceDiffers()
    return seat


def cancel_tickets(*, order_id: int, ticket_ids: list[int], actor: str) -> list[str]:
    """Cancel some valid tickets of a paid order and refund each one's price through the
    payment provider; their seats go back on sale, the buyer is sent the tickets that remain.
    Cancelling every remaining ticket cancels the order. Returns the refunds' references.

    The refunds are asked for last, once the tickets are voided and the seats freed, so that
    only the commit can fail after the money moved; each refund's key names its ticket, so
    running this again, with the same tickets or others, never refunds a ticket twice."""
    chosen = sorted(set(ticket_ids))
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
        if order.status != OrderStatus.PAID:
            raise TicketNotMovable()
        tickets = list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(order=order, pk__in=chosen, valid=True)
            .order_by("pk")
        )
        if not chosen or len(tickets) != len(chosen):
            raise NoTicketsChosen()
        if CheckIn.objects.filter(ticket_id__in=chosen).exists():
            raise TicketAlreadyUsed()
        Ticket.objects.filter(pk__in=chosen).update(valid=False)
        seats = Seat.objects.filter(pk__in=[t.seat_id for t in tickets], status=SeatStatus.SOLD)
        inventory.unsell(seat_ids=list(seats.order_by("id").select_for_update(of=("self",))
                                       .values_list("id", flat=True)))  # fmt: skip
        now = db_now()
        whole = not order.tickets.filter(valid=True).exists()
        record_change(
            order_id=order.pk,
            change=OrderChange.TICKETS_CANCELLED,
            actor=actor,
            codes=[t.code for t in tickets],
            amount=str(sum((t.price for t in tickets), start=order.total * 0)),
            currency=order.currency,
        )
        record_mail(
            order_id=order.pk, kind=MailKind.CANCELLATION if whole else MailKind.CHANGED, now=now
        )
        references = refund_tickets(order, tickets)
        if whole:
            order.status, order.cancelled_at = OrderStatus.CANCELLED, now
            order.refund_reference = references[-1]
            order.save(update_fields=["status", "cancelled_at", "refund_reference"])
    return references
