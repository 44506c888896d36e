"""Bad input that once reached the database or the payment provider: refused before either."""

import json

import pytest

from catalog.models import SectionTicketType
from orders.models import Order
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def charges(monkeypatch):
    """Every charge the payment provider receives."""
    from payments.providers import TestPaymentProvider

    calls = []
    original = TestPaymentProvider.charge

    def recording(self, **kwargs):
        calls.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "charge", recording)
    return calls


def new_hold(client, performance, count=1):
    response = post(
        client,
        f"/api/v1/performances/{performance.pk}/holds",
        {"seats": seat_ids(performance)[:count]},
    )
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize("field", ["name", "phone", "key"])
def test_a_nul_byte_in_checkout_is_refused_before_any_charge(client, performance, charges, field):
    hold = new_hold(client, performance)
    body = {"name": "Ava", "email": "ava@example.org", "phone": ""}
    key = "key"
    if field == "key":
        key = "k\x00"
    else:
        body[field] = "a\x00b"
    response = post(
        client,
        f"/api/v1/holds/{hold['id']}/checkout",
        body,
        HTTP_AUTHORIZATION=f"Bearer {hold['token']}",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 422
    assert charges == [] and not Order.objects.exists()


def test_a_body_over_the_limit_is_a_413_problem(client, performance, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(
        client, f"/api/v1/performances/{performance.pk}/holds", {"seats": list(range(1, 1000))}
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"


def test_a_seat_whose_price_was_deleted_is_invalid_not_taken(client, performance, charges):
    hold = new_hold(client, performance)
    SectionTicketType.objects.filter(section__performance=performance).delete()
    response = client.get(
        f"/api/v1/holds/{hold['id']}", HTTP_AUTHORIZATION=f"Bearer {hold['token']}"
    )
    assert response.status_code == 200
    assert response.json()["seats"][0]["price"] is None
    refused = post(
        client,
        f"/api/v1/performances/{performance.pk}/holds",
        {"seats": seat_ids(performance)[1:2]},
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_seats")
    checkout = post(
        client,
        f"/api/v1/holds/{hold['id']}/checkout",
        {"name": "Ava", "email": "ava@example.org"},
        HTTP_AUTHORIZATION=f"Bearer {hold['token']}",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert (checkout.status_code, checkout.json()["code"]) == (422, "invalid_seats")
    assert charges == []
