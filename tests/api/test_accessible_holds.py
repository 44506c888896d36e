"""Wheelchair spaces and companion seats over the API: a space is held with its free companion
seats, a companion seat alone is refused unless the organizer allows it, releasing a space
releases its companions, and best available's `accessible`."""

import pytest

from catalog.models import Seat
from tests.accessible import accessible_performance, seat_id
from tests.api.helpers import assert_problem, delete, post, snapshot

pytestmark = pytest.mark.django_db


def hold(client, performance, places, lang="en"):
    ids = [seat_id(performance, place) for place in places]
    return post(client, f"/performances/{performance.pk}/holds", {"seats": ids}, lang=lang)


def places(performance, body) -> list[str]:
    return sorted(f"{s['row']}-{s['number']}" for s in body["seats"])


def held_places(hold_id) -> list[str]:
    seats = Seat.objects.filter(hold_id=hold_id, status="reserved")
    return sorted(f"{s.row}-{s.number}" for s in seats)


def test_holding_a_wheelchair_space_holds_its_companion_seats_in_the_same_hold(client):
    performance = accessible_performance()
    response = hold(client, performance, ["A-3"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert places(performance, body) == ["A-2", "A-3", "A-4"]
    assert held_places(body["id"]) == ["A-2", "A-3", "A-4"]
    assert body["total"] == "60.00"


def test_a_companion_seat_alone_is_refused_and_nothing_changes(client):
    performance = accessible_performance()
    before = snapshot()
    body = assert_problem(hold(client, performance, ["A-2", "B-2"]), 409, "companion_seat_alone")
    assert body["seats"] == [seat_id(performance, "A-2")]
    assert snapshot() == before
    persian = assert_problem(hold(client, performance, ["A-8"], lang="fa"), 409,
                             "companion_seat_alone")  # fmt: skip
    assert "همراه" in persian["detail"]


def test_a_companion_seat_is_refused_when_added_to_a_hold_without_its_space(client):
    performance = accessible_performance()
    first = hold(client, performance, ["B-2"]).json()
    response = post(client, f"/holds/{first['id']}/seats",
                    {"seats": [seat_id(performance, "A-8")]}, token=first["token"])  # fmt: skip
    assert_problem(response, 409, "companion_seat_alone")
    assert held_places(first["id"]) == ["B-2"]


def test_a_companion_seat_may_be_asked_for_with_its_space_or_added_to_a_hold_that_has_it(client):
    performance = accessible_performance()
    response = hold(client, performance, ["A-7", "A-8"])
    assert response.status_code == 201, response.content
    assert places(performance, response.json()) == ["A-7", "A-8"]
    first = hold(client, performance, ["A-3"]).json()
    release = delete(client, f"/holds/{first['id']}/seats/{seat_id(performance, 'A-2')}",
                     token=first["token"])  # fmt: skip
    assert release.status_code == 200, release.content
    assert held_places(first["id"]) == ["A-3", "A-4"], "a companion seat goes alone"
    again = post(client, f"/holds/{first['id']}/seats",
                 {"seats": [seat_id(performance, "A-2")]}, token=first["token"])  # fmt: skip
    assert again.status_code == 200, again.content
    assert held_places(first["id"]) == ["A-2", "A-3", "A-4"]


def test_companion_seats_sell_alone_when_the_organizer_allows_it(client):
    performance = accessible_performance(companions_sell_alone=True)
    response = hold(client, performance, ["A-2"])
    assert response.status_code == 201, response.content
    assert places(performance, response.json()) == ["A-2"]
    # The space is still held with the companion seats that are left.
    space = hold(client, performance, ["A-3"]).json()
    assert places(performance, space) == ["A-3", "A-4"]


def test_releasing_a_wheelchair_space_releases_its_companion_seats(client):
    performance = accessible_performance()
    first = hold(client, performance, ["A-3", "B-2"]).json()
    response = delete(client, f"/holds/{first['id']}/seats/{seat_id(performance, 'A-3')}",
                      token=first["token"])  # fmt: skip
    assert response.status_code == 200, response.content
    assert places(performance, response.json()) == ["B-2"]
    assert held_places(first["id"]) == ["B-2"]
    freed = Seat.objects.filter(pk__in=[seat_id(performance, p) for p in ("A-2", "A-3", "A-4")])
    assert set(freed.values_list("status", flat=True)) == {"available"}


def test_releasing_a_space_another_hold_has_releases_nothing(client):
    performance = accessible_performance(companions_sell_alone=True)
    companion = hold(client, performance, ["A-2"]).json()
    response = delete(client, f"/holds/{companion['id']}/seats/{seat_id(performance, 'A-3')}",
                      token=companion["token"])  # fmt: skip
    assert_problem(response, 404, "seat_not_in_hold")
    assert held_places(companion["id"]) == ["A-2"]


def test_a_companion_seat_taken_by_another_buyer_is_left_out_not_the_space(client):
    performance = accessible_performance(companions_sell_alone=True)
    hold(client, performance, ["A-4"])
    response = hold(client, performance, ["A-3"])
    assert response.status_code == 201
    assert places(performance, response.json()) == ["A-2", "A-3"]


def test_companions_beyond_the_seats_per_order_are_left_out(client):
    performance = accessible_performance(max_seats_per_order=2)
    response = hold(client, performance, ["A-3"])
    assert response.status_code == 201
    assert places(performance, response.json()) == ["A-2", "A-3"]


def best(client, performance, **choice):
    return post(client, f"/performances/{performance.pk}/holds", {"best_available": choice})


def test_best_available_accessible_holds_the_nearest_space_with_its_companions(client):
    performance = accessible_performance()
    response = best(client, performance, quantity=3, accessible=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert places(performance, body) == ["A-2", "A-3", "A-4"]
    assert body["together"] is True


def test_best_available_accessible_counts_companions_toward_the_quantity(client):
    performance = accessible_performance()
    two = best(client, performance, quantity=2, accessible=True).json()
    assert len(two["seats"]) == 2 and held_places(two["id"])[1] == "A-3"  # with it
    # The other space is next; then no space is left.
    one = best(client, performance, quantity=1, accessible=True).json()
    assert places(performance, one) == ["A-7"]
    assert_problem(best(client, performance, quantity=1, accessible=True), 409,
                   "not_enough_seats")  # fmt: skip


def test_best_available_accessible_with_too_few_spaces_and_companions_is_refused(client):
    performance = accessible_performance()
    before = snapshot()
    assert_problem(best(client, performance, quantity=6, accessible=True), 409,
                   "not_enough_seats")  # fmt: skip
    assert snapshot() == before


def accessible_places(performance):
    return {seat_id(performance, p) for p in ("A-2", "A-3", "A-4", "A-7", "A-8")}


def test_best_available_for_others_never_hands_out_spaces_or_companion_seats(client):
    performance = accessible_performance()
    for _ in range(5):  # 11 ordinary seats in the stalls and 8 in the balcony: 15 taken
        response = best(client, performance, quantity=3)
        assert response.status_code == 201, response.content
        assert not {s["id"] for s in response.json()["seats"]} & accessible_places(performance)
    # 4 ordinary seats are left, and 5 accessible ones: refused rather than handed out.
    assert_problem(best(client, performance, quantity=5), 409, "not_enough_seats")


def test_best_available_hands_out_companion_seats_when_nothing_else_is_left_if_allowed(client):
    performance = accessible_performance(companions_sell_alone=True)
    for _ in range(5):
        assert best(client, performance, quantity=3).status_code == 201
    response = best(client, performance, quantity=7)  # 4 ordinary + 3 companion seats
    assert response.status_code == 201, response.content
    ids = {s["id"] for s in response.json()["seats"]}
    spaces = {seat_id(performance, "A-3"), seat_id(performance, "A-7")}
    assert ids & accessible_places(performance) == accessible_places(performance) - spaces
