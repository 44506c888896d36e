"""HTTP API v1: a new hold of the best available seats, chosen by the server."""

from decimal import Decimal

import pytest

from catalog.models import Seat, TicketType
from tests.api.helpers import assert_problem, create_hold, post, snapshot
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def best(client, performance, **asked):
    return post(client, f"/performances/{performance.pk}/holds", {"best_available": asked})


def places(body) -> list[str]:
    return [f"{seat['section']} {seat['row']}{seat['number']}" for seat in body["seats"]]


def test_holds_adjacent_seats_nearest_the_stage_and_says_they_are_together(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    response = best(client, performance, quantity=3)
    assert response.status_code == 201, response.content
    body = response.json()
    # The focus is the front row's centre (A3); A2-A4 would leave A1 and A5 alone.
    assert places(body) == ["Section 1 A1", "Section 1 A2", "Section 1 A3"]
    assert body["together"] is True and body["token"]
    assert Decimal(body["total"]) == Decimal("60.00")
    held = Seat.objects.filter(hold_id=body["id"], status="reserved")
    assert set(held.values_list("id", flat=True)) == {s["id"] for s in body["seats"]}


def test_a_hold_of_chosen_seats_says_nothing_of_together(client, performance):
    body = create_hold(client, performance, seat_ids(performance)[:1])
    assert body["together"] is None


def test_says_when_the_seats_are_not_together(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    create_hold(client, performance, [ids[2], ids[7]])  # A3 and B3: no three in a row
    response = best(client, performance, quantity=3)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["together"] is False
    # The fewest rows: all three in the front row, across the taken A3.
    assert places(body) == ["Section 1 A1", "Section 1 A2", "Section 1 A4"]


def test_filters_by_ticket_type_and_section(client):
    performance = make_performance(sections=2, rows=2, seats_per_row=5)
    student = TicketType.objects.get(event=performance.event, name="Student")
    second = performance.sections.get(position=1)
    response = best(client, performance, quantity=2, ticket_type=student.pk)
    assert response.status_code == 201, response.content
    assert {seat["ticket_type"] for seat in response.json()["seats"]} == {"Student"}
    response = best(client, performance, quantity=2, section=second.pk)
    assert response.status_code == 201, response.content
    assert {seat["section"] for seat in response.json()["seats"]} == {"Section 2"}


def test_seats_and_best_available_together_are_refused(client, performance):
    before = snapshot()
    response = post(
        client,
        f"/performances/{performance.pk}/holds",
        {"seats": seat_ids(performance)[:1], "best_available": {"quantity": 1}},
    )
    assert_problem(response, 422, "validation_error")
    response = post(client, f"/performances/{performance.pk}/holds", {})
    assert_problem(response, 422, "validation_error")
    assert snapshot() == before


def test_not_enough_seats_left_for_the_filter_is_a_409_that_changes_nothing(client):
    performance = make_performance(sections=2, rows=2, seats_per_row=5, max_seats_per_order=20)
    normal = TicketType.objects.get(event=performance.event, name="Normal")
    create_hold(client, performance, seat_ids(performance)[:16])  # every Normal seat, 16 of 20
    before = snapshot()
    response = best(client, performance, quantity=6)
    assert_problem(response, 409, "not_enough_seats")
    response = best(client, performance, quantity=1, ticket_type=normal.pk)
    assert_problem(response, 409, "not_enough_seats")
    assert snapshot() == before


def test_a_ticket_type_or_section_the_performance_does_not_sell_is_a_422(client, performance):
    other = make_performance()
    foreign_type = TicketType.objects.filter(event=other.event).first()
    foreign_section = other.sections.first()
    before = snapshot()
    for choice in ({"ticket_type": foreign_type.pk}, {"section": foreign_section.pk},
                   {"ticket_type": 10**9}):  # fmt: skip
        response = best(client, performance, quantity=1, **choice)
        assert_problem(response, 422, "unknown_seat_choice")
    assert snapshot() == before


def test_not_enough_seats_in_persian(client, performance):
    first = performance.sections.get(position=0)  # 10 seats, one of them held
    create_hold(client, performance, seat_ids(performance)[:1])
    response = post(
        client,
        f"/performances/{performance.pk}/holds",
        {"best_available": {"quantity": 10, "section": first.pk}},
        lang="fa",
    )
    body = assert_problem(response, 409, "not_enough_seats")
    assert "۱۰" in body["title"] + body["detail"]


def test_the_limits_of_a_hold_apply(client):
    performance = make_performance(max_seats_per_order=2)
    assert_problem(best(client, performance, quantity=3), 422, "too_many_seats")
    closed = make_performance(sales_open=False)
    assert_problem(best(client, closed, quantity=1), 409, "sales_closed")
    assert_problem(best(client, performance, quantity=0), 422, "validation_error")


def test_the_per_client_cap_counts_best_available_seats(client, settings):
    settings.SANDALI_MAX_SEATS_PER_CLIENT = 5
    performance = make_performance()
    assert best(client, performance, quantity=3).status_code == 201
    refused = best(client, performance, quantity=3)
    assert_problem(refused, 429, "too_many_seats_held")
    assert best(client, performance, quantity=2).status_code == 201


def test_the_focal_point_is_the_stage_the_layout_drew(client):
    """A stage drawn behind the last row (a hall the other way round) makes it the best."""
    performance = make_performance(sections=1, rows=3, seats_per_row=5)
    ys = sorted(set(Seat.objects.filter(performance=performance).values_list("y", flat=True)))
    behind = {"type": "rect", "x": 0.0, "y": ys[-1] + 3, "width": 4.0, "height": 2.0}
    type(performance).objects.filter(pk=performance.pk).update(
        shapes=[{"kind": "stage", "geometry": behind, "text": "Stage"}]
    )
    response = best(client, performance, quantity=3)
    assert response.status_code == 201, response.content
    assert {seat["row"] for seat in response.json()["seats"]} == {"C"}


def test_a_price_ceiling_holds_only_seats_at_that_price_or_less(client):
    """Row A (Normal, 20.00) is nearest the stage; up to 10.00 the seats come from row B."""
    performance = make_performance(sections=1, rows=3, seats_per_row=5)
    response = best(client, performance, quantity=3, max_price="10.00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {seat["row"] for seat in body["seats"]} == {"B"}
    assert {Decimal(seat["price"]) for seat in body["seats"]} == {Decimal("10.00")}
    assert body["together"] is True
    response = best(client, performance, quantity=3, max_price="20")
    assert {seat["row"] for seat in response.json()["seats"]} == {"A"}


def test_too_few_seats_at_the_ceiling_is_a_409_that_names_the_price_in_persian(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    before = snapshot()
    response = best(client, performance, quantity=6, max_price="10.00")  # 5 Student seats
    body = assert_problem(response, 409, "not_enough_seats_at_price")
    assert "10.00 EUR" in body["detail"]
    response = post(
        client,
        f"/performances/{performance.pk}/holds",
        {"best_available": {"quantity": 1, "max_price": "9.99"}},
        lang="fa",
    )
    body = assert_problem(response, 409, "not_enough_seats_at_price")
    assert "۹.۹۹" in body["detail"] and "صندلی" in body["detail"]
    assert snapshot() == before


def test_a_price_ceiling_that_is_not_an_amount_is_a_422(client, performance):
    for ceiling in ("-1", "ten", "1.001", 10, "1e3"):
        response = best(client, performance, quantity=1, max_price=ceiling)
        assert_problem(response, 422, "validation_error")


def test_seats_together_only_refuses_a_split_and_changes_nothing(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    create_hold(client, performance, [ids[2], ids[7]])  # A3 and B3: no three in a row
    before = snapshot()
    body = assert_problem(best(client, performance, quantity=3, together=True), 409,
                          "no_seats_together")  # fmt: skip
    assert "3" in body["detail"]
    assert snapshot() == before
    response = best(client, performance, quantity=2, together=True)
    assert response.status_code == 201 and response.json()["together"] is True


def test_the_schema_documents_the_price_ceiling_and_together(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"max_price", "together"} <= set(schema["BestAvailableIn"]["properties"])
