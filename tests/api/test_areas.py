"""HTTP API v1: places of standing areas, held by quantity, alone or with seats."""

from decimal import Decimal

import pytest

from tests.api.helpers import assert_problem, delete, get, post, snapshot
from tests.factories import make_standing_area, seat_ids

pytestmark = pytest.mark.django_db


def new_hold(client, performance, **body):
    return post(client, f"/performances/{performance.pk}/holds", body)


def test_a_hold_of_places_and_seats_lists_both_and_counts_the_places_by_area(client, performance):
    area = make_standing_area(performance, capacity=50)
    ids = seat_ids(performance)[:1]
    response = new_hold(client, performance, seats=ids, areas=[{"area": area.pk, "quantity": 3}])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["areas"] == [{"area": area.pk, "name": "Floor", "quantity": 3}]
    assert [seat["standing"] for seat in body["seats"]] == [False, True, True, True]
    assert {seat["row"] for seat in body["seats"][1:]} == {""}
    assert Decimal(body["total"]) == Decimal("20.00") + 3 * Decimal("15.00")


def test_places_are_added_and_given_back_by_quantity(client, performance):
    area = make_standing_area(performance, capacity=50)
    body = new_hold(client, performance, areas=[{"area": area.pk, "quantity": 1}]).json()
    hold, token = body["id"], body["token"]
    added = post(
        client, f"/holds/{hold}/seats", {"areas": [{"area": area.pk, "quantity": 2}]}, token=token
    )
    assert added.status_code == 200, added.content
    assert added.json()["areas"][0]["quantity"] == 3
    fewer = delete(client, f"/holds/{hold}/areas/{area.pk}?quantity=2", token=token)
    assert fewer.status_code == 200 and fewer.json()["areas"][0]["quantity"] == 1
    place = fewer.json()["seats"][0]["id"]
    gone = delete(client, f"/holds/{hold}/seats/{place}", token=token)  # a place is a seat
    assert gone.status_code == 200 and gone.json()["areas"] == []
    assert_problem(
        delete(client, f"/holds/{hold}/areas/{area.pk}", token=token), 404, "seat_not_in_hold"
    )


def test_too_few_places_is_409_with_the_area_and_how_many_are_left(client, performance):
    area = make_standing_area(performance, capacity=4)
    new_hold(client, performance, areas=[{"area": area.pk, "quantity": 3}])
    before = snapshot()
    response = new_hold(
        client,
        performance,
        seats=seat_ids(performance)[:1],
        areas=[{"area": area.pk, "quantity": 2}],
    )
    body = assert_problem(response, 409, "not_enough_places")
    assert (body["area"], body["name"], body["left"]) == (area.pk, "Floor", 1)
    assert "Only 1 places are left in Floor" in body["detail"]
    assert snapshot() == before  # the seat was not held either


@pytest.mark.parametrize("what", ["seated section", "unknown id", "named twice"])
def test_what_is_not_an_area_of_this_performance_is_422(client, performance, what):
    area = make_standing_area(performance)
    asked = {
        "seated section": [{"area": performance.sections.first().pk, "quantity": 1}],
        "unknown id": [{"area": 10**9, "quantity": 1}],
        "named twice": [{"area": area.pk, "quantity": 1}, {"area": area.pk, "quantity": 2}],
    }[what]
    before = snapshot()
    assert_problem(new_hold(client, performance, areas=asked), 422, "unknown_area")
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, 101])
def test_a_quantity_that_is_no_number_of_places_is_422(client, performance, quantity):
    area = make_standing_area(performance)
    response = new_hold(client, performance, areas=[{"area": area.pk, "quantity": quantity}])
    assert response.status_code == 422


def test_best_available_cannot_come_with_areas(client, performance):
    area = make_standing_area(performance)
    response = new_hold(
        client,
        performance,
        best_available={"quantity": 1},
        areas=[{"area": area.pk, "quantity": 1}],
    )
    assert response.status_code == 422


def test_the_schema_documents_areas(client):
    schema = client.get("/api/openapi.json").json()
    new_hold_in = schema["components"]["schemas"]["NewHoldIn"]
    assert "areas" in new_hold_in["properties"] and len(new_hold_in["oneOf"]) == 2
    area_in = schema["components"]["schemas"]["AreaIn"]
    assert area_in["properties"]["quantity"]["minimum"] == 1
    assert "/api/v1/holds/{hold_id}/areas/{area_id}" in schema["paths"]
    assert "left" in schema["components"]["schemas"]["ProblemOut"]["properties"]


def test_the_performance_counts_the_places_of_an_area(client, performance):
    area = make_standing_area(performance, capacity=30)
    new_hold(client, performance, areas=[{"area": area.pk, "quantity": 4}])
    sections = get(client, f"/performances/{performance.pk}").json()["sections"]
    (floor,) = [s for s in sections if s["id"] == area.pk]
    assert floor["ticket_types"][0]["allocated"] == 30
    assert floor["ticket_types"][0]["available"] == 26


def test_the_seat_map_sends_each_area_once_with_its_count_not_its_places(client, performance):
    area = make_standing_area(performance, capacity=300)
    new_hold(client, performance, areas=[{"area": area.pk, "quantity": 2}])
    body = get(client, f"/performances/{performance.pk}/seats").json()
    assert len(body["seats"]) == 20  # the factory's seats only
    (floor,) = body["areas"]
    assert floor["id"] == area.pk and floor["name"] == "Floor"
    assert (floor["capacity"], floor["free"]) == (300, 298)
    assert floor["outline"]["type"] == "rect"
    assert floor["prices"] == [
        {"ticket_type": area.prices.get().ticket_type_id, "name": "Normal", "price": "15.00"}
    ]


def test_not_enough_places_reads_in_persian_with_persian_digits(client, performance):
    area = make_standing_area(performance, capacity=2)
    asked = {"areas": [{"area": area.pk, "quantity": 3}]}
    response = post(client, f"/performances/{performance.pk}/holds", asked, lang="fa")
    body = assert_problem(response, 409, "not_enough_places")
    assert body["detail"] == "در Floor تنها ۲ جا باقی مانده است."
