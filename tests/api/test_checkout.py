"""HTTP API v1: checkout, idempotency, reading an order, and tokens stored only as hashes."""

import hashlib
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.queue import forget_hold_performances
from catalog.models import Seat, SeatStatus
from orders.models import Order
from reservations.models import Hold
from tests.api.helpers import (
    FRESH,
    NORMAL,
    STUDENT,
    assert_problem,
    checkout,
    create_hold,
    delete,
    get,
    paid_order,
    post,
    seat_rows,
    snapshot,
)
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db


def test_checkout_returns_201_with_an_order_of_one_ticket_per_seat(client, performance):
    ids = seat_ids(performance)
    chosen = [ids[0], ids[5], ids[6]]
    hold = create_hold(client, performance, chosen)
    response = checkout(client, hold)
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["id"]
    assert order["token"]
    assert order["token"] != hold["token"]
    assert order["status"] == "paid"
    assert order["name"] == "Sara Ahmadi"
    assert order["email"] == "sara@example.org"
    assert order["currency"] == "EUR"
    assert order["performance_id"] == performance.pk
    assert Decimal(order["total"]) == Decimal("40.00")
    tickets = order["tickets"]
    assert [t["seat"]["id"] for t in tickets] == chosen
    assert [Decimal(t["price"]) for t in tickets] == [NORMAL, STUDENT, STUDENT]
    assert [t["ticket_type"] for t in tickets] == ["Normal", "Student", "Student"]
    assert all(t["valid"] for t in tickets)
    codes = [t["code"] for t in tickets]
    assert len(set(codes)) == len(codes) == 3
    assert all(codes)
    db_order = Order.objects.get(pk=order["id"])
    assert db_order.hold_id == hold["id"]
    assert sorted(db_order.tickets.values_list("code", flat=True)) == sorted(codes)
    assert seat_rows(chosen) == {i: ("sold", FRESH + 2) for i in chosen}
    assert set(Seat.objects.filter(id__in=chosen).values_list("hold_id", flat=True)) == {None}


def test_get_order_with_its_token(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:2])
    response = get(client, f"/orders/{order['id']}", token=order["token"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert "token" not in body
    assert {k: v for k, v in order.items() if k != "token"} == body


def test_get_order_without_token_is_401(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:1])
    response = get(client, f"/orders/{order['id']}")
    assert_problem(response, 401, "token_required")


def test_get_order_with_the_hold_token_is_404(client, performance):
    hold, order = paid_order(client, performance, seat_ids(performance)[:1])
    response = get(client, f"/orders/{order['id']}", token=hold["token"])
    assert_problem(response, 404, "order_not_found")


def test_get_order_with_a_wrong_token_is_404_like_an_unknown_order(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:1])
    wrong = get(client, f"/orders/{order['id']}", token="wrong")
    unknown = get(client, "/orders/999999", token="wrong")
    assert_problem(wrong, 404, "order_not_found")
    assert wrong.json() == unknown.json()


def test_repeated_checkout_with_the_same_key_returns_the_same_order_and_token(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:2])
    first = checkout(client, hold, key="same-key")
    assert first.status_code == 201
    before = snapshot()
    again = checkout(client, hold, key="same-key")
    assert again.status_code in (200, 201), again.content
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["token"] == first.json()["token"]
    assert again.json()["tickets"] == first.json()["tickets"]
    assert snapshot() == before
    assert Order.objects.count() == 1
    assert (
        get(client, f"/orders/{first.json()['id']}", token=again.json()["token"]).status_code == 200
    )


def test_repeated_checkout_returns_a_response_identical_to_the_first(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0], ids[5]])
    first = checkout(client, hold, key="same-key")
    again = checkout(client, hold, key="same-key")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_checkout_with_another_key_after_payment_is_409_already_checked_out(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    assert checkout(client, hold, key="first").status_code == 201
    before = snapshot()
    assert_problem(checkout(client, hold, key="second"), 409, "already_checked_out")
    assert snapshot() == before


@pytest.mark.parametrize("key", [None, "", "k" * 201], ids=["missing", "empty", "too-long"])
def test_checkout_without_a_usable_idempotency_key_is_422(client, performance, key):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    response = post(
        client,
        f"/holds/{hold['id']}/checkout",
        {"name": "A", "email": "a@example.org"},
        token=hold["token"],
        key=key,
    )
    assert_problem(response, 422, "idempotency_key_required")
    assert snapshot() == before


def test_checkout_of_an_expired_hold_is_410_and_sells_nothing(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:2])
    expire_hold(Hold.objects.get(pk=hold["id"]))
    before = snapshot()
    assert_problem(checkout(client, hold), 410, "hold_expired")
    assert snapshot() == before
    assert not Order.objects.exists()
    assert not Seat.objects.filter(status=SeatStatus.SOLD).exists()


def test_declined_payment_is_402_and_the_seats_stay_held(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:2])
    before = snapshot()
    response = checkout(client, hold, payment_token="decline")
    assert_problem(response, 402, "payment_declined")
    assert snapshot() == before
    assert seat_rows(ids[:2]) == {i: ("reserved", FRESH + 1) for i in ids[:2]}
    # The buyer may try again, with the same key, and pay.
    retry = checkout(client, hold)
    assert retry.status_code == 201, retry.content


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "email": "not-an-email"},
        {"name": "A", "email": ""},
        {"name": "A"},
        {"email": "a@example.org"},
        {"name": "", "email": "a@example.org"},
        {"name": "A" * 201, "email": "a@example.org"},
        {"name": "A", "email": "a@example.org", "phone": "1" * 41},
        {"name": 5, "email": "a@example.org"},
    ],
    ids=[
        "bad-email",
        "empty-email",
        "no-email",
        "no-name",
        "empty-name",
        "long-name",
        "long-phone",
        "name-not-string",
    ],
)
def test_checkout_with_invalid_buyer_details_is_422_validation_error(client, performance, body):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/checkout", body, token=hold["token"], key="k")
    assert_problem(response, 422, "validation_error")
    assert snapshot() == before


def test_checkout_with_malformed_json_is_400(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    response = post(
        client, f"/holds/{hold['id']}/checkout", '{"name": "A",', token=hold["token"], key="k"
    )
    assert_problem(response, 400, "malformed_json")
    assert snapshot() == before


def test_checkout_without_token_is_401(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    response = post(
        client, f"/holds/{hold['id']}/checkout", {"name": "A", "email": "a@example.org"}, key="k"
    )
    assert_problem(response, 401, "token_required")
    assert snapshot() == before


def test_checkout_with_a_wrong_token_is_404(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    other = create_hold(client, performance, ids[1:2])
    before = snapshot()
    assert_problem(checkout(client, hold, token="wrong"), 404, "hold_not_found")
    assert_problem(checkout(client, hold, token=other["token"]), 404, "hold_not_found")
    assert snapshot() == before


def test_checkout_of_a_hold_with_no_seats_is_422_hold_empty(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    delete(client, f"/holds/{hold['id']}/seats/{ids[0]}", token=hold["token"])
    before = snapshot()
    assert_problem(checkout(client, hold), 422, "hold_empty")
    assert snapshot() == before


# --- tokens --------------------------------------------------------------------------------


def _stored_values(model, pk) -> list[str]:
    row = model.objects.filter(pk=pk).values().get()
    return [str(value) for value in row.values()]


def test_tokens_are_stored_only_as_hashes(client, performance):
    hold, order = paid_order(client, performance, seat_ids(performance)[:2])
    hold_values = _stored_values(Hold, hold["id"])
    order_values = _stored_values(Order, order["id"])
    for token in (hold["token"], order["token"]):
        for value in hold_values + order_values:
            assert token not in value
    assert Hold.objects.get(pk=hold["id"]).token_hash == (
        hashlib.sha256(hold["token"].encode()).hexdigest()
    )
    assert Order.objects.get(pk=order["id"]).token_hash == (
        hashlib.sha256(order["token"].encode()).hexdigest()
    )


def test_a_checkout_in_the_process_that_made_its_hold_asks_nothing_about_the_hold_first(
    client, performance
):
    hold = create_hold(client, performance, seat_ids(performance)[:2])
    with CaptureQueriesContext(connection) as sent:
        assert checkout(client, hold).status_code == 201
    # The waiting room's gate needs the hold's performance: the hold's own request told it.
    assert not [
        q["sql"] for q in sent if "SELECT performance_id FROM reservations_hold" in q["sql"]
    ]


def test_with_no_checkout_rate_the_gate_does_not_look_up_the_room(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "checkouts": ""}
    hold = create_hold(client, performance, seat_ids(performance)[:2])
    forget_hold_performances()  # as if the hold had been made by another process
    with mock.patch("reservations.waiting_room.room_on") as room_on:
        assert checkout(client, hold).status_code == 201
    room_on.assert_not_called()
