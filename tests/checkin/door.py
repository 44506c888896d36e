"""The door's test helpers: tickets sold through the real checkout, devices made through the
service, and requests to the check-in API with a device's token."""

import json

from checkin.devices import create_device
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.models import Ticket
from orders.passes import ticket_pass
from reservations.services import hold_seats
from tests.factories import seat_ids

API = "/api/v1"


def sell(performance, count: int = 1, *, first: int = 0) -> list[Ticket]:
    """`count` tickets of the performance, bought in one order, from its `first` seat on."""
    held = hold_seats(
        performance_id=performance.pk, seat_ids=seat_ids(performance)[first : first + count]
    )
    result = checkout(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key="door",
        name="Guest",
        email="guest@example.org",
    )
    return list(Ticket.objects.filter(order=result.order).order_by("seat_id"))


def cancel(ticket: Ticket) -> None:
    """Cancel the ticket's order (every ticket in it)."""
    cancel_order(order_id=ticket.order_id)


def qr(ticket: Ticket) -> str:
    """What the ticket's QR code holds."""
    return ticket_pass(performance_id=ticket.order.performance_id, code=ticket.code)


def device(*performances, name: str = "Gate 1") -> str:
    """A device for these performances; its token."""
    return create_device(name=name, performance_ids=[p.pk for p in performances]).token


def scan(client, token: str, code: str, *, lang: str = "en", **body):
    return client.post(
        f"{API}/checkins",
        json.dumps({"code": code, **body}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def upload(client, token: str, scans: list[dict], **body):
    return client.post(
        f"{API}/checkins/batch",
        json.dumps({"scans": scans, **body}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def checkin_list(client, token: str, performance_id: int, *, etag: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(f"{API}/checkin/list", {"performance": performance_id}, **headers)
