"""The waiting room on the API: joining, asking, the pass on hold requests, and the limits a
pass carries instead of the client's address."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from core.dbtime import db_now
from reservations import waiting_room
from tests.api.helpers import API, assert_problem, get, post, snapshot
from tests.factories import make_performance, seat_ids


@pytest.fixture
def room(db):
    """A performance whose room is on, open for a second, letting in buyers as they come."""
    performance = make_performance(max_seats_per_order=4)
    performance.waiting_room = True
    performance.waiting_room_rate = 60_000
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    return performance


def admitted(client, performance) -> dict:
    response = post(client, f"/performances/{performance.pk}/queue", {})
    assert response.status_code == 201, response.content
    place = response.json()
    assert place["token"].startswith(f"{performance.pk}-")
    if not place["admitted"]:
        place = {**ask(client, place["token"]).json(), "token": place["token"]}
    assert place["admitted"] and place["pass"]
    return place


def ask(client, token: str):
    """GET /queue with the token in its header, never in the URL (a header's bytes reach
    Django decoded as Latin-1, as WSGI passes them)."""
    return client.get(f"{API}/queue", HTTP_SANDALI_QUEUE_TOKEN=token.encode().decode("latin-1"))


def hold_with(client, performance, seats, place, *, token=None):
    return client.post(
        f"{API}/performances/{performance.pk}/holds",
        json.dumps({"seats": seats}),
        content_type="application/json",
        HTTP_SANDALI_PASS=place["pass"],
        HTTP_SANDALI_QUEUE_TOKEN=token or place["token"],
    )


def test_a_hold_without_a_pass_is_refused_with_where_to_queue(client, room):
    before = snapshot()
    response = post(client, f"/performances/{room.pk}/holds", {"seats": seat_ids(room)[:1]})
    body = assert_problem(response, 403, "waiting_room_required")
    assert body["queue"] == f"/api/v1/performances/{room.pk}/queue"
    assert body["queue_page"] == f"/performances/{room.pk}/queue/"
    assert snapshot() == before
    persian = post(client, f"/performances/{room.pk}/holds", {"seats": [1]}, lang="fa")
    assert "صف" in assert_problem(persian, 403, "waiting_room_required")["detail"]


def test_an_admitted_client_holds_with_its_pass_and_no_one_else_can(client, room):
    place = admitted(client, room)
    ids = seat_ids(room)
    assert hold_with(client, room, ids[:2], place).status_code == 201
    stranger = post(client, f"/performances/{room.pk}/queue", {}).json()
    refused = hold_with(client, room, ids[2:3], place, token=stranger["token"])
    assert_problem(refused, 403, "waiting_room_required")
    other = make_performance()
    other.waiting_room = True
    other.save()
    elsewhere = client.post(
        f"{API}/performances/{other.pk}/holds",
        json.dumps({"seats": seat_ids(other)[:1]}),
        content_type="application/json",
        HTTP_SANDALI_PASS=place["pass"],
        HTTP_SANDALI_QUEUE_TOKEN=place["token"],
    )
    assert_problem(elsewhere, 403, "waiting_room_required")


def test_adding_seats_needs_the_pass_too(client, room):
    place = admitted(client, room)
    ids = seat_ids(room)
    hold = hold_with(client, room, ids[:1], place).json()
    bare = post(client, f"/holds/{hold['id']}/seats", {"seats": ids[1:2]}, token=hold["token"])
    assert_problem(bare, 403, "waiting_room_required")
    added = client.post(
        f"{API}/holds/{hold['id']}/seats",
        json.dumps({"seats": ids[1:2]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hold['token']}",
        HTTP_SANDALI_PASS=place["pass"],
        HTTP_SANDALI_QUEUE_TOKEN=place["token"],
    )
    assert added.status_code == 200, added.content
    assert len(added.json()["seats"]) == 2


def test_buyers_behind_one_address_are_limited_by_their_passes_not_the_address(
    client, room, settings
):
    """Without the room, the second buyer behind the address would be refused (429): the
    address may make one hold request a minute and hold 2 seats."""
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    settings.SANDALI_MAX_SEATS_PER_CLIENT = 2
    ids = seat_ids(room)
    for buyer in range(3):
        place = admitted(client, room)
        response = hold_with(client, room, ids[buyer * 2 : buyer * 2 + 2], place)
        assert response.status_code == 201, response.content


def test_the_queue_answers_positions_in_arrival_order_and_no_pass_before_admission(client, db):
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = 1  # one a minute
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    places = [post(client, f"/performances/{performance.pk}/queue", {}).json() for _ in range(3)]
    assert places[0]["admitted"] and places[0]["pass"]  # nobody waited: let in at once
    assert [p["position"] for p in places[1:]] == [1, 2]
    assert [p["pass"] for p in places[1:]] == [None, None]
    assert places[2]["wait_seconds"] == 120
    asked = ask(client, places[2]["token"]).json()
    assert asked["position"] == 2 and asked["token"] is None


def test_queueing_where_there_is_no_room_or_with_an_unknown_token(client, performance):
    joined = post(client, f"/performances/{performance.pk}/queue", {})
    assert_problem(joined, 409, "no_waiting_room")
    assert_problem(ask(client, f"{performance.pk}-nope"), 404, "queue_entry_not_found")
    for nonsense in ("nonsense", "99999999999999999999999-x", "0-x", "١-x"):
        assert_problem(ask(client, nonsense), 404, "queue_entry_not_found")


def test_places_in_the_queue_are_limited_per_client_address(client, room, settings):
    """Each place is a pass carrying its own limits: one client may not take places without
    end (a generous rate, as a carrier's address is shared). Another address still joins."""
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "queue_joins": "2/60"}
    for _ in range(2):
        assert post(client, f"/performances/{room.pk}/queue", {}).status_code == 201
    refused = post(client, f"/performances/{room.pk}/queue", {})
    assert_problem(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60
    elsewhere = client.post(
        f"{API}/performances/{room.pk}/queue", "{}", "application/json", REMOTE_ADDR="10.9.8.7"
    )
    assert elsewhere.status_code == 201


def test_the_queue_token_travels_in_a_header_never_in_a_url(client, room):
    """The token is a secret: URLs end up in access logs, proxies and histories. GET /queue
    takes it as the Sandali-Queue-Token header, and no path of the API names a token."""
    place = post(client, f"/performances/{room.pk}/queue", {}).json()
    asked = ask(client, place["token"])
    assert asked.status_code == 200 and asked.json()["admitted"] and asked.json()["pass"]
    assert asked.json()["token"] is None
    missing = assert_problem(get(client, "/queue", lang="fa"), 400, "queue_token_required")
    assert "Sandali-Queue-Token" in missing["detail"] and "توکن" in missing["detail"]
    assert get(client, f"/queue/{place['token']}").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert [path for path in schema["paths"] if "token" in path] == []
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "GET /api/v1/queue (header `Sandali-Queue-Token`" in readme
    assert "/queue/{token}" not in readme
    parameters = schema["paths"]["/api/v1/queue"]["get"]["parameters"]
    assert {"name": "Sandali-Queue-Token", "in": "header", "required": True}.items() <= (
        parameters[0].items()
    )


def sell_every_seat(performance):
    """Hold every seat of the performance, as few holds as its cap allows; returns the step
    that buys them all."""
    from orders.checkout import checkout
    from reservations.services import hold_seats

    ids, size = seat_ids(performance), performance.max_seats_per_order
    held = [
        hold_seats(performance_id=performance.pk, seat_ids=ids[n : n + size])
        for n in range(0, len(ids), size)
    ]

    def buy():
        for n, state in enumerate(held):
            checkout(hold_id=state.hold.pk, token=state.token, idempotency_key=f"all-{n}",
                     name="Last buyer", email="last@example.org")  # fmt: skip

    return buy


def test_queued_buyers_are_told_once_every_seat_is_sold_so_they_stop_asking(client, db):
    performance = make_performance(sections=1, rows=1, seats_per_row=3)
    performance.waiting_room = True
    performance.waiting_room_rate = 1  # one a minute: the second place waits
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    places = [post(client, f"/performances/{performance.pk}/queue", {}).json() for _ in range(2)]
    assert places[1]["sold_out"] is False
    buy = sell_every_seat(performance)
    # Held seats may come back (a hold expires, a buyer gives up): not sold out yet.
    assert ask(client, places[1]["token"]).json()["sold_out"] is False
    buy()
    told = ask(client, places[1]["token"]).json()
    assert told["sold_out"] is True and not told["admitted"]
    joined_late = post(client, f"/performances/{performance.pk}/queue", {}).json()
    assert joined_late["sold_out"] is True


def join_many(performance, count: int) -> None:
    for _ in range(count):
        token = waiting_room.queue_token(performance.pk)
        waiting_room.join_queue(performance_id=performance.pk, token=token)


def test_places_far_back_are_asked_to_poll_less_often_than_the_next_in_line(client, db):
    """Thousands queued must not ask every 2 s: half the wait, from 2 s up to a minute."""
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = 60  # one a second: the wait in seconds is the position
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    places = [post(client, f"/performances/{performance.pk}/queue", {}).json() for _ in range(3)]
    assert places[1]["position"] == 1 and places[1]["poll_seconds"] == 2
    join_many(performance, 30)
    middle = post(client, f"/performances/{performance.pk}/queue", {}).json()
    assert 2 < middle["poll_seconds"] == middle["wait_seconds"] // 2 < 60
    join_many(performance, 150)
    far = post(client, f"/performances/{performance.pk}/queue", {}).json()
    assert far["position"] >= 150 and far["wait_seconds"] >= 150
    assert far["poll_seconds"] == 60
    assert ask(client, places[2]["token"]).json()["poll_seconds"] == 2


def test_the_queue_length_and_admissions_are_exported_to_prometheus(client, db):
    from prometheus_client import REGISTRY

    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = 1  # the first let in at opening, then one a minute
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    for _ in range(4):
        post(client, f"/performances/{performance.pk}/queue", {})
    labels = {"performance": str(performance.pk)}
    assert REGISTRY.get_sample_value("sandali_queue_waiting", labels) == 3
    assert REGISTRY.get_sample_value("sandali_queue_admitted", labels) == 1


def test_admission_pauses_while_every_seat_left_is_held_and_goes_on_when_one_comes_back(client, db):
    """Held seats may come back, so the queue is not sold out; but nobody is let in to a map
    with nothing to choose: the answer says `paused`, and places are kept."""
    from reservations.services import hold_seats, release_hold

    performance = make_performance(sections=1, rows=1, seats_per_row=2)
    performance.waiting_room = True
    performance.waiting_room_rate = 60  # one a second
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    places = [post(client, f"/performances/{performance.pk}/queue", {}).json() for _ in range(3)]
    assert places[0]["admitted"] and not places[1]["admitted"]
    assert places[1]["paused"] is False
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance))
    now = int(db_now().timestamp() * 1000)
    later = waiting_room.queue_status(token=places[1]["token"], now_ms=now + 30_000)
    assert later.paused and not later.admitted and not later.sold_out
    # Next in line, yet asked to poll seldom: nobody moves until seats come back.
    assert later.position == 1 and later.poll_seconds == waiting_room.POLL_PAUSED_SECONDS
    answer = ask(client, places[1]["token"]).json()
    assert answer["paused"] is True and answer["sold_out"] is False and not answer["admitted"]
    release_hold(hold_id=held.hold.pk, token=held.token)
    # Seats back: not let in for the paused time at once, but at the rate from now on.
    resumed = waiting_room.queue_status(token=places[1]["token"], now_ms=now + 30_500)
    assert not resumed.paused and not resumed.admitted
    assert waiting_room.queue_status(token=places[1]["token"], now_ms=now + 31_600).admitted
    assert not waiting_room.queue_status(token=places[2]["token"], now_ms=now + 31_600).admitted
