"""Property-based API contract test: schemathesis fuzzes every operation of /api/openapi.json
against the in-process WSGI app (sandali.wsgi.application) and checks that no response is a 5xx
and that every response conforms to the schema: documented status code, content type, headers
and body, schema-valid requests accepted and schema-invalid ones refused.

Each generated case runs inside a savepoint that is rolled back afterwards, so every case sees
the same seeded world: one performance (its ids exist), one live hold, one paid order and a
check-in device for the performance. For part of the cases the path ids are swapped for those
real ids and the matching bearer token is sent (the device's for the check-in endpoints), so the
hold, order and check-in endpoints are exercised past their 401 and 404 answers.

The schema is fuzzed exactly as it is served (api/openapi.py documents what Ninja cannot say
by itself: problem+json errors, the required Idempotency-Key, non-empty seat lists).
"""

import copy
from collections.abc import Iterator

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation as Location
from werkzeug.test import Client as WsgiClient

from checkin.devices import create_device
from orders import checkout as order_checkout
from reservations import services as hold_services
from sandali.wsgi import application
from tests.factories import make_performance, seat_ids

PROBLEM_JSON = "application/problem+json"
MAX_EXAMPLES = 30


def _served_schema() -> dict:
    """The schema exactly as /api/openapi.json serves it."""
    response = WsgiClient(application).get("/api/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _operations(raw: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _loosen_tuples(node):
    """Schemathesis 4.32 rewrites a response's `prefixItems` to the draft-4 `items: [...]`
    and then fails to build its Draft 2020-12 validator ("InvalidSchema"): a schemathesis bug,
    not ours. Loosen each tuple to an array of its members' types here; the seat map, the one
    tuple, is checked exactly against the served schema in _check_seat_map()."""
    if isinstance(node, dict):
        if "prefixItems" in node:
            members = node.pop("prefixItems")
            node["items"] = {"anyOf": members}
        for value in node.values():
            _loosen_tuples(value)
    elif isinstance(node, list):
        for value in node:
            _loosen_tuples(value)


def _fuzzable(served: dict) -> dict:
    raw = copy.deepcopy(served)
    _loosen_tuples(raw)
    return raw


SERVED = _served_schema()
SEAT_MAP, SEAT_MAP_COLUMNS = (
    jsonschema_rs.Draft202012Validator(  # with the components its $refs point into
        {**SERVED["components"]["schemas"][name], "components": SERVED["components"]}
    )
    for name in ("SeatMapOut", "SeatMapColumnsOut")
)

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # Abuse limits are off in the test (see `world`), so 429 never answers; the
            # domain's own refusals of schema-valid data (a seat taken: 409, an unknown or
            # repeated seat: 422 invalid_seats, a hold expired: 410, a payment declined: 402)
            # are acceptable answers. That no schema-valid request fails the API's own request
            # validation (422 validation_error) is checked separately in the test.
            # 403: a check-in device asked about a performance it does not serve.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "402", "403", "404", "409", "410", "422"]
            },
            # A wrong token is answered 404, exactly like an unknown id, so that nobody learns
            # which holds and orders exist (reservations/selectors.py owned_hold); schemathesis
            # expects 401/403. Replaced by _check_auth_is_enforced().
            "ignored_auth": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(_fuzzable(SERVED), config=CONFIG)
schema.app = application


@pytest.fixture
def world(db, settings):
    """The seeded ids and tokens every case may aim at."""
    # Abuse limits would answer 429 to a fuzzer that sends hundreds of requests from one address.
    settings.SANDALI_RATE_LIMITS = {}
    settings.SANDALI_MAX_SEATS_PER_CLIENT = 0
    performance = make_performance()
    seats = seat_ids(performance)
    hold = hold_services.hold_seats(performance_id=performance.pk, seat_ids=seats[:2])
    paid = hold_services.hold_seats(performance_id=performance.pk, seat_ids=seats[2:4])
    order = order_checkout.checkout(
        hold_id=paid.hold.pk,
        token=paid.token,
        idempotency_key="schemathesis",
        name="Fuzz",
        email="fuzz@example.com",
    )
    door = create_device(name="Fuzz gate", performance_ids=[performance.pk])
    # As Django's test client does: the end of a request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "performance_id": performance.pk,
        "hold_id": hold.hold.pk,
        "hold_token": hold.token,
        "order_id": order.order.pk,
        "order_token": order.token,
        "seat_id": seats[0],
        "device_token": door.token,
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim_at_world(case, world) -> str | None:
    """Point the case's path ids at seeded rows; return the token that opens them."""
    params = case.path_parameters
    if "/checkin" in case.operation.path:
        if isinstance(case.query, dict) and "performance" in case.query:
            case.query["performance"] = world["performance_id"]
        return world["device_token"]
    if "performance_id" in params:
        params["performance_id"] = world["performance_id"]
    if "seat_id" in params:
        params["seat_id"] = world["seat_id"]
    if "hold_id" in params:
        params["hold_id"] = world["hold_id"]
        return world["hold_token"]
    if "order_id" in params:
        params["order_id"] = world["order_id"]
        return world["order_token"]
    return None


def _problem_code(response) -> str | None:
    if response.headers.get("content-type", [""])[0].startswith(PROBLEM_JSON):
        return response.json().get("code")
    return None


def _check_auth_is_enforced(case) -> None:
    """Without the token: 401 token_required; with a wrong one: 404, as for an unknown id (a
    check-in device, which has no id in the path: 401 device_not_recognised)."""
    saved = dict(case.headers or {})
    case.headers = {k: v for k, v in saved.items() if k.lower() != "authorization"}
    try:
        missing = case.call()
        wrong = case.call(headers={"Authorization": "Bearer not-the-token"})
    finally:
        case.headers = saved
    assert missing.status_code == 401 and _problem_code(missing) == "token_required", missing
    if "/checkin" in case.operation.path:
        assert wrong.status_code == 401 and _problem_code(wrong) == "device_not_recognised"
        return
    # Never a success. 422: the body's checks (validation_error, invalid_seats) come before
    # the token's, and say nothing about whether the hold exists.
    assert wrong.status_code in (404, 422), wrong


def _known_validation_gap(error: dict) -> bool:
    """Refusals of schema-valid data that JSON Schema cannot express (reported, not fixed)."""
    # KNOWN GAP: seat ids are StrictInt, which refuses 1.0, an integer to JSON Schema.
    if error["type"] == "int_type" and error["loc"][-2:-1] == ["seats"]:
        return True
    # KNOWN GAP: EmailStr (email-validator) refuses special-use domains such as a@b.test,
    # which JSON Schema's "email" format allows.
    return error["type"] == "value_error" and error["loc"][-1] == "email"


def _check_seat_map(case, response) -> None:
    if (
        case.operation.path.endswith("/seats")
        and case.method == "GET"
        and response.status_code == 200
    ):
        body = response.json()
        (SEAT_MAP_COLUMNS if "format" in body else SEAT_MAP).validate(body)


def test_the_served_schema_documents_errors_keys_and_seat_lists():
    checkout = SERVED["paths"]["/api/v1/holds/{hold_id}/checkout"]["post"]
    assert set(checkout["responses"]["410"]["content"]) == {PROBLEM_JSON}
    assert "400" in checkout["responses"] and "503" in checkout["responses"]
    (key,) = [p for p in checkout["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] and key["schema"]["maxLength"] == 200
    seats = SERVED["components"]["schemas"]["AdditionIn"]["properties"]["seats"]
    assert seats["minItems"] == 1 and seats["uniqueItems"]


@schema.given(aim=st.booleans())
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, aim, world):
    positive = case.meta is None or case.meta.generation.mode.is_positive
    # Aiming replaces path ids and the Authorization header: only where that does not undo
    # what a negative case made invalid.
    if aim and case.meta is not None:
        aim = not any(case.meta.is_negative_at(at) for at in (Location.PATH, Location.HEADER))
    token = _aim_at_world(case, world) if aim else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # The in-process WSGI client does not undo Content-Encoding as an HTTP client does: ask for
    # bodies as they are (the gzipped seat map is tested in test_seat_map_columns.py).
    headers["Accept-Encoding"] = "identity"
    with transaction.atomic():
        if token and positive:
            _check_auth_is_enforced(case)
        response = case.call_and_validate(headers=headers)
        _check_seat_map(case, response)
        if positive and _problem_code(response) == "validation_error":
            # A schema-valid request may be refused by the domain, never by the API's own
            # request validation: that would mean the schema promises more than it accepts.
            for error in response.json()["errors"]:
                assert _known_validation_gap(error), response.text
        transaction.set_rollback(True)
