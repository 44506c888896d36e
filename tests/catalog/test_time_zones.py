"""Each event has a time zone (issue #18 item 1): its times are shown in it on the buyer's
pages, the tickets and the mails, in both languages, and in the admin, whose form shows and
reads the event's local time and names the zone."""

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from catalog.models import Event, Performance
from core.localformat import when
from delivery.mail import compose_order_mail
from orders.checkout import checkout
from orders.models import MailKind, OrderMail
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db

# Saturday 26 December 2026, 19:30 in New York (5 Dey 1405); already the 27th, 04:00 in Tehran.
EVENING_UTC = datetime(2026, 12, 27, 0, 30, tzinfo=UTC)
ENGLISH = "Saturday 26 December 2026, 19:30"
PERSIAN = "شنبه ۵ دی ۱۴۰۵، ۱۹:۳۰"


@pytest.fixture
def new_york():
    performance = make_performance()
    Event.objects.filter(pk=performance.event_id).update(time_zone="America/New_York")
    Performance.objects.filter(pk=performance.pk).update(starts_at=EVENING_UTC)
    return Performance.objects.select_related("event").get(pk=performance.pk)


def test_an_event_takes_the_sites_time_zone_unless_told(settings):
    assert Event.objects.create(name="Here").time_zone == settings.TIME_ZONE == "Asia/Tehran"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "asia/tehran"])
def test_a_time_zone_that_is_not_an_iana_name_is_refused(zone):
    with pytest.raises(ValidationError) as refused:
        Event(name="Somewhere", time_zone=zone).full_clean()
    assert "time_zone" in refused.value.message_dict


def test_a_moment_reads_in_the_zone_asked_for_in_both_languages():
    with translation.override("en"):
        assert when(EVENING_UTC, "America/New_York") == ENGLISH
        assert when(EVENING_UTC, "Asia/Tehran") == "Sunday 27 December 2026, 04:00"
    with translation.override("fa"):
        assert when(EVENING_UTC, "America/New_York") == PERSIAN


@pytest.mark.parametrize("language, shown", [("en", ENGLISH), ("fa", PERSIAN)])
def test_the_buyers_pages_show_the_events_local_time(client, new_york, language, shown):
    for path in ("/", f"/performances/{new_york.pk}/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert shown in page, path
        assert "04:00" not in page and "۰۴:۰۰" not in page


def test_the_api_names_the_events_time_zone(client, new_york):
    body = client.get(f"/api/v1/performances/{new_york.pk}").json()
    assert body["event"]["time_zone"] == "America/New_York"
    assert client.get("/api/v1/events").json()[0]["time_zone"] == "America/New_York"


@pytest.mark.parametrize("language, shown", [("en", ENGLISH), ("fa", PERSIAN)])
def test_the_mail_and_its_tickets_show_the_events_local_time(new_york, language, shown):
    held = hold_seats(performance_id=new_york.pk, seat_ids=seat_ids(new_york)[:1])
    order = checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                     email="ava@example.org", language=language).order  # fmt: skip
    message = compose_order_mail(OrderMail.objects.get(order=order, kind=MailKind.CONFIRMATION))
    assert shown in message.body
    if language == "en":  # the PDF's Persian text comes out of pypdf in shaping order
        ((_, content, _),) = message.attachments
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert "19:30" in text and "04:00" not in text


def test_the_admin_form_shows_and_reads_the_events_local_time(admin_client, new_york):
    url = reverse("admin:catalog_performance_change", args=[new_york.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="starts_at_0" value="2026-12-26"' in page
    assert 'name="starts_at_1" value="19:30:00"' in page
    assert "In the event's time zone: America/New_York (UTC-05:00)." in page

    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {
        **{k: v for k, v in data.items() if k not in ("starts_at", "sales_start", "sales_end")},
        "starts_at_0": "2026-12-26", "starts_at_1": "20:00:00",
        "sales_start_0": "2026-12-01", "sales_start_1": "10:00:00",
        "sales_end_0": "2026-12-26", "sales_end_1": "18:00:00",
        "sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new_york.refresh_from_db()
    assert new_york.starts_at == datetime(2026, 12, 27, 1, 0, tzinfo=UTC)  # 20:00 in New York
    assert new_york.sales_start == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_a_copys_times_are_typed_in_the_events_zone(admin_client, new_york):
    response = admin_client.post(
        reverse("admin:catalog_performance_changelist"),
        {
            "action": "copy_layout", "_selected_action": [new_york.pk], "apply": "1",
            "starts_at_0": "2031-03-01", "starts_at_1": "19:30:00",
            "sales_start_0": "2031-01-01", "sales_start_1": "10:00:00",
            "sales_end_0": "2031-03-01", "sales_end_1": "18:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302
    copy = Performance.objects.exclude(pk=new_york.pk).get()
    assert copy.starts_at == datetime(2031, 3, 2, 0, 30, tzinfo=UTC)  # 19:30 in New York
    assert copy.published_at is None
    page = admin_client.post(
        reverse("admin:catalog_performance_changelist"),
        {"action": "copy_layout", "_selected_action": [new_york.pk]},
    ).content.decode()
    assert "time zone: America/New_York." in page
