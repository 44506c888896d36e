from orders.errors import OrderNotFound
from orders.models import Order
from sandali.tokens import token_matches


def owned_order(*, order_id: int, token: str | None) -> Order:
    order = Order.objects.select_related("performance__event").filter(pk=order_id).first()
    if order is None or not token_matches(token, order.token_hash):
        raise OrderNotFound()
    return order


def order_tickets(*, order: Order) -> list:
    return list(order.tickets.select_related("seat__section", "ticket_type").order_by("seat_id"))
