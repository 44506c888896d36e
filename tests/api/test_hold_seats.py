"""HTTP API v1: adding seats to a hold, releasing one seat or the whole hold."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Seat
from core.dbtime import db_now
from reservations.models import Hold
from tests.api.helpers import (
    FRESH,
    NORMAL,
    assert_problem,
    create_hold,
    delete,
    paid_order,
    post,
    seat_rows,
    snapshot,
)
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


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
