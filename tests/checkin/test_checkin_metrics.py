"""/metrics counts who is in, per performance and section, from the rows at each scrape."""

import pytest

from checkin.devices import revoke_devices
from checkin.models import CheckinDevice
from tests.checkin.door import cancel, device, qr, scan, sell, upload

pytestmark = pytest.mark.django_db


def test_metrics_count_admitted_and_expected_by_section_and_conflicts(client, performance):
    tickets = sell(performance, 3) + sell(performance, 2, first=10)  # sections 1 and 2
    token = device(performance)
    for ticket in tickets[:2] + tickets[3:4]:
        scan(client, token, qr(ticket))
    cancel(sell(performance, 1, first=6)[0])  # cancelled: expected by nobody
    late = [{"code": qr(tickets[0]), "scanned_at": "2099-01-01T00:00:00Z", "local_id": "x"}]
    upload(client, token, late)
    text = client.get("/metrics").content.decode()
    labels = f'performance="{performance.pk}"'
    assert f'sandali_checkin_admitted{{{labels},section="Section 1"}} 2.0' in text
    assert f'sandali_checkin_expected{{{labels},section="Section 1"}} 3.0' in text
    assert f'sandali_checkin_admitted{{{labels},section="Section 2"}} 1.0' in text
    assert f'sandali_checkin_expected{{{labels},section="Section 2"}} 2.0' in text
    assert f'sandali_checkin_conflicts{{kind="used_twice",{labels}}} 1.0' in text


def test_metrics_follow_the_rows_not_a_counter(client, performance):
    (ticket,) = sell(performance)
    device(performance)
    line = f'sandali_checkin_expected{{performance="{performance.pk}",section="Section 1"}}'
    assert f"{line} 1.0" in client.get("/metrics").content.decode()
    cancel(ticket)
    assert f"{line} 1.0" not in client.get("/metrics").content.decode()


def test_metrics_leave_out_performances_no_device_serves_any_more(client, performance):
    sell(performance)
    device(performance)
    assert f'performance="{performance.pk}"' in door_metrics(client)
    revoke_devices(device_ids=list(CheckinDevice.objects.values_list("pk", flat=True)))
    assert f'performance="{performance.pk}"' not in door_metrics(client)


def door_metrics(client) -> str:
    """The door's lines of /metrics (other gauges, such as the waiting room's, may name the
    same performance id from an earlier test)."""
    lines = client.get("/metrics").content.decode().splitlines()
    return "\n".join(line for line in lines if line.startswith("sandali_checkin_"))
