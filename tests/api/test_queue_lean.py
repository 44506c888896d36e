"""The lean path of joins and polls (api/queue_lean.py) answers exactly as Django's stack does:
the same status, headers and body, in both languages, refusals included, and counts nothing
twice. Each request is sent as WSGI (what granian and gunicorn call), once through the lean path and
once through Django alone."""

import json
from datetime import timedelta

import pytest
from django.test import RequestFactory

from api.queue_lean import QueueLeanPath
from core.dbtime import db_now
from reservations import waiting_room
from tests.api.lean_helpers import DjangoSpy, answer, lean_and_django, same_connection  # noqa: F401
from tests.factories import make_performance

TOKEN_SECRET = "s3cr3t-Token_value"


pytestmark = pytest.mark.usefixtures("same_connection")


def both(build):
    return lean_and_django(QueueLeanPath, build)


def join(performance_id, *, lang="en", **extra):
    return lambda: RequestFactory().post(
        f"/api/v1/performances/{performance_id}/queue",
        "{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        **extra,
    )


def poll(token, *, lang="en"):
    return lambda: RequestFactory().get(
        "/api/v1/queue", HTTP_SANDALI_QUEUE_TOKEN=token, HTTP_ACCEPT_LANGUAGE=lang
    )


@pytest.fixture
def room(db, monkeypatch):
    """An open room letting one buyer in a minute; someone is already first in it, and every
    join takes the same token (so that both paths find the same place: the second join
    keeps it)."""
    performance = make_performance(max_seats_per_order=4)
    performance.waiting_room = True
    performance.waiting_room_rate = 1
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    waiting_room.join_queue(performance_id=performance.pk, token=f"{performance.pk}-first")
    monkeypatch.setattr(waiting_room, "queue_token", lambda pk: f"{pk}-{TOKEN_SECRET}")
    return performance


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_a_join_and_a_poll_answer_as_django_does_without_django(room, lang):
    lean, django, handed_on = both(join(room.pk, lang=lang))
    assert lean == django
    assert lean[0] == "201 Created"
    assert f'"token": "{room.pk}-{TOKEN_SECRET}"'.encode() in lean[2]
    assert b'"position": 1' in lean[2] and b'"pass": null' in lean[2]
    assert ("Content-Language", lang) in lean[1]
    lean, django, handed_on_too = both(poll(f"{room.pk}-{TOKEN_SECRET}", lang=lang))
    assert lean == django
    assert lean[0] == "200 OK" and b'"token": null' in lean[2]
    assert handed_on == handed_on_too == []


def test_an_admitted_poll_carries_a_pass_that_opens_the_holds(room):
    """The pass the lean path hands out is the API's own: bound to the token, of this room."""
    room.waiting_room_rate = 60_000
    room.save()
    waiting_room._terms_cache.clear()
    token = f"{room.pk}-{TOKEN_SECRET}"
    answer(QueueLeanPath(DjangoSpy()), join(room.pk)().environ)
    status, headers, body = answer(QueueLeanPath(DjangoSpy()), poll(token)().environ)
    place = json.loads(body)
    assert place["admitted"] and place["pass"]
    hold_pass = waiting_room.read_pass(
        performance_id=room.pk, pass_text=place["pass"], binding=waiting_room.token_binding(token)
    )
    assert hold_pass.performance_id == room.pk


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_refusals_are_rendered_by_django_as_before(room, lang):
    unknown, django, handed_on = both(poll(f"{room.pk}-nobody", lang=lang))
    assert unknown == django and unknown[0].startswith("404")
    assert b'"code": "queue_entry_not_found"' in unknown[2]
    room_off = make_performance()
    off, django, handed_on_too = both(join(room_off.pk, lang=lang))
    assert off == django and off[0].startswith("409")
    assert b'"code": "no_waiting_room"' in off[2]
    assert ("Content-Type", "application/problem+json") in off[1]
    # Handed on with the refusal the lean path met, which the view raises as it is.
    assert [type(c["sandali.lean.refusal"]).__name__ for c in handed_on + handed_on_too] == [
        "QueueEntryNotFound",
        "PerformanceHasNoQueue",
    ]
    no_token, django, _ = both(lambda: RequestFactory().get("/api/v1/queue"))
    assert no_token == django and b'"code": "queue_token_required"' in no_token[2]
    english, persian = both(join(room_off.pk, lang="en"))[0], both(join(room_off.pk, lang="fa"))[0]
    assert english[2] != persian[2]  # the detail is translated


def test_a_join_is_counted_once_by_the_rate_limit(room, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "queue_joins": "2/60"}
    spy = DjangoSpy()
    lean = QueueLeanPath(spy)
    first, second, third = (answer(lean, join(room.pk)().environ)[0] for _ in range(3))
    assert (first, second) == ("201 Created", "201 Created")
    assert third.startswith("429")
    assert len(spy.calls) == 1  # only the refusal went through Django


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_ORIGIN": "https://elsewhere.example"},  # the API's origin gate decides
        {"HTTP_HOST": "not-allowed.example"},  # Django refuses the host
    ],
)
def test_unusual_requests_go_to_django(room, extra):
    lean, django, handed_on = both(join(room.pk, **extra))
    assert lean == django and not lean[0].startswith("2")
    assert len(handed_on) == 1 and "sandali.lean.refusal" not in handed_on[0]


def test_a_body_other_than_an_empty_object_goes_to_django(room):
    def form():
        return RequestFactory().post(
            f"/api/v1/performances/{room.pk}/queue", "a=1", content_type="text/plain"
        )

    lean, django, handed_on = both(form)
    assert lean == django and lean[0].startswith("415")
    assert len(handed_on) == 1
