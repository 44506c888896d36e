"""POST /api/v1/checkins: each answer a gate can get, in English and Persian."""

import pytest

from checkin.devices import revoke_devices
from checkin.models import CheckIn, CheckinConflict, CheckinDevice
from tests.api.helpers import assert_problem
from tests.checkin.door import cancel, device, qr, scan, sell
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


def test_the_first_scan_of_a_valid_pass_admits_it_with_its_seat(client, performance):
    (ticket,) = sell(performance)
    response = scan(client, device(performance), qr(ticket))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == "admitted"
    assert body["seat"] == {"section": "Section 1", "row": "A", "number": 1, "standing": False}
    assert body["ticket_type"] == "Normal"
    assert body["performance"]["id"] == performance.pk
    assert body["performance"]["event"] == "Test concert"
    assert body["device"] == "Gate 1"
    assert CheckIn.objects.get().ticket_id == ticket.pk


def test_a_code_typed_by_hand_admits_like_the_pass(client, performance):
    (ticket,) = sell(performance)
    typed = f"{ticket.code[:4].lower()} {ticket.code[4:8]}-{ticket.code[8:]}"
    response = scan(client, device(performance), typed)
    assert response.status_code == 200, response.content
    assert CheckIn.objects.filter(ticket=ticket).exists()


def test_a_second_scan_is_already_checked_in_saying_when_and_at_which_gate(client, performance):
    (ticket,) = sell(performance)
    scan(client, device(performance, name="Gate 2"), qr(ticket))
    response = scan(client, device(performance, name="Gate 5"), qr(ticket))
    body = assert_problem(response, 409, "already_checked_in")
    checked_in = CheckIn.objects.get()
    assert body["device"] == "Gate 2"
    assert body["checked_in_at"] == checked_in.scanned_at.isoformat()
    assert body["time"] in body["detail"] and "Gate 2" in body["detail"]
    assert CheckIn.objects.count() == 1 and not CheckinConflict.objects.exists()


def test_already_checked_in_reads_in_persian_with_persian_digits(client, performance):
    (ticket,) = sell(performance)
    token = device(performance, name="Gate 2")
    scan(client, token, qr(ticket))
    body = assert_problem(scan(client, token, qr(ticket), lang="fa"), 409, "already_checked_in")
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert body["time"].translate(persian) in body["detail"]
    assert "Gate ۲" in body["detail"] and "قبلاً" in body["detail"]
    assert body["device"] == "Gate 2"


def test_an_unknown_code_is_ticket_not_found(client, performance):
    sell(performance)
    response = scan(client, device(performance), "ABCDEFGHIJKLMNOP")
    assert_problem(response, 404, "ticket_not_found")


def test_a_forged_pass_reads_exactly_like_an_unknown_code(client, performance):
    (ticket,) = sell(performance)
    token = device(performance)
    forged = qr(ticket)[:-4] + ("AAAA" if not qr(ticket).endswith("AAAA") else "BBBB")
    unknown = assert_problem(scan(client, token, "ABCDEFGHIJKLMNOP"), 404, "ticket_not_found")
    refused = assert_problem(scan(client, token, forged), 404, "ticket_not_found")
    assert refused == unknown
    assert not CheckIn.objects.exists()


def test_a_pass_moved_to_another_show_is_ticket_not_found(client, performance):
    (ticket,) = sell(performance)
    other = make_performance()
    moved = qr(ticket).replace(f"SND1:{performance.pk}:", f"SND1:{other.pk}:")
    assert_problem(scan(client, device(performance, other), moved), 404, "ticket_not_found")


def test_a_ticket_of_a_show_this_device_does_not_serve_is_wrong_performance(client, performance):
    (ticket,) = sell(performance)
    other = make_performance()
    assert_problem(scan(client, device(other), qr(ticket)), 409, "wrong_performance")
    assert not CheckIn.objects.exists()


def test_a_ticket_of_another_show_at_this_door_is_wrong_performance(client, performance):
    """A device for the matinee and the evening, at the evening's door, refuses a matinee
    ticket; without naming the door's show it would let it in."""
    (ticket,) = sell(performance)
    evening = make_performance()
    token = device(performance, evening)
    response = scan(client, token, qr(ticket), performance=evening.pk)
    assert_problem(response, 409, "wrong_performance")
    assert scan(client, token, qr(ticket)).status_code == 200


def test_a_door_the_device_does_not_serve_is_refused(client, performance):
    (ticket,) = sell(performance)
    other = make_performance()
    response = scan(client, device(performance), qr(ticket), performance=other.pk)
    assert_problem(response, 403, "performance_not_served")


def test_a_cancelled_ticket_is_refused(client, performance):
    (ticket,) = sell(performance)
    cancel(ticket)
    assert_problem(scan(client, device(performance), qr(ticket)), 409, "ticket_cancelled")
    assert not CheckIn.objects.exists()


def test_an_unknown_or_revoked_token_gets_401_and_no_token_gets_token_required(client, performance):
    (ticket,) = sell(performance)
    token = device(performance)
    unknown = scan(client, "not-a-device-token", qr(ticket))
    assert_problem(unknown, 401, "device_not_recognised")
    assert unknown["WWW-Authenticate"] == "Bearer"
    revoke_devices(device_ids=[CheckinDevice.objects.get().pk])
    assert_problem(scan(client, token, qr(ticket)), 401, "device_not_recognised")
    response = client.post(
        "/api/v1/checkins", {"code": qr(ticket)}, content_type="application/json"
    )
    assert_problem(response, 401, "token_required")
    assert not CheckIn.objects.exists()


def test_the_same_scan_sent_again_is_admitted_again_not_already_used(client, performance):
    """A gate whose answer was lost sends the scan again with its id: still one check-in."""
    (ticket,) = sell(performance)
    token = device(performance)
    first = scan(client, token, qr(ticket), local_id="scan-1")
    again = scan(client, token, qr(ticket), local_id="scan-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["checked_in_at"] == again.json()["checked_in_at"]
    assert_problem(scan(client, token, qr(ticket), local_id="scan-2"), 409, "already_checked_in")


def test_a_scan_id_reused_for_another_ticket_is_a_new_scan(client, performance):
    first, second = sell(performance, 2)
    token = device(performance)
    assert scan(client, token, qr(first), local_id="scan-1").status_code == 200
    assert scan(client, token, qr(second), local_id="scan-1").status_code == 200
    assert CheckIn.objects.count() == 2


def test_the_device_learns_its_name_and_performances(client, performance):
    other = make_performance()
    token = device(performance, other, name="North door")
    response = client.get("/api/v1/checkin/device", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "North door"
    assert [p["id"] for p in body["performances"]] == [performance.pk, other.pk]
