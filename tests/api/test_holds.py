"""HTTP API v1: creating a hold and reading it with its token."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Seat
from core.dbtime import db_now
from reservations.models import Hold
from tests.api.helpers import (
    API,
    FRESH,
    NORMAL,
    STUDENT,
    assert_problem,
    create_hold,
    get,
    paid_order,
    post,
    seat_rows,
    snapshot,
)
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def test_create_hold_returns_201_with_token_expiry_seats_and_total(client, performance):
    ids = seat_ids(performance)
    chosen = [ids[0], ids[1], ids[5]]  # two Normal seats and one Student seat
    before = db_now()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": chosen})
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["token"]
    assert body["status"] == "active"
    assert body["performance_id"] == performance.pk
    assert body["currency"] == "EUR"
    assert body["order_id"] is None
    assert [s["id"] for s in body["seats"]] == chosen
    assert [Decimal(s["price"]) for s in body["seats"]] == [NORMAL, NORMAL, STUDENT]
    assert [s["ticket_type"] for s in body["seats"]] == ["Normal", "Normal", "Student"]
    assert Decimal(body["total"]) == Decimal("50.00")
    hold = Hold.objects.get(pk=body["id"])
    assert hold.expires_at - hold.created_at == timedelta(minutes=10)
    assert before <= hold.expires_at - timedelta(minutes=10) < before + timedelta(seconds=30)
    assert seat_rows(chosen) == {i: ("reserved", FRESH + 1) for i in chosen}


def test_create_hold_refuses_taken_seats_listing_them_and_holds_nothing(client, performance):
    ids = seat_ids(performance)
    create_hold(client, performance, [ids[1], ids[3]])
    before = snapshot()
    response = post(
        client, f"/performances/{performance.pk}/holds", {"seats": [ids[0], ids[1], ids[2], ids[3]]}
    )
    body = assert_problem(response, 409, "seats_unavailable")
    assert body["seats"] == [ids[1], ids[3]]
    assert snapshot() == before


def test_create_hold_refuses_sold_seats(client, performance):
    ids = seat_ids(performance)
    paid_order(client, performance, [ids[0]])
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": [ids[0], ids[1]]})
    assert assert_problem(response, 409, "seats_unavailable")["seats"] == [ids[0]]
    assert snapshot() == before


def test_create_hold_may_take_the_seats_of_an_expired_hold(client, performance):
    ids = seat_ids(performance)
    first = create_hold(client, performance, ids[:2])
    expire_hold(Hold.objects.get(pk=first["id"]))
    second = create_hold(client, performance, ids[:2])
    assert set(Seat.objects.filter(id__in=ids[:2]).values_list("hold_id", flat=True)) == {
        second["id"]
    }


def test_create_hold_refuses_more_seats_than_the_performance_allows(client, performance):
    ids = seat_ids(performance)
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": ids[:11]})
    assert_problem(response, 422, "too_many_seats")
    assert snapshot() == before


def test_create_hold_refuses_a_huge_list_of_seat_ids(client, performance):
    before = snapshot()
    response = post(
        client, f"/performances/{performance.pk}/holds", {"seats": list(range(1, 10_001))}
    )
    assert_problem(response, 422, "too_many_seats")
    assert snapshot() == before


def test_create_hold_refuses_unknown_seat_ids(client, performance):
    ids = seat_ids(performance)
    unknown = max(ids) + 1000
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": [ids[0], unknown]})
    assert assert_problem(response, 422, "invalid_seats")["seats"] == [unknown]
    assert snapshot() == before


def test_create_hold_refuses_seats_of_another_performance(client, performance):
    other = make_performance()
    foreign = seat_ids(other)[0]
    before = snapshot()
    response = post(
        client,
        f"/performances/{performance.pk}/holds",
        {"seats": [seat_ids(performance)[0], foreign]},
    )
    assert assert_problem(response, 422, "invalid_seats")["seats"] == [foreign]
    assert snapshot() == before


def test_create_hold_refuses_duplicate_seat_ids(client, performance):
    ids = seat_ids(performance)
    before = snapshot()
    response = post(
        client, f"/performances/{performance.pk}/holds", {"seats": [ids[0], ids[1], ids[0]]}
    )
    assert assert_problem(response, 422, "invalid_seats")["seats"] == [ids[0]]
    assert snapshot() == before


def test_create_hold_refuses_an_empty_list(client, performance):
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": []})
    assert_problem(response, 422, "invalid_seats")
    assert snapshot() == before


@pytest.mark.parametrize(
    "bad_id",
    ["x", "1", 1.5, True, None, -1, 0, 2**63, [1], {"id": 1}],
    ids=[
        "string",
        "numeric-string",
        "float",
        "bool",
        "null",
        "negative",
        "zero",
        "2**63",
        "list",
        "object",
    ],
)
def test_create_hold_rejects_seat_ids_that_are_not_positive_integers(client, performance, bad_id):
    before = snapshot()
    response = post(
        client,
        f"/performances/{performance.pk}/holds",
        {"seats": [seat_ids(performance)[0], bad_id]},
    )
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"]
    assert all(error["loc"][-2:] == ["seats", 1] for error in body["errors"])
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload",
    [{}, {"seat": [1]}, {"seats": 5}, {"seats": "1,2"}, {"seats": None}, [1, 2]],
    ids=["empty-object", "misspelt", "number", "string", "null", "bare-list"],
)
def test_create_hold_rejects_a_body_without_a_list_of_seats(client, performance, payload):
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", payload)
    assert_problem(response, 422, "validation_error")
    assert snapshot() == before


def test_create_hold_rejects_an_empty_body(client, performance):
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", "")
    assert_problem(response, 422, "validation_error")
    assert snapshot() == before


@pytest.mark.parametrize("raw", ['{"seats": [1, 2', "seats=1", "{'seats': [1]}", "\xff"])
def test_create_hold_rejects_malformed_json(client, performance, raw):
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", raw)
    assert_problem(response, 400, "malformed_json")
    assert snapshot() == before


def test_create_hold_is_refused_when_sales_are_closed(client, db):
    closed = make_performance(sales_open=False)
    before = snapshot()
    response = post(client, f"/performances/{closed.pk}/holds", {"seats": seat_ids(closed)[:1]})
    assert_problem(response, 409, "sales_closed")
    assert snapshot() == before


def test_create_hold_for_an_unknown_performance_is_404(client, performance):
    before = snapshot()
    response = post(client, "/performances/999999/holds", {"seats": seat_ids(performance)[:1]})
    assert_problem(response, 404, "performance_not_found")
    assert snapshot() == before


# --- reading a hold ------------------------------------------------------------------------


def test_get_hold_with_its_bearer_token(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0], ids[5]])
    response = get(client, f"/holds/{hold['id']}", token=hold["token"])
    assert response.status_code == 200
    body = response.json()
    assert "token" not in body
    assert body["id"] == hold["id"]
    assert body["status"] == "active"
    assert [s["id"] for s in body["seats"]] == [ids[0], ids[5]]
    assert Decimal(body["total"]) == Decimal("30.00")
    assert body["expires_at"] == hold["expires_at"]


def test_hold_prices_are_rendered_like_the_performance_prices(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0], ids[5]])
    prices = {
        t["name"]: t["price"]
        for t in get(client, f"/performances/{performance.pk}").json()["sections"][0][
            "ticket_types"
        ]
    }
    assert prices == {"Normal": "20.00", "Student": "10.00"}
    assert [s["price"] for s in hold["seats"]] == [prices["Normal"], prices["Student"]]
    assert hold["total"] == "30.00"
    again = get(client, f"/holds/{hold['id']}", token=hold["token"]).json()
    assert [s["price"] for s in again["seats"]] == ["20.00", "10.00"]
    assert again["total"] == "30.00"


def test_get_hold_without_token_is_401_token_required(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    response = get(client, f"/holds/{hold['id']}")
    assert_problem(response, 401, "token_required")
    assert response["WWW-Authenticate"] == "Bearer"


def test_get_hold_with_another_auth_scheme_is_401(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    response = client.get(f"{API}/holds/{hold['id']}", HTTP_AUTHORIZATION=f"Token {hold['token']}")
    assert_problem(response, 401, "token_required")


def test_get_hold_with_a_wrong_token_is_404_like_an_unknown_hold(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    wrong = get(client, f"/holds/{hold['id']}", token="not-the-token")
    unknown = get(client, "/holds/999999", token="not-the-token")
    assert_problem(wrong, 404, "hold_not_found")
    assert_problem(unknown, 404, "hold_not_found")
    assert wrong.json() == unknown.json()


def test_get_hold_with_another_holds_token_is_404(client, performance):
    ids = seat_ids(performance)
    mine = create_hold(client, performance, ids[:1])
    theirs = create_hold(client, performance, ids[1:2])
    response = get(client, f"/holds/{mine['id']}", token=theirs["token"])
    assert_problem(response, 404, "hold_not_found")
    assert response.json() == get(client, "/holds/999999", token=theirs["token"]).json()


def test_get_expired_hold_is_410_hold_expired(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:2])
    expire_hold(Hold.objects.get(pk=hold["id"]))
    response = get(client, f"/holds/{hold['id']}", token=hold["token"])
    assert_problem(response, 410, "hold_expired")


def test_get_checked_out_hold_says_so_and_names_its_order(client, performance):
    hold, order = paid_order(client, performance, seat_ids(performance)[:1])
    body = get(client, f"/holds/{hold['id']}", token=hold["token"]).json()
    assert body["status"] == "checked_out"
    assert body["order_id"] == order["id"]
