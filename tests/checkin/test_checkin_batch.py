"""POST /api/v1/checkins/batch: scans made offline, uploaded later. First scan wins, by when
it was scanned, across devices; every ticket let in when it should not have been is a
conflict for the organizer."""

from datetime import timedelta

import pytest

from checkin.models import CheckIn, CheckinConflict, ConflictKind
from core.dbtime import db_now
from tests.checkin.door import cancel, device, qr, scan, sell, upload
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


def offline(ticket, at, local_id: str) -> dict:
    return {"code": qr(ticket), "scanned_at": at.isoformat(), "local_id": local_id}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_offline_scans_become_check_ins_at_their_scan_time_corrected_for_the_clock(
    client, performance
):
    """The phone's clock is an hour fast: its scan times are moved by the difference between
    its clock and the database's when it sends them."""
    first, second = sell(performance, 2)
    now, fast = db_now(), timedelta(hours=1)
    scans = [
        offline(first, now - timedelta(minutes=5) + fast, "a"),
        offline(second, now + fast, "b"),
    ]
    answer = results(upload(client, device(performance), scans, sent_at=(now + fast).isoformat()))
    assert [r["result"] for r in answer] == ["admitted", "admitted"]
    assert [r["local_id"] for r in answer] == ["a", "b"]
    assert answer[0]["seat"] == {"section": "Section 1", "row": "A", "number": 1, "standing": False}
    checked_in = CheckIn.objects.get(ticket=first)
    assert checked_in.offline and checked_in.local_id == "a"
    assert abs(checked_in.scanned_at - (now - timedelta(minutes=5))) < timedelta(seconds=5)
    assert not CheckinConflict.objects.exists()


def test_a_scan_time_in_the_future_is_recorded_as_now(client, performance):
    (ticket,) = sell(performance)
    now = db_now()
    upload(client, device(performance), [offline(ticket, now + timedelta(days=1), "a")])
    assert CheckIn.objects.get().scanned_at - db_now() < timedelta(seconds=1)


def test_a_device_clock_at_the_ends_of_the_calendar_is_recorded_not_a_500(client, performance):
    """Sent "in year 1" with a scan "in year 9999": the correction runs past what a date can
    hold (found by the API's schema fuzzing); the scan is recorded as now."""
    from datetime import UTC, datetime

    (ticket,) = sell(performance)
    scans = [offline(ticket, datetime(9999, 12, 31, tzinfo=UTC), "a")]
    answer = upload(client, device(performance), scans, sent_at="0001-01-02T00:00:00Z")
    assert results(answer)[0]["result"] == "admitted"
    assert CheckIn.objects.get().scanned_at - db_now() < timedelta(seconds=1)


def test_an_earlier_offline_scan_uploaded_after_a_later_online_one_is_the_check_in(
    client, performance
):
    """Gate 1, offline, let the ticket in at 19:40; Gate 2, online, let it in again at 19:41
    and was told "admitted". When Gate 1 uploads, its 19:40 scan becomes the check-in and
    Gate 2's 19:41 scan a conflict (the ticket was used twice)."""
    (ticket,) = sell(performance)
    gate_1, gate_2 = device(performance, name="Gate 1"), device(performance, name="Gate 2")
    online = scan(client, gate_2, qr(ticket), local_id="g2-1").json()
    online_at = CheckIn.objects.get().scanned_at
    earlier = online_at - timedelta(minutes=1)
    (answer,) = results(upload(client, gate_1, [offline(ticket, earlier, "g1-1")]))
    assert answer["result"] == "admitted" and answer["conflict"] is True
    assert answer["device"] == "Gate 1"
    checked_in = CheckIn.objects.select_related("device").get()
    assert (checked_in.device.name, checked_in.scanned_at) == ("Gate 1", earlier)
    conflict = CheckinConflict.objects.select_related("device").get()
    assert conflict.kind == ConflictKind.USED_TWICE and conflict.ticket_id == ticket.pk
    assert (conflict.device.name, conflict.scanned_at) == ("Gate 2", online_at)
    assert conflict.local_id == "g2-1" and not conflict.offline
    assert online["device"] == "Gate 2"


def test_a_later_offline_scan_of_a_ticket_already_in_is_a_conflict(client, performance):
    (ticket,) = sell(performance)
    gate_1, gate_2 = device(performance, name="Gate 1"), device(performance, name="Gate 2")
    scan(client, gate_2, qr(ticket))
    later = CheckIn.objects.get().scanned_at + timedelta(seconds=30)
    (answer,) = results(upload(client, gate_1, [offline(ticket, later, "g1-1")]))
    assert answer["result"] == "already_checked_in" and answer["conflict"] is True
    assert answer["device"] == "Gate 2" and "Gate 2" in answer["detail"]
    assert CheckIn.objects.get().device.name == "Gate 2"
    conflict = CheckinConflict.objects.get()
    assert (conflict.kind, conflict.device.name, conflict.offline) == (
        ConflictKind.USED_TWICE,
        "Gate 1",
        True,
    )


def test_two_offline_gates_uploading_in_either_order_agree_the_earliest_scan_wins(
    client, performance
):
    (ticket,) = sell(performance)
    gate_1, gate_2 = device(performance, name="Gate 1"), device(performance, name="Gate 2")
    now = db_now()
    results(upload(client, gate_2, [offline(ticket, now - timedelta(minutes=1), "late")]))
    results(upload(client, gate_1, [offline(ticket, now - timedelta(minutes=2), "early")]))
    assert CheckIn.objects.get().device.name == "Gate 1"
    assert list(CheckinConflict.objects.values_list("device__name", "local_id")) == [
        ("Gate 2", "late")
    ]


def test_the_scans_of_one_upload_are_decided_earliest_first(client, performance):
    (ticket,) = sell(performance)
    now = db_now()
    scans = [offline(ticket, now - timedelta(minutes=1), "second"),
             offline(ticket, now - timedelta(minutes=2), "first")]  # fmt: skip
    answer = results(upload(client, device(performance), scans))
    assert [(r["local_id"], r["result"]) for r in answer] == [
        ("second", "already_checked_in"),
        ("first", "admitted"),
    ]
    assert CheckIn.objects.get().local_id == "first"


def test_a_cancelled_ticket_let_in_offline_is_a_conflict(client, performance):
    (ticket,) = sell(performance)
    cancel(ticket)
    (answer,) = results(upload(client, device(performance), [offline(ticket, db_now(), "a")]))
    assert answer["result"] == "ticket_cancelled" and answer["conflict"] is True
    assert not CheckIn.objects.exists()
    conflict = CheckinConflict.objects.get()
    assert (conflict.kind, conflict.performance_id) == (
        ConflictKind.CANCELLED_ADMITTED,
        performance.pk,
    )


def test_a_ticket_of_another_show_let_in_offline_is_a_conflict(client, performance):
    (ticket,) = sell(performance)
    other = make_performance()
    (answer,) = results(upload(client, device(other), [offline(ticket, db_now(), "a")]))
    assert answer["result"] == "wrong_performance" and answer["conflict"] is True
    assert CheckinConflict.objects.get().kind == ConflictKind.WRONG_PERFORMANCE


def test_an_upload_sent_again_is_recorded_once_and_answered_alike(client, performance):
    first, second = sell(performance, 2)
    cancel_later = sell(performance, 1, first=4)[0]
    cancel(cancel_later)
    token = device(performance)
    now = db_now()
    scans = [offline(first, now, "a"), offline(second, now, "b"), offline(cancel_later, now, "c")]
    once = results(upload(client, token, scans))
    again = results(upload(client, token, scans))
    assert once == again
    assert CheckIn.objects.count() == 2 and CheckinConflict.objects.count() == 1


def test_a_scan_no_ticket_answers_is_not_found_and_records_nothing(client, performance):
    scans = [{"code": "ABCDEFGHIJKLMNOP", "scanned_at": db_now().isoformat(), "local_id": "x"}]
    (answer,) = results(upload(client, device(performance), scans))
    assert answer["result"] == "ticket_not_found" and answer["conflict"] is False
    assert "seat" not in answer or answer["seat"] is None
    assert not CheckIn.objects.exists() and not CheckinConflict.objects.exists()
