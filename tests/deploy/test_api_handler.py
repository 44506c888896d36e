"""The API's own handler (sandali/api_handler.py): requests under /api/v1/ skip the pages'
middleware, and answer exactly as they do through all of it. Each request is sent as WSGI
(what granian and gunicorn call), once through the API's handler and once through Django's."""

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory

from reservations.services import hold_seats
from sandali.api_handler import api_handler
from sandali.wsgi import application, django_application
from tests.api.lean_helpers import answer, same_connection  # noqa: F401
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.usefixtures("same_connection")


@pytest.fixture
def performance(db):
    return make_performance()


@pytest.fixture(scope="module")
def api():
    return api_handler()


def holds(performance_id, body, **headers):
    path = f"/api/v1/performances/{performance_id}/holds"
    data = body if isinstance(body, str) else json.dumps(body)
    return RequestFactory().post(path, data, content_type="application/json", **headers)


def requests(performance):
    """Requests whose answers are the same each time they are sent (reads, refusals), each a
    function that makes it (a request's body can be read once)."""
    taken = seat_ids(performance)[0]
    hold_seats(performance_id=performance.pk, seat_ids=[taken])
    factory = RequestFactory()
    session = SessionStore()
    session["seen"] = True
    session.create()  # a buyer who has been on the pages
    cookies = {"HTTP_COOKIE": f"sessionid={session.session_key}; csrftoken={'x' * 32}"}
    return {
        "events": lambda: factory.get("/api/v1/events"),
        "performance in Persian": lambda: factory.get(
            f"/api/v1/performances/{performance.pk}", HTTP_ACCEPT_LANGUAGE="fa"
        ),
        "a taken seat": lambda: holds(performance.pk, {"seats": [taken]}),
        "a taken seat, with a page's cookies": lambda: holds(
            performance.pk, {"seats": [taken]}, **cookies
        ),
        "bad JSON": lambda: holds(performance.pk, "{"),
        "a foreign origin": lambda: holds(
            performance.pk, {"seats": [taken]}, HTTP_ORIGIN="https://elsewhere.example"
        ),
        "no token": lambda: factory.get("/api/v1/holds/1"),
    }


def test_the_api_answers_as_it_does_through_all_the_middleware(performance, api):
    for name, build in requests(performance).items():
        own = answer(api, build().environ)
        everything = answer(django_application, build().environ)
        assert own == everything, name
        assert "Set-Cookie" not in dict(own[1]), name


def test_an_unknown_route_gets_the_sites_page_either_way(performance, api):
    """The site's 404 page, whose form sets a new random CSRF cookie on each answer."""
    build = lambda: RequestFactory().get("/api/v1/nothing-here")  # noqa: E731
    own, everything = answer(api, build().environ), answer(django_application, build().environ)
    assert own[0] == everything[0] == "404 Not Found"
    assert [name for name, _ in own[1]] == [name for name, _ in everything[1]]


def test_a_new_hold_is_answered_alike(performance, api):
    first, second = seat_ids(performance)[:2]
    own = answer(api, holds(performance.pk, {"seats": [first]}).environ)
    everything = answer(django_application, holds(performance.pk, {"seats": [second]}).environ)
    assert own[0] == everything[0] == "201 Created"
    assert [name for name, _ in own[1]] == [name for name, _ in everything[1]]
    assert json.loads(own[2])["seats"][0]["id"] == first


@pytest.fixture
def page_middleware_calls(monkeypatch):
    """The requests that the session and CSRF middleware saw."""
    seen = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware):
        original = middleware.process_request

        def spy(self, request, original=original, name=middleware.__name__):
            seen.append((name, request.path))
            return original(self, request)

        monkeypatch.setattr(middleware, "process_request", spy)
    return seen


def test_the_served_application_skips_the_pages_middleware_for_the_api_only(
    performance, page_middleware_calls
):
    factory = RequestFactory()
    status, _, _ = answer(application, factory.get("/api/v1/events").environ)
    assert status == "200 OK" and page_middleware_calls == []
    status, _, _ = answer(application, factory.get("/").environ)
    assert status == "200 OK"
    assert {name for name, _ in page_middleware_calls} == {
        "SessionMiddleware",
        "CsrfViewMiddleware",
    }
