"""The lean path of the seat map's reloads (api/map_lean.py) answers exactly as Django's stack
does: the same status, headers and body for each format and encoding, 304 included, in both
languages; anything unusual goes to Django. Each request is sent as WSGI (what granian and
gunicorn call), once through the lean path and once through Django alone."""

import pytest
from django.core.signals import request_finished, request_started
from django.test import RequestFactory

from api.map_lean import SeatMapLeanPath
from core.metrics import REQUEST_SECONDS
from tests.api.lean_helpers import DjangoSpy, answer, lean_and_django, same_connection  # noqa: F401
from tests.factories import make_performance

pytestmark = pytest.mark.usefixtures("same_connection")


def both(build):
    return lean_and_django(SeatMapLeanPath, build)


def seats(performance_id, query="", *, method="get", **headers):
    path = f"/api/v1/performances/{performance_id}/seats"
    factory = getattr(RequestFactory(), method)
    return lambda: factory(f"{path}?{query}" if query else path, **headers)


@pytest.fixture
def performance(db):
    return make_performance()


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize(
    ("query", "encoding"),
    [("", ""), ("format=rows", ""), ("format=columns", ""), ("format=columns", "gzip")],
)
def test_the_map_and_its_304_answer_as_django_does_without_django(
    performance, lang, query, encoding
):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang, "HTTP_ACCEPT_ENCODING": encoding}
    lean, django, handed_on = both(seats(performance.pk, query, **headers))
    assert lean == django and lean[0] == "200 OK"
    assert ("Content-Language", lang) in lean[1]
    etag = dict(lean[1])["ETag"]
    assert (("Content-Encoding", "gzip") in lean[1]) == (encoding == "gzip")
    again = seats(performance.pk, query, HTTP_IF_NONE_MATCH=etag, **headers)
    lean, django, handed_on_too = both(again)
    assert lean == django and lean[0] == "304 Not Modified" and lean[2] == b""
    assert handed_on == handed_on_too == []


def test_a_lean_answer_is_counted_under_the_maps_route(performance):
    route = "api/v1/performances/<performance_id>/seats"  # as Django labels it
    labels = {"method": "GET", "route": route, "status": "200"}
    before = _count(labels)
    spy = DjangoSpy()
    answer(SeatMapLeanPath(spy), seats(performance.pk)().environ)
    assert _count(labels) == before + 1 and spy.calls == []


def test_a_lean_answer_is_framed_by_djangos_request_signals(performance):
    """request_started and request_finished close a connection past CONN_MAX_AGE or broken,
    as after any request Django serves."""
    sent = []

    def started(**kwargs):
        sent.append("started")

    def finished(**kwargs):
        sent.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        spy = DjangoSpy()
        answer(SeatMapLeanPath(spy), seats(performance.pk)().environ)
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert sent == ["started", "finished"] and spy.calls == []


def test_an_unknown_performance_is_raised_in_the_view_not_read_twice(performance):
    lean, django, handed_on = both(seats(performance.pk + 1000, HTTP_ACCEPT_LANGUAGE="fa"))
    assert lean == django and lean[0].startswith("404")
    assert [type(call["sandali.lean.refusal"]).__name__ for call in handed_on] == [
        "PerformanceNotFound"
    ]


def _count(labels: dict) -> float:
    for metric in REQUEST_SECONDS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels == labels:
                return sample.value
    return 0.0


@pytest.mark.parametrize(
    ("build", "status"),
    [
        (lambda pk: seats(pk, CONTENT_LENGTH="50000000"), "413"),  # the API's size gate
        (lambda pk: seats(pk, "format=bogus"), "422"),  # Ninja's validation
        (lambda pk: seats(pk, "format=rows&x=1"), "200"),  # a query it does not know
        (lambda pk: seats(pk, method="head"), "405"),  # the API answers GET only
        (lambda pk: seats(pk, HTTP_ORIGIN="https://elsewhere.example"), "200"),
        (lambda pk: seats(pk, HTTP_HOST="not-allowed.example"), "400"),
    ],
)
def test_unusual_requests_go_to_django(performance, build, status):
    lean, django, handed_on = both(build(performance.pk))
    assert lean == django and lean[0].startswith(status)
    assert len(handed_on) == 1
