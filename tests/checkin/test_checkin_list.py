"""GET /api/v1/checkin/list: what a scanner takes offline, and its cheap refresh."""

import hashlib

import pytest

from core import signing
from tests.api.helpers import assert_problem
from tests.checkin.door import cancel, checkin_list, device, qr, scan, sell
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


def rows_of(body: dict) -> list[dict]:
    return [dict(zip(body["columns"], row, strict=True)) for row in body["tickets"]]


def test_the_list_names_tickets_by_the_hash_of_their_code_never_the_code(client, performance):
    tickets = sell(performance, 3)
    response = checkin_list(client, device(performance), performance.pk)
    assert response.status_code == 200
    text = response.content.decode()
    assert not any(ticket.code in text for ticket in tickets)
    rows = rows_of(response.json())
    assert [row["hash"] for row in rows] == [
        hashlib.sha256(ticket.code.encode()).hexdigest() for ticket in tickets
    ]
    assert rows[0] == {
        "hash": rows[0]["hash"],
        "section": "Section 1",
        "row": "A",
        "number": 1,
        "ticket_type": "Normal",
        "valid": True,
        "checked_in_at": None,
        "checked_in_by": None,
    }


def test_the_list_says_which_tickets_are_cancelled_or_already_in(client, performance):
    first, second, third = sell(performance, 3)
    token = device(performance, name="Gate 2")
    admitted = scan(client, token, qr(first)).json()
    other = sell(performance, 1, first=5)[0]
    cancel(other)
    rows = {row["hash"]: row for row in rows_of(checkin_list(client, token, performance.pk).json())}
    row_of = lambda ticket: rows[hashlib.sha256(ticket.code.encode()).hexdigest()]  # noqa: E731
    assert row_of(first)["checked_in_by"] == "Gate 2"
    assert row_of(first)["checked_in_at"].startswith(admitted["checked_in_at"][:19])
    assert row_of(second)["valid"] and row_of(second)["checked_in_at"] is None
    assert row_of(other)["valid"] is False


def test_the_list_carries_the_public_key_that_verifies_passes(client, performance):
    (ticket,) = sell(performance)
    body = checkin_list(client, device(performance), performance.pk).json()
    key = signing.from_b64url(body["public_key"])
    message, signature = qr(ticket).rsplit(":", 1)
    assert signing.verify(message.encode(), signing.from_b64url(signature), key=key)
    assert body["performance"]["id"] == performance.pk and body["device"] == "Gate 1"


def test_the_list_answers_304_until_a_ticket_is_sold_checked_in_or_cancelled(client, performance):
    (ticket,) = sell(performance)
    token = device(performance)
    first = checkin_list(client, token, performance.pk)
    etag = first["ETag"]
    assert first.json()["version"] in etag
    assert checkin_list(client, token, performance.pk, etag=etag).status_code == 304
    changes = [
        lambda: scan(client, token, qr(ticket)),
        lambda: sell(performance, 1, first=3),
        lambda: cancel(ticket),
    ]
    for change in changes:
        change()
        response = checkin_list(client, token, performance.pk, etag=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag
        etag = response["ETag"]
        assert checkin_list(client, token, performance.pk, etag=etag).status_code == 304


def test_the_list_of_a_show_the_device_does_not_serve_is_refused(client, performance):
    other = make_performance()
    response = checkin_list(client, device(performance), other.pk)
    assert_problem(response, 403, "performance_not_served")
    assert_problem(checkin_list(client, "wrong", performance.pk), 401, "device_not_recognised")
