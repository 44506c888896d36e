from dataclasses import dataclass
from decimal import Decimal

from orders.errors import OrderNotFound
from orders.models import Order, Ticket
from sandali.tokens import token_matches


def owned_order(*, order_id: int, token: str | None) -> Order:
    order = Order.objects.select_related("performance__event").filter(pk=order_id).first()
    if order is None or not token_matches(token, order.token_hash):
        raise OrderNotFound()
    return order


@dataclass(frozen=True)
class TicketView:
    code: str
    seat_id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal
    valid: bool

    @classmethod
    def of(cls, ticket: Ticket, seat) -> "TicketView":
        """A ticket just made for a held seat (reservations.selectors.HeldSeat)."""
        return cls(
            ticket.code, seat.id, seat.section, seat.row, seat.number, seat.ticket_type,
            ticket.price, ticket.valid,
        )  # fmt: skip


def order_tickets(*, order: Order) -> list[TicketView]:
    tickets = order.tickets.select_related("seat__section", "ticket_type").order_by("seat_id")
    return [
        TicketView(
            t.code,
            t.seat_id,
            t.seat.section.name,
            t.seat.row,
            t.seat.number,
            t.ticket_type.name,
            t.price,
            t.valid,
        )  # fmt: skip
        for t in tickets
    ]
