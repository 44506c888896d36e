"""Abuse limits over HTTP: request rates per address and per hold, and a cap on the seats one
client holds across all its holds; refusals are 429 problems with Retry-After."""

import json
import urllib.error
import urllib.request

import pytest

from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.servers import redis_server, sandali_server

pytestmark = pytest.mark.django_db


def hold(client, performance, seats, **headers):
    return client.post(
        f"/api/v1/performances/{performance.pk}/holds",
        json.dumps({"seats": seats}),
        content_type="application/json",
        **headers,
    )


def test_holds_beyond_the_rate_are_429_with_retry_after_and_hold_nothing(
    client, performance, settings
):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "2/60"}
    ids = seat_ids(performance)
    assert hold(client, performance, [ids[0]]).status_code == 201
    assert hold(client, performance, [ids[1]]).status_code == 201
    refused = hold(client, performance, [ids[2]], HTTP_ACCEPT_LANGUAGE="fa")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "ثانیه" in refused.json()["detail"]
    assert Hold.objects.count() == 2
    other_client = hold(client, performance, [ids[3]], REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 201


def test_checkouts_of_one_hold_are_limited(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "checkouts_per_hold": "2/60"}
    created = hold(client, performance, seat_ids(performance)[:1]).json()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {created['token']}"}
    url = f"/api/v1/holds/{created['id']}/checkout"
    body = json.dumps({"name": "A", "email": "a@example.org", "payment_token": "decline"})
    for _ in range(2):
        response = client.post(url, body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="k", **headers)  # fmt: skip
        assert response.status_code == 402
    response = client.post(url, body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k", **headers)  # fmt: skip
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_one_client_cannot_hold_more_than_its_cap_across_holds(client, performance, settings):
    settings.SANDALI_MAX_SEATS_PER_CLIENT = 5
    ids = seat_ids(performance)
    assert hold(client, performance, ids[0:3]).status_code == 201
    assert hold(client, performance, ids[3:5]).status_code == 201
    refused = hold(client, performance, ids[5:6])
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_seats_held"
    assert refused["Retry-After"]
    assert hold(client, performance, ids[5:6], REMOTE_ADDR="192.0.2.8").status_code == 201


def test_forwarded_addresses_count_only_behind_trusted_proxies(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    ids = seat_ids(performance)
    assert (
        hold(client, performance, [ids[0]], HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    )
    # Without trusted proxies a forged header does not make a new client.
    assert (
        hold(client, performance, [ids[1]], HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
    )
    settings.SANDALI_TRUSTED_PROXIES = 1
    assert (
        hold(client, performance, [ids[2]], HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 201
    )


def post_status(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_two_app_processes_share_one_rate_limit_through_redis():
    with redis_server() as redis_url:
        if redis_url is None:
            pytest.skip("needs redis-server (Debian package redis-server; .ci/run installs it)")
        performance = make_performance()
        ids = seat_ids(performance)
        limits = {"redis_url": redis_url, "SANDALI_RATE_HOLDS": "3/60"}
        with sandali_server(**limits) as a, sandali_server(**limits) as b:
            url = f"/api/v1/performances/{performance.pk}/holds"
            statuses = [
                post_status(f"{a}{url}", {"seats": [ids[0]]}),
                post_status(f"{b}{url}", {"seats": [ids[1]]}),
                post_status(f"{a}{url}", {"seats": [ids[2]]}),
                post_status(f"{b}{url}", {"seats": [ids[3]]}),
            ]
        assert statuses == [201, 201, 201, 429]


def test_strangers_cannot_use_up_a_buyers_checkout_attempts(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "checkouts_per_hold": "2/60"}
    created = hold(client, performance, seat_ids(performance)[:1]).json()
    url = f"/api/v1/holds/{created['id']}/checkout"
    body = json.dumps({"name": "A", "email": "a@example.org"})
    for n in range(3):
        stranger = {"HTTP_AUTHORIZATION": "Bearer wrong", "REMOTE_ADDR": f"192.0.2.{n + 20}"}
        guess = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k",
                            **stranger)  # fmt: skip
        assert guess.status_code in (404, 429)
    paid = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k",
                       HTTP_AUTHORIZATION=f"Bearer {created['token']}")  # fmt: skip
    assert paid.status_code == 201


def test_addresses_of_one_ipv6_network_share_a_limit(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    ids = seat_ids(performance)
    assert hold(client, performance, [ids[0]], REMOTE_ADDR="2001:db8::1").status_code == 201
    assert hold(client, performance, [ids[1]], REMOTE_ADDR="2001:db8::2").status_code == 429
    assert hold(client, performance, [ids[2]], REMOTE_ADDR="2001:db8:0:1::1").status_code == 201


def test_a_long_wait_is_said_in_minutes_in_both_languages():
    from django.utils import translation

    from core.limits import RateLimited

    assert RateLimited(retry_after=30).message.endswith("wait 30 seconds and try again.")
    assert RateLimited(retry_after=1575).message.endswith("try again in 27 minutes.")
    with translation.override("fa"):
        assert "۲۷ دقیقهٔ دیگر" in RateLimited(retry_after=1575).message
