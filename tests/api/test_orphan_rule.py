"""The hand-picking orphan rule through the API and the buyer's page: 409 would_strand_seat,
naming the seat, in the reader's language; nothing changes."""

import pytest

from catalog.models import Performance
from tests.api.helpers import assert_problem, create_hold, delete, get, post, snapshot
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


@pytest.fixture
def row_of_six():
    """One row A of six seats whose performance refuses single-seat gaps: {number: id}."""
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    return performance, dict(performance.seats.values_list("number", "id"))


def test_a_new_hold_that_strands_a_seat_is_a_409_naming_it(client, row_of_six):
    performance, ids = row_of_six
    before = snapshot()
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": [ids[2], ids[3]]})
    body = assert_problem(response, 409, "would_strand_seat")
    assert (body["seat"], body["row"], body["number"]) == (ids[1], "A", 1)
    assert "seat 1 of row A" in body["detail"]
    assert snapshot() == before


def test_the_refusal_is_in_persian_with_persian_digits(client, row_of_six):
    performance, ids = row_of_six
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": [ids[5]]}, lang="fa")
    body = assert_problem(response, 409, "would_strand_seat")
    assert "صندلی ۶ از ردیف A را تنها می‌گذارد" in body["detail"]


def test_adding_and_giving_back_follow_the_rule(client, row_of_six):
    performance, ids = row_of_six
    hold = create_hold(client, performance, [ids[1], ids[2]])
    path = f"/holds/{hold['id']}/seats"
    refused = post(client, path, {"seats": [ids[4]]}, token=hold["token"])
    assert assert_problem(refused, 409, "would_strand_seat")["number"] == 3
    added = post(client, path, {"seats": [ids[3]]}, token=hold["token"])
    assert added.status_code == 200 and len(added.json()["seats"]) == 3
    middle = delete(client, f"{path}/{ids[2]}", token=hold["token"])
    assert assert_problem(middle, 409, "would_strand_seat")["number"] == 2
    assert delete(client, f"{path}/{ids[3]}", token=hold["token"]).status_code == 200


def test_the_performance_tells_clients_whether_it_refuses_single_seat_gaps(client, row_of_six):
    performance, _ids = row_of_six
    assert get(client, f"/performances/{performance.pk}").json()["refuse_single_seat_gaps"]


def test_without_the_setting_the_same_choice_is_held(client):
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    ids = dict(performance.seats.values_list("number", "id"))
    response = post(client, f"/performances/{performance.pk}/holds", {"seats": [ids[2], ids[3]]})
    assert response.status_code == 201


def test_the_page_refuses_a_click_that_strands_a_seat_with_the_same_problem(client, row_of_six):
    performance, ids = row_of_six
    selection = f"/performances/{performance.pk}/selection/seats"
    assert client.post(f"{selection}/{ids[1]}").status_code == 200
    refused = client.post(f"{selection}/{ids[3]}", HTTP_ACCEPT_LANGUAGE="fa")
    assert refused.status_code == 409 and refused.json()["code"] == "would_strand_seat"
    assert "صندلی ۲" in refused.json()["detail"]  # seatmap.js shows `detail` as its toast
    assert client.post(f"{selection}/{ids[2]}").json()["seats"] == [ids[1], ids[2]]
    assert client.post(f"{selection}/{ids[3]}").json()["seats"] == [ids[1], ids[2], ids[3]]
    unchosen = client.delete(f"{selection}/{ids[2]}")
    assert unchosen.status_code == 409 and unchosen.json()["number"] == 2
