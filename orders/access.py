"""Links that open an order's tickets on any device: the one in every e-mail of the order.

A link's secret travels in the URL's fragment (`/orders/open#<secret>`), which browsers never
send to a server, so no access log, proxy or Referer ever sees it; the page posts it at once,
the server checks it here and grants the browser's session that order (web/session.py), and
the address bar is left without it. Only the secret's SHA-256 is stored. A link opens the
tickets' page and PDF and nothing else: it is not the order's API token. The organizer revokes
every link of an order at once (the admin), and then a link that was forwarded opens nothing.
"""

from django.db import transaction

from core.dbtime import DbNow
from core.limits import RateLimited, check_rate
from core.tokens import hash_token, new_token
from orders.errors import OrderNotFound
from orders.history import record_change
from orders.models import MailKind, Order, OrderAccessLink, OrderChange, OrderStatus
from orders.outbox import record_mail


def issue_access_link(*, order_id: int) -> str:
    """A new link secret for the order (the caller puts it in a URL's fragment)."""
    secret = new_token()
    OrderAccessLink.objects.create(
        order_id=order_id, token_hash=hash_token(secret), created_at=DbNow()
    )
    return secret


def open_access_link(*, secret: str) -> tuple[int, int]:
    """(order id, link id) that a link secret opens; OrderNotFound if none or revoked."""
    if not secret or len(secret) > 200:
        raise OrderNotFound()
    link = (
        OrderAccessLink.objects.filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .values_list("pk", "order_id")
        .first()
    )
    if link is None:
        raise OrderNotFound()
    link_id, order_id = link
    OrderAccessLink.objects.filter(pk=link_id).update(last_opened_at=DbNow())
    return order_id, link_id


def link_is_open(*, link_id: int, order_id: int) -> bool:
    """Whether a link a session was granted by still opens this order (not revoked since)."""
    return OrderAccessLink.objects.filter(
        pk=link_id, order_id=order_id, revoked_at__isnull=True
    ).exists()


def revoke_access_links(*, order_id: int, actor: str = "") -> int:
    """Revoke every link of the order (staff `actor`, noted in the order's history); returns
    how many were still open."""
    with transaction.atomic():
        links = OrderAccessLink.objects.filter(order_id=order_id, revoked_at__isnull=True)
        revoked = links.update(revoked_at=DbNow())
        if revoked:
            record_change(
                order_id=order_id, change=OrderChange.LINKS_REVOKED, actor=actor, count=revoked
            )
    return revoked


def resend_tickets(*, order_id: int, actor: str) -> bool:
    """Staff send a paid order's tickets again (with a new link) to its own address, noted in
    the order's history; a cancelled order has none to send (False)."""
    with transaction.atomic():
        if not Order.objects.filter(pk=order_id, status=OrderStatus.PAID).exists():
            return False
        record_mail(order_id=order_id, kind=MailKind.RESEND)
        record_change(order_id=order_id, change=OrderChange.TICKETS_RESENT, actor=actor)
    return True


def send_tickets_again(*, email: str, order_id: int) -> bool:
    """A buyer who lost the mail: send the paid order's tickets again (with a new link) to the
    order's own address, if `email` is that address. Whether it did is for tests and logs
    only: the caller answers the same either way, so nobody learns which addresses have
    orders. An order is sent again a few times an hour at most (SANDALI_RATE_LIMITS
    "ticket_requests_per_order"), so the form cannot flood a buyer's inbox."""
    address = (
        Order.objects.filter(pk=order_id, status=OrderStatus.PAID)
        .values_list("email", flat=True)
        .first()
    )
    if address is None or address.strip().casefold() != email.strip().casefold():
        return False
    try:
        check_rate("ticket_requests_per_order", str(order_id))
    except RateLimited:
        return False
    record_mail(order_id=order_id, kind=MailKind.RESEND)
    return True
