"""Drafts in the organizer's admin: a new performance starts as a draft, and the publish action
asks for confirmation (now, or at a later time), then publishes through the service, or
shows its refusal and publishes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Event, Performance, Seat, SeatStatus
from tests.factories import make_performance

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:catalog_performance_changelist"


def publish_action(admin_client, performance: Performance, **data):
    return admin_client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [performance.pk], **data},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_performance_made_in_the_admin_starts_as_a_draft(admin_client):
    event = Event.objects.create(name="Opera", venue="Grand hall", time_zone="Europe/Berlin")
    response = admin_client.post(
        reverse("admin:catalog_performance_add"),
        {
            "event": event.pk,
            "starts_at_0": "2031-03-01", "starts_at_1": "19:30:00",
            "sales_start_0": "2031-01-01", "sales_start_1": "10:00:00",
            "sales_end_0": "2031-03-01", "sales_end_1": "18:00:00",
            "published_at_0": "2030-01-01", "published_at_1": "10:00:00",  # not a field here
            "hold_minutes": 10, "max_seats_per_order": 10, "hold_extension_minutes": 0,
            "payment_page_minutes": 10,
            "waiting_room_rate": 0, "waiting_room_threshold": 0,
            "sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    performance = Performance.objects.get()
    assert performance.published_at is None
    assert f"{performance.starts_at:%H:%M}" == "18:30"  # 19:30 in Berlin, in UTC
    changelist = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert "Draft" in changelist


def test_the_publish_action_asks_first_and_publishes_nothing_until_confirmed(admin_client):
    performance = make_performance(published=False)
    response = publish_action(admin_client, performance)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Yes, publish" in page and 'name="publish_at_0"' in page
    assert "Asia/Tehran (UTC+03:30)" in page
    performance.refresh_from_db()
    assert performance.published_at is None


def test_the_confirmed_publish_action_publishes_now(admin_client, client):
    performance = make_performance(published=False)
    assert client.get(f"/performances/{performance.pk}/").status_code == 404
    response = publish_action(admin_client, performance, apply="1")
    assert any("is published" in message for message in messages_of(response))
    performance.refresh_from_db()
    assert performance.published_at is not None
    assert client.get(f"/performances/{performance.pk}/").status_code == 200


def test_the_publish_action_takes_a_later_time_in_the_events_zone(admin_client, client):
    performance = make_performance(published=False)
    Event.objects.filter(pk=performance.event_id).update(time_zone="Europe/Berlin")
    publish_action(
        admin_client, performance, apply="1", publish_at_0="2031-01-05", publish_at_1="09:00:00"
    )
    performance.refresh_from_db()
    assert f"{performance.published_at:%Y-%m-%d %H:%M}" == "2031-01-05 08:00"  # UTC
    assert client.get(f"/performances/{performance.pk}/").status_code == 404


def test_the_publish_action_shows_the_refusal_and_publishes_nothing(admin_client):
    performance = make_performance(published=False)
    Seat.objects.filter(performance=performance).update(status=SeatStatus.BLOCKED)
    response = publish_action(admin_client, performance)
    assert messages_of(response) == [
        "This performance has no seats or standing places to sell yet."
    ]
    response = publish_action(admin_client, performance, apply="1")
    assert "no seats or standing places" in messages_of(response)[0]
    performance.refresh_from_db()
    assert performance.published_at is None


def run_publish(*arguments) -> str:
    out = io.StringIO()
    call_command("publish_performance", *map(str, arguments), stdout=out)
    return out.getvalue()


def test_the_command_publishes_at_the_events_local_time():
    performance = make_performance(published=False)
    Event.objects.filter(pk=performance.event_id).update(time_zone="Europe/Berlin")
    printed = run_publish(performance.pk, "--at", "2031-01-05 09:00")
    assert printed.strip().endswith("from 2031-01-05 09:00 Europe/Berlin.")
    performance.refresh_from_db()
    assert f"{performance.published_at:%Y-%m-%d %H:%M}" == "2031-01-05 08:00"  # UTC


def test_the_command_says_why_it_refuses():
    performance = make_performance(published=False, sections=0)
    with pytest.raises(CommandError, match="no seats or standing places"):
        run_publish(performance.pk)
    with pytest.raises(CommandError, match="No performance"):
        run_publish(999_999)
