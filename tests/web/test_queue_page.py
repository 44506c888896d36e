"""The waiting room's page through Django's test client: the seat map sends a browser without
a pass to the queue, the queue lets it in with a pass bound to its session, and the pages'
hold requests need that pass."""

from datetime import timedelta

import pytest
from django.test import Client

from core.dbtime import db_now
from reservations import waiting_room
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def with_room(*, rate: int, opens_in: timedelta = timedelta(seconds=-1)):
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = rate
    performance.sales_start = db_now() + opens_in
    performance.save()
    return performance


def choose(client, performance, seat_id):
    return client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")


def fill_the_queue(performance, count: int) -> None:
    for _ in range(count):
        token = waiting_room.queue_token(performance.pk)
        waiting_room.join_queue(performance_id=performance.pk, token=token)


def test_without_a_pass_the_map_sends_the_browser_to_the_queue_and_refuses_holds(client):
    performance = with_room(rate=1)
    fill_the_queue(performance, 3)  # one let in at opening, two waiting
    page = client.get(f"/performances/{performance.pk}/")
    assert page.status_code == 302 and page["Location"] == f"/performances/{performance.pk}/queue/"
    queue = client.get(page["Location"])
    assert queue.status_code == 200
    config = queue.context["config"]
    assert config["first"]["position"] == 3 and config["first"]["wait_seconds"] == 180
    assert config["status"] == f"/performances/{performance.pk}/queue/status"
    # Reloading keeps the place; the poll says the same.
    assert client.get(f"/performances/{performance.pk}/queue/status").json()["position"] == 3
    refused = choose(client, performance, seat_ids(performance)[0])
    assert refused.status_code == 403 and refused.json()["code"] == "waiting_room_required"
    assert refused.json()["queue_page"] == f"/performances/{performance.pk}/queue/"


def test_an_admitted_browser_gets_the_map_and_holds_with_its_pass(client):
    performance = with_room(rate=60_000)
    queue = client.get(f"/performances/{performance.pk}/queue/")
    assert queue.status_code == 302 and queue["Location"] == f"/performances/{performance.pk}/"
    assert client.get(queue["Location"]).status_code == 200
    assert choose(client, performance, seat_ids(performance)[0]).status_code == 200


def test_a_pass_copied_into_another_browser_opens_nothing_there(client):
    performance = with_room(rate=60_000)
    client.get(f"/performances/{performance.pk}/queue/")
    passes = client.session["waiting_room_passes"]
    other = Client()
    other.get("/")  # a session of its own
    session = other.session
    session["waiting_room_passes"] = passes
    session.save()
    assert other.get(f"/performances/{performance.pk}/").status_code == 302
    refused = choose(other, performance, seat_ids(performance)[0])
    assert refused.status_code == 403


def test_before_opening_the_page_says_places_are_drawn_at_opening(client):
    performance = with_room(rate=60, opens_in=timedelta(minutes=5))
    queue = client.get(f"/performances/{performance.pk}/queue/", HTTP_ACCEPT_LANGUAGE="fa")
    first = queue.context["config"]["first"]
    assert first["opened"] is False and first["position"] is None and first["waiting"] == 1
    text = queue.content.decode()
    assert "فروش در" in text and 'dir="rtl"' in text, text
    assert "قرعه" in queue.context["config"]["messages"]["drawing"]


def test_best_available_from_the_page_needs_the_pass_too(client):
    performance = with_room(rate=1)
    fill_the_queue(performance, 2)
    url = f"/performances/{performance.pk}/selection/best"
    refused = client.post(url, {"quantity": 2}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "waiting_room_required"
    admitted = Client()
    performance.waiting_room_rate = 60_000
    performance.save()
    admitted.get(f"/performances/{performance.pk}/queue/")  # let in at once
    held = admitted.post(url, {"quantity": 2}, content_type="application/json")
    assert held.status_code == 200 and len(held.json()["chosen"]) == 2


def test_the_queue_page_and_its_polls_do_not_switch_the_room_on_by_themselves(client):
    """Only arrivals count towards the threshold (a map shown, a place taken, a hold asked
    for): a browser waiting in a room its organizer turned on polls without counting, so
    the room goes off when the organizer turns it off."""
    performance = with_room(rate=1)
    performance.waiting_room_threshold = 3
    performance.save()
    fill_the_queue(performance, 1)  # let in at opening: the browser below waits
    queue = client.get(f"/performances/{performance.pk}/queue/")
    assert queue.status_code == 200 and queue.context["config"]["first"]["position"] == 1
    for _ in range(5):
        assert client.get(f"/performances/{performance.pk}/queue/status").json()["position"] == 1
    performance.waiting_room = False
    performance.save()
    assert client.get(f"/performances/{performance.pk}/").status_code == 200
    assert not waiting_room.room_on(performance_id=performance.pk)


def test_places_taken_by_the_page_are_limited_per_client_address(settings):
    """A browser that keeps no cookie takes a new place at each visit: the page's joins are
    counted per address, as the API's are, and past the rate the page says when to retry."""
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "queue_joins": "2/60"}
    performance = with_room(rate=1)
    fill_the_queue(performance, 1)
    url = f"/performances/{performance.pk}/queue/"
    for _ in range(2):
        assert Client().get(url).context["config"]["first"]["position"] >= 1
    refused = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.context["error"]
    assert Client(REMOTE_ADDR="10.9.8.7").get(url).status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Sold out: every seat"), ("fa", "همهٔ صندلی‌های این اجرا فروخته شده")],
)
def test_a_queued_browser_is_told_in_its_language_when_the_performance_sells_out(language, words):
    from tests.api.test_queue import sell_every_seat

    performance = with_room(rate=1)
    fill_the_queue(performance, 2)  # one let in at opening, one waiting
    client = Client(headers={"Accept-Language": language})
    queue = client.get(f"/performances/{performance.pk}/queue/")
    assert queue.context["config"]["first"]["sold_out"] is False
    assert words in queue.context["config"]["messages"]["sold_out"]
    sell_every_seat(performance)()
    poll = client.get(f"/performances/{performance.pk}/queue/status").json()
    assert poll["sold_out"] is True and poll["admitted"] is False
