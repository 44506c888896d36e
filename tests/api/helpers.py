"""The API tests' shared helpers: requests through Django's test client, the problem+json check,
and the snapshot of rows that a refused request must leave as it was.

Every refused request must change nothing: the tests take a snapshot of the seat, hold, order
and ticket rows before it and compare after.
"""

import json
from decimal import Decimal

from catalog.models import Seat
from orders.models import Order, Ticket
from reservations.models import Hold

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"


def _headers(token=None, key=None, lang="en"):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def get(client, path, *, token=None, lang="en"):
    return client.get(API + path, **_headers(token, lang=lang))


def post(client, path, body, *, token=None, key=None, lang="en"):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        API + path, data, content_type="application/json", **_headers(token, key, lang)
    )


def delete(client, path, *, token=None, lang="en"):
    return client.delete(API + path, **_headers(token, lang=lang))


def assert_problem(response, status: int, code: str) -> dict:
    """An RFC 9457 problem with the given status and stable code; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0].strip() == PROBLEM_JSON
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"].endswith(code)
    assert body["detail"]
    assert body["title"]
    return body


def snapshot() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "seats": list(
            Seat.objects.order_by("id").values_list(
                "id", "status", "version", "hold_id", "hold_expires_at", "ticket_id"
            )
        ),
        "holds": list(Hold.objects.order_by("id").values_list("id", "expires_at", "token_hash")),
        "orders": list(Order.objects.order_by("id").values_list("id", "status", "hold_id")),
        "tickets": list(Ticket.objects.order_by("id").values_list("id", "seat_id", "valid")),
    }


def seat_rows(ids) -> dict:
    return {
        seat_id: (status, version)
        for seat_id, status, version in Seat.objects.filter(id__in=ids).values_list(
            "id", "status", "version"
        )
    }


def create_hold(client, performance, ids) -> dict:
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": list(ids)})
    assert response.status_code == 201, response.content
    return response.json()


def checkout(client, hold, *, key="key-1", token=None, **body):
    payload = {"name": "Sara Ahmadi", "email": "sara@example.org", **body}
    return post(
        client,
        f"/holds/{hold['id']}/checkout",
        payload,
        token=hold["token"] if token is None else token,
        key=key,
    )


def paid_order(client, performance, ids) -> tuple[dict, dict]:
    hold = create_hold(client, performance, ids)
    response = checkout(client, hold)
    assert response.status_code == 201, response.content
    return hold, response.json()


# In make_performance, each section's first row (5 seats) is "Normal" at 20.00 and its second
# row (5 seats) "Student" at 10.00; seat ids in id order go section by section, row by row.
NORMAL = Decimal("20.00")
# A seat's version when it has never changed; every change raises it by one.
FRESH = Seat._meta.get_field("version").default
STUDENT = Decimal("10.00")
