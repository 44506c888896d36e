"""HTTP API v1, end to end through Django's test client: every endpoint and every error path.

Every refused request must change nothing: the tests take a snapshot of the seat, hold, order
and ticket rows before it and compare after.
"""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Seat, SeatStatus
from catalog.services import block_seats
from core.dbtime import db_now
from orders.models import Order, Ticket
from reservations.models import Hold
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"


# --- helpers -------------------------------------------------------------------------------


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


# --- catalog -------------------------------------------------------------------------------


def test_events_lists_each_event_with_its_performances(client, performance):
    other = make_performance()
    response = get(client, "/events")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    events = response.json()
    assert [e["id"] for e in events] == [performance.event_id, other.event_id]
    first = events[0]
    assert first["name"] == "Test concert"
    assert first["venue"] == "Test hall"
    assert first["currency"] == "EUR"
    assert [p["id"] for p in first["performances"]] == [performance.pk]
    assert set(first["performances"][0]) == {"id", "starts_at", "sales_start", "sales_end"}


def test_events_is_an_empty_list_when_there_are_none(client, db):
    response = get(client, "/events")
    assert response.status_code == 200
    assert response.json() == []


def test_performance_shows_sections_prices_and_settings(client, performance):
    response = get(client, f"/performances/{performance.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == performance.pk
    assert body["event"]["id"] == performance.event_id
    assert body["hold_minutes"] == 10
    assert body["max_seats_per_order"] == 10
    assert [s["name"] for s in body["sections"]] == ["Section 1", "Section 2"]
    for section in body["sections"]:
        by_name = {t["name"]: t for t in section["ticket_types"]}
        assert Decimal(by_name["Normal"]["price"]) == NORMAL
        assert Decimal(by_name["Student"]["price"]) == STUDENT
        for figures in by_name.values():
            assert figures["allocated"] == 5
            assert figures["available"] == 5
            assert figures["reserved"] == figures["sold"] == figures["blocked"] == 0


def test_performance_capacity_agrees_with_seat_statuses_and_counts_expired_holds_available(
    client, performance
):
    ids = seat_ids(performance)
    # Section 1: two Normal seats held, one Normal seat sold, two Student seats in an expired
    # hold. Section 2: one Student seat blocked.
    create_hold(client, performance, ids[0:2])
    paid_order(client, performance, [ids[2]])
    expired = create_hold(client, performance, ids[5:7])
    expire_hold(Hold.objects.get(pk=expired["id"]))
    block_seats(performance_id=performance.pk, seat_ids=[ids[15]])

    body = get(client, f"/performances/{performance.pk}").json()
    figures = {
        (section["id"], t["id"]): t for section in body["sections"] for t in section["ticket_types"]
    }

    now = db_now()
    expected = {}
    for seat in Seat.objects.filter(performance=performance):
        counts = expected.setdefault(
            (seat.section_id, seat.ticket_type_id),
            {"allocated": 0, "available": 0, "reserved": 0, "sold": 0, "blocked": 0},
        )
        counts["allocated"] += 1
        live_hold = seat.status == SeatStatus.RESERVED and seat.hold_expires_at > now
        if seat.status == SeatStatus.AVAILABLE or (
            seat.status == SeatStatus.RESERVED and not live_hold
        ):
            counts["available"] += 1
        elif live_hold:
            counts["reserved"] += 1
        else:
            counts[seat.status] += 1
    assert set(figures) == set(expected)
    for key, counts in expected.items():
        shown = {name: figures[key][name] for name in counts}
        assert shown == counts, key

    section_1 = body["sections"][0]["ticket_types"]
    normal_1 = next(t for t in section_1 if t["name"] == "Normal")
    student_1 = next(t for t in section_1 if t["name"] == "Student")
    assert (normal_1["available"], normal_1["reserved"], normal_1["sold"]) == (2, 2, 1)
    # The expired hold's two seats still read "reserved" in their rows, yet count as available.
    assert (student_1["available"], student_1["reserved"]) == (5, 0)
    student_2 = next(t for t in body["sections"][1]["ticket_types"] if t["name"] == "Student")
    assert (student_2["available"], student_2["blocked"]) == (4, 1)


def test_unknown_performance_is_404_performance_not_found(client, db):
    response = get(client, "/performances/999999")
    assert_problem(response, 404, "performance_not_found")


def test_seat_map_is_compact_columns_and_one_row_per_seat(client, performance):
    response = get(client, f"/performances/{performance.pk}/seats")
    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == [
        "id",
        "section_id",
        "row",
        "number",
        "x",
        "y",
        "ticket_type_id",
        "status",
        "version",
    ]
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["seats"]]
    assert [r["id"] for r in rows] == seat_ids(performance)
    for row in rows:
        seat = Seat.objects.get(pk=row["id"])
        assert row == {
            "id": seat.pk,
            "section_id": seat.section_id,
            "row": seat.row,
            "number": seat.number,
            "x": seat.x,
            "y": seat.y,
            "ticket_type_id": seat.ticket_type_id,
            "status": "available",
            "version": seat.version,
        }


def test_seat_map_shows_effective_status_with_expired_hold_seats_available(client, performance):
    ids = seat_ids(performance)
    create_hold(client, performance, ids[0:2])
    expired = create_hold(client, performance, ids[2:4])
    expire_hold(Hold.objects.get(pk=expired["id"]))
    paid_order(client, performance, [ids[4]])

    body = get(client, f"/performances/{performance.pk}/seats").json()
    status_column = body["columns"].index("status")
    status = {row[0]: row[status_column] for row in body["seats"]}
    assert [status[i] for i in ids[0:5]] == [
        "reserved",
        "reserved",
        "available",
        "available",
        "sold",
    ]
    # The expired hold's rows still say "reserved": the map reads the effective status.
    assert set(Seat.objects.filter(id__in=ids[2:4]).values_list("status", flat=True)) == {
        "reserved"
    }


def test_seat_map_of_unknown_performance_is_404(client, db):
    assert_problem(get(client, "/performances/999999/seats"), 404, "performance_not_found")


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_api_docs_and_schema_respond(client, db, path):
    response = client.get(path)
    assert response.status_code == 200


def test_openapi_schema_lists_every_v1_route(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/events",
        "/api/v1/performances/{performance_id}",
        "/api/v1/performances/{performance_id}/seats",
        "/api/v1/performances/{performance_id}/holds",
        "/api/v1/holds/{hold_id}",
        "/api/v1/holds/{hold_id}/seats",
        "/api/v1/holds/{hold_id}/seats/{seat_id}",
        "/api/v1/holds/{hold_id}/checkout",
        "/api/v1/orders/{order_id}",
    } <= set(paths)


# --- creating a hold -----------------------------------------------------------------------


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


# --- adding seats --------------------------------------------------------------------------


def test_add_seats_to_a_hold(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0]])
    response = post(
        client, f"/holds/{hold['id']}/seats", {"seats": [ids[5], ids[6]]}, token=hold["token"]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["id"] for s in body["seats"]] == [ids[0], ids[5], ids[6]]
    assert Decimal(body["total"]) == Decimal("40.00")
    assert set(Seat.objects.filter(hold_id=hold["id"]).values_list("id", flat=True)) == {
        ids[0],
        ids[5],
        ids[6],
    }
    assert seat_rows([ids[5], ids[6]]) == {
        ids[5]: ("reserved", FRESH + 1),
        ids[6]: ("reserved", FRESH + 1),
    }


def test_add_seats_keeps_seats_the_hold_already_has(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0]])
    response = post(
        client, f"/holds/{hold['id']}/seats", {"seats": [ids[0], ids[1]]}, token=hold["token"]
    )
    assert response.status_code == 200, response.content
    assert [s["id"] for s in response.json()["seats"]] == [ids[0], ids[1]]
    assert seat_rows([ids[0]]) == {ids[0]: ("reserved", FRESH + 1)}


def test_add_seats_is_all_or_nothing_when_one_is_taken(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, [ids[0]])
    create_hold(client, performance, [ids[2]])
    before = snapshot()
    response = post(
        client,
        f"/holds/{hold['id']}/seats",
        {"seats": [ids[1], ids[2], ids[3]]},
        token=hold["token"],
    )
    assert assert_problem(response, 409, "seats_unavailable")["seats"] == [ids[2]]
    assert snapshot() == before


def test_add_seats_beyond_the_performance_limit_is_too_many_seats(client, db):
    small = make_performance(max_seats_per_order=3)
    ids = seat_ids(small)
    hold = create_hold(client, small, ids[:2])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[2:4]}, token=hold["token"])
    assert_problem(response, 422, "too_many_seats")
    assert snapshot() == before


def test_add_seats_to_an_expired_hold_is_410(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    expire_hold(Hold.objects.get(pk=hold["id"]))
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]}, token=hold["token"])
    assert_problem(response, 410, "hold_expired")
    assert snapshot() == before


def test_add_seats_to_a_paid_hold_is_409_already_checked_out(client, performance):
    ids = seat_ids(performance)
    hold, _ = paid_order(client, performance, ids[:1])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]}, token=hold["token"])
    assert_problem(response, 409, "already_checked_out")
    assert snapshot() == before


def test_add_seats_without_token_is_401(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]})
    assert_problem(response, 401, "token_required")
    assert snapshot() == before


def test_add_seats_with_a_wrong_token_is_404(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]}, token="wrong")
    assert_problem(response, 404, "hold_not_found")
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"seats": []}, 422, "invalid_seats"),
        ({"seats": [1, 1]}, 422, "invalid_seats"),
        ({"seats": [10**9]}, 422, "invalid_seats"),
        ({"seats": list(range(1, 10_001))}, 422, "too_many_seats"),
        ({"seats": ["x"]}, 422, "validation_error"),
        ({}, 422, "validation_error"),
        ('{"seats": [', 400, "malformed_json"),
    ],
    ids=["empty", "duplicate", "unknown", "huge", "wrong-type", "missing", "malformed"],
)
def test_add_seats_refuses_the_same_bad_requests_as_a_new_hold(
    client, performance, payload, status, code
):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", payload, token=hold["token"])
    assert_problem(response, status, code)
    assert snapshot() == before


def test_add_seats_is_refused_when_sales_have_closed(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    performance.sales_end = db_now() - timedelta(seconds=1)
    performance.sales_start = performance.sales_end - timedelta(days=2)
    performance.save(update_fields=["sales_start", "sales_end"])
    before = snapshot()
    response = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]}, token=hold["token"])
    assert_problem(response, 409, "sales_closed")
    assert snapshot() == before


# --- releasing -----------------------------------------------------------------------------


def test_release_one_seat_makes_it_available_and_raises_its_version(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:2])
    assert seat_rows([ids[0]]) == {ids[0]: ("reserved", FRESH + 1)}
    response = delete(client, f"/holds/{hold['id']}/seats/{ids[0]}", token=hold["token"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["id"] for s in body["seats"]] == [ids[1]]
    assert Decimal(body["total"]) == NORMAL
    assert seat_rows(ids[:2]) == {ids[0]: ("available", FRESH + 2), ids[1]: ("reserved", FRESH + 1)}
    assert Seat.objects.get(pk=ids[0]).hold_id is None


def test_release_a_seat_not_in_the_hold_is_404_seat_not_in_hold(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    create_hold(client, performance, ids[1:2])  # someone else's seat
    before = snapshot()
    for seat_id in (ids[1], ids[2], 999999):
        response = delete(client, f"/holds/{hold['id']}/seats/{seat_id}", token=hold["token"])
        assert_problem(response, 404, "seat_not_in_hold")
    assert snapshot() == before


def test_release_seat_without_token_is_401(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    before = snapshot()
    assert_problem(delete(client, f"/holds/{hold['id']}/seats/{ids[0]}"), 401, "token_required")
    assert snapshot() == before


def test_release_seat_with_a_wrong_token_is_404(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    before = snapshot()
    response = delete(client, f"/holds/{hold['id']}/seats/{ids[0]}", token="wrong")
    assert_problem(response, 404, "hold_not_found")
    assert snapshot() == before


def test_release_seat_of_an_expired_hold_is_410_and_changes_nothing(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:2])
    expire_hold(Hold.objects.get(pk=hold["id"]))
    before = snapshot()
    response = delete(client, f"/holds/{hold['id']}/seats/{ids[0]}", token=hold["token"])
    assert_problem(response, 410, "hold_expired")
    assert snapshot() == before


def test_release_hold_is_204_and_frees_every_seat(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:3])
    response = delete(client, f"/holds/{hold['id']}", token=hold["token"])
    assert response.status_code == 204
    assert response.content == b""
    assert seat_rows(ids[:3]) == {i: ("available", FRESH + 2) for i in ids[:3]}
    assert not Seat.objects.filter(hold_id=hold["id"]).exists()
    # The seats can be held again at once.
    create_hold(client, performance, ids[:3])


def test_release_hold_without_token_is_401(client, performance):
    hold = create_hold(client, performance, seat_ids(performance)[:1])
    before = snapshot()
    assert_problem(delete(client, f"/holds/{hold['id']}"), 401, "token_required")
    assert snapshot() == before


def test_release_hold_with_a_wrong_token_is_404(client, performance):
    ids = seat_ids(performance)
    hold = create_hold(client, performance, ids[:1])
    other = create_hold(client, performance, ids[1:2])
    before = snapshot()
    for hold_id, token in ((hold["id"], "wrong"), (hold["id"], other["token"]), (999999, "x")):
        assert_problem(delete(client, f"/holds/{hold_id}", token=token), 404, "hold_not_found")
    assert snapshot() == before


def test_release_paid_hold_is_409_and_keeps_the_seats_sold(client, performance):
    ids = seat_ids(performance)
    hold, _ = paid_order(client, performance, ids[:2])
    before = snapshot()
    response = delete(client, f"/holds/{hold['id']}", token=hold["token"])
    assert_problem(response, 409, "already_checked_out")
    assert snapshot() == before
    assert seat_rows(ids[:2]) == {i: ("sold", FRESH + 2) for i in ids[:2]}


# --- checkout and orders -------------------------------------------------------------------


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


# --- language ------------------------------------------------------------------------------


def _error_in(client, performance, lang, kind):
    ids = seat_ids(performance)
    if kind == "hold_not_found":
        return get(client, "/holds/999999", token="wrong", lang=lang)
    if kind == "token_required":
        return get(client, "/holds/999999", lang=lang)
    if kind == "validation_error":
        return post(client, f"/performances/{performance.pk}/holds", {"seats": ["x"]}, lang=lang)
    if kind == "too_many_seats":
        return post(client, f"/performances/{performance.pk}/holds", {"seats": ids[:11]}, lang=lang)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["hold_not_found", "token_required", "validation_error", "too_many_seats"]
)
def test_error_detail_is_in_the_requests_language(client, performance, kind):
    english = _error_in(client, performance, "en", kind)
    persian = _error_in(client, performance, "fa", kind)
    assert english.json()["code"] == persian.json()["code"] == kind
    assert english["Content-Language"] == "en"
    assert persian["Content-Language"] == "fa"
    assert persian.json()["detail"] != english.json()["detail"]
    if kind == "too_many_seats":
        assert "10" in english.json()["detail"]
