"""Check-in devices: the command prints a token once that works, and only its hash is kept."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from checkin.models import CheckinDevice
from tests.api.helpers import assert_problem
from tests.checkin.door import qr, scan, sell
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_checkin_device", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_a_token_that_works_and_stores_only_its_hash(client, performance):
    other = make_performance()
    printed = create("--performance", str(performance.pk), "--performance", str(other.pk),
                     "--name", "Gate-1")  # fmt: skip
    token = printed.splitlines()[2]
    assert len(token) >= 40
    device = CheckinDevice.objects.get()
    assert device.name == "Gate-1"
    assert set(device.performances.values_list("pk", flat=True)) == {performance.pk, other.pk}
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in CheckinDevice.objects.values_list().get())
    assert token not in stored
    (ticket,) = sell(performance)
    assert scan(client, token, qr(ticket)).status_code == 200


def test_the_command_revokes_a_device_whose_token_then_opens_nothing(client, performance):
    token = create("--performance", str(performance.pk)).splitlines()[2]
    device = CheckinDevice.objects.get()
    assert "Revoked 1" in create("--revoke", str(device.pk))
    device.refresh_from_db()
    assert device.revoked_at is not None
    (ticket,) = sell(performance)
    assert_problem(scan(client, token, qr(ticket)), 401, "device_not_recognised")


def test_the_command_refuses_an_unknown_performance_and_makes_nothing(performance):
    with pytest.raises(CommandError, match="does not exist"):
        create("--performance", str(performance.pk), "--performance", "999999")
    with pytest.raises(CommandError):
        create()
    assert not CheckinDevice.objects.exists()
