"""The door in the organizer's admin: devices with a token shown once, revocation, who is in
per section, and the conflicts offline scanning left."""

import hashlib
import re

import pytest
from django.urls import reverse

from checkin.models import CheckinDevice
from tests.api.helpers import assert_problem
from tests.checkin.door import device, qr, scan, sell, upload

pytestmark = pytest.mark.django_db


def test_an_organizer_adds_a_device_and_sees_its_token_this_once(admin_client, client, performance):
    response = admin_client.post(
        reverse("admin:checkin_checkindevice_add"),
        {"name": "Gate 4", "performances": [performance.pk]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = re.search(r'<code id="device-token"[^>]*>([^<]+)</code>', page).group(1)
    assert "http://testserver/checkin/" in page and "<svg" in page  # and its QR code
    device = CheckinDevice.objects.get()
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert list(device.performances.all()) == [performance]
    change = admin_client.get(reverse("admin:checkin_checkindevice_change", args=[device.pk]))
    assert token not in change.content.decode()
    (ticket,) = sell(performance)
    assert scan(client, token, qr(ticket)).status_code == 200


def test_the_revoke_action_locks_a_device_out(admin_client, client, performance):
    token = device(performance)
    response = admin_client.post(
        reverse("admin:checkin_checkindevice_changelist"),
        {"action": "revoke", "_selected_action": [CheckinDevice.objects.get().pk]},
        follow=True,
    )
    assert "Revoked 1 device." in response.content.decode()
    (ticket,) = sell(performance)
    assert_problem(scan(client, token, qr(ticket)), 401, "device_not_recognised")


def test_the_performance_page_shows_who_is_in_by_section_and_the_conflicts(
    admin_client, client, performance
):
    tickets = sell(performance, 3) + sell(performance, 1, first=10)
    token = device(performance)
    scan(client, token, qr(tickets[0]))
    late = [{"code": qr(tickets[0]), "scanned_at": "2099-01-01T00:00:00Z", "local_id": "x"}]
    upload(client, token, late)
    page = admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "<tr><td>Section 1</td><td>1</td><td>3</td><td>2</td></tr>" in text
    assert "<tr><td>Section 2</td><td>0</td><td>1</td><td>1</td></tr>" in text
    assert "ticket used twice: 1" in text


def test_the_check_ins_and_conflicts_are_listed(admin_client, client, performance):
    (ticket,) = sell(performance)
    token = device(performance, name="Gate 7")
    scan(client, token, qr(ticket))
    upload(client, token, [{"code": qr(ticket), "scanned_at": "2099-01-01T00:00:00Z",
                            "local_id": "x"}])  # fmt: skip
    for name in ("checkin", "checkinconflict", "checkindevice"):
        url = reverse(f"admin:checkin_{name}_changelist")
        response = admin_client.get(
            url, {"performance": performance.pk} if name != "checkindevice" else {}
        )
        assert response.status_code == 200
        assert "Gate 7" in response.content.decode()
