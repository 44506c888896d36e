import pytest
from django.db import connection
from prometheus_client import REGISTRY

from catalog.errors import SeatsUnavailable
from ops.periodic import sweep_once
from orders.checkout import checkout
from reservations.services import hold_seats, release_hold
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db(transaction=True)  # seat counters move on commit


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_counters_move_as_buyers_hold_buy_release_and_holds_expire(performance):
    ids = seat_ids(performance)
    before = {
        "held": value("sandali_hold_attempts_total", outcome="held"),
        "refused": value("sandali_hold_attempts_total", outcome="seats_unavailable"),
        "seats_held": value("sandali_seat_changes_total", reason="held"),
        "sold": value("sandali_seat_changes_total", reason="sold"),
        "released": value("sandali_seat_changes_total", reason="released"),
        "expired": value("sandali_seat_changes_total", reason="expired"),
        "paid": value("sandali_checkouts_total", outcome="paid"),
        "sweeps": value("sandali_sweep_runs_total"),
        "freed": value("sandali_sweep_seats_freed_total"),
    }
    bought = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=performance.pk, seat_ids=ids[1:3])
    checkout(
        hold_id=bought.hold.pk, token=bought.token, idempotency_key="k", name="A", email="a@x.org"
    )
    released = hold_seats(performance_id=performance.pk, seat_ids=ids[3:6])
    release_hold(hold_id=released.hold.pk, token=released.token)
    expired = hold_seats(performance_id=performance.pk, seat_ids=ids[6:7])
    expire_hold(expired.hold)
    sweep_once()
    assert value("sandali_hold_attempts_total", outcome="held") - before["held"] == 3
    assert (
        value("sandali_hold_attempts_total", outcome="seats_unavailable") - before["refused"] == 1
    )
    assert value("sandali_seat_changes_total", reason="held") - before["seats_held"] == 6
    assert value("sandali_seat_changes_total", reason="sold") - before["sold"] == 2
    assert value("sandali_seat_changes_total", reason="released") - before["released"] == 3
    assert value("sandali_seat_changes_total", reason="expired") - before["expired"] == 1
    assert value("sandali_checkouts_total", outcome="paid") - before["paid"] == 1
    assert value("sandali_sweep_runs_total") - before["sweeps"] == 1
    assert value("sandali_sweep_seats_freed_total") - before["freed"] == 1


def test_the_inconsistency_gauge_reads_zero_and_sees_a_planted_one(client, performance):
    text = client.get("/metrics").content.decode()
    assert "sandali_inventory_inconsistencies 0.0" in text
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orders_ticket SET valid = %s", [False])
    assert "sandali_inventory_inconsistencies 1.0" in client.get("/metrics").content.decode()


def test_request_latency_is_recorded_by_route(client, performance):
    client.get(f"/api/v1/performances/{performance.pk}")
    text = client.get("/metrics").content.decode()
    assert (
        'sandali_request_seconds_count{method="GET",route="api/v1/performances/<performance_id>",'
        'status="200"}' in text
    )


def test_metrics_are_refused_outside_the_allowed_networks_without_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.SANDALI_METRICS_TOKEN = "s3cret"
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer no"
        ).status_code
        == 403
    )
    allowed = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret")
    assert allowed.status_code == 200


def test_metrics_behind_a_proxy_on_the_same_host_are_not_public(client, settings):
    """The proxy connects from loopback; the client it forwards for is not loopback."""
    outsider = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **outsider).status_code == 403  # no proxy declared
    settings.SANDALI_TRUSTED_PROXIES = 1
    assert client.get("/metrics", **outsider).status_code == 403
    insider = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert client.get("/metrics", **insider).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
