"""House seats in the admin: the seats action asks the channel and holds back the free seats,
the performance's page lists each channel, and "Release to public" asks first, then releases
and is written in the performance's history."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.http import urlencode

from catalog.house_seats import hold_back_seats
from catalog.models import HeldBackSeat, Seat, SeatStatus
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db

SEATS = reverse("admin:catalog_seat_changelist")


def release_url(performance, channel):
    url = reverse("admin:catalog_performance_release_channel", args=[performance.pk])
    return f"{url}?{urlencode({'channel': channel})}"


def test_the_action_asks_the_channel_then_holds_back_the_free_seats(admin_client):
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=ids[:1])
    asked = {"action": "hold_back", "_selected_action": ids[:3]}
    page = admin_client.post(SEATS, asked)
    assert page.status_code == 200
    assert b'name="channel"' in page.content and not HeldBackSeat.objects.exists()
    done = admin_client.post(SEATS, {**asked, "apply": "1", "channel": "sponsors"}, follow=True)
    text = done.content.decode()
    assert "Held back 2 seats for “sponsors”." in text
    assert "1 seat was not free and is left as it was: " + str(Seat.objects.get(pk=ids[0])) in text
    assert set(HeldBackSeat.objects.values_list("seat_id", "channel", "held_by")) == {
        (ids[1], "sponsors", "admin"),
        (ids[2], "sponsors", "admin"),
    }
    listed = admin_client.get(f"{SEATS}?performance={performance.pk}").content.decode()
    assert listed.count('<td class="field-channel">sponsors</td>') == 2


def test_the_action_asks_again_without_a_channel(admin_client):
    performance = make_performance()
    ids = seat_ids(performance)[:2]
    page = admin_client.post(
        SEATS, {"action": "hold_back", "_selected_action": ids, "apply": "1", "channel": " "}
    )
    assert page.status_code == 200 and b"errorlist" in page.content
    assert not HeldBackSeat.objects.exists()


def test_the_performance_page_lists_each_channel_with_its_seats(admin_client):
    performance = make_performance(sections=1, rows=1, seats_per_row=5)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[3:4])
    page = admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
    rows = re.findall(
        r'<tr data-channel="([^"]+)"><td>[^<]+</td><td>(\d+)</td>', page.content.decode()
    )
    assert rows == [("press", "1"), ("sponsors", "3")]
    assert release_url(performance, "sponsors").replace("&", "&amp;") in page.content.decode()


def test_release_asks_for_confirmation_then_releases_and_is_recorded(admin_client):
    performance = make_performance(sections=1, rows=1, seats_per_row=5)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[3:4])
    asking = admin_client.get(release_url(performance, "sponsors"))
    assert "The 3 seats held back for “sponsors” go on sale" in asking.content.decode()
    unconfirmed = admin_client.post(release_url(performance, "sponsors"), {"channel": "sponsors"})
    assert unconfirmed.status_code == 200 and HeldBackSeat.objects.count() == 4
    done = admin_client.post(
        release_url(performance, "sponsors"), {"channel": "sponsors", "confirmed": "yes"}
    )
    assert done.status_code == 302
    assert [s.status for s in Seat.objects.filter(pk__in=ids[:4]).order_by("id")] == [
        SeatStatus.AVAILABLE, SeatStatus.AVAILABLE, SeatStatus.AVAILABLE, SeatStatus.BLOCKED
    ]  # fmt: skip
    entry = LogEntry.objects.get(object_id=str(performance.pk))
    assert entry.user.username == "admin"
    assert "Released 3 seats of “sponsors” to the public." in entry.get_change_message()


def test_release_of_a_channel_without_seats_is_not_found(admin_client):
    performance = make_performance()
    assert admin_client.get(release_url(performance, "nobody")).status_code == 404


def test_release_needs_the_permission_to_change_the_performance(client, django_user_model):
    performance = make_performance()
    hold_back_seats(
        performance_id=performance.pk, channel="press", seat_ids=seat_ids(performance)[:1]
    )
    staff = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.post(
        release_url(performance, "press"), {"confirmed": "yes", "channel": "press"}
    )
    assert response.status_code == 403
    assert HeldBackSeat.objects.count() == 1


def test_the_channels_and_the_release_read_in_persian(admin_client):
    performance = make_performance(sections=1, rows=1, seats_per_row=5)
    hold_back_seats(
        performance_id=performance.pk, channel="حامیان", seat_ids=seat_ids(performance)[:3]
    )
    page = admin_client.get(
        reverse("admin:catalog_performance_change", args=[performance.pk]),
        HTTP_ACCEPT_LANGUAGE="fa",
    ).content.decode()
    assert 'dir="rtl"' in page
    assert '<tr data-channel="حامیان"><td>حامیان</td><td>۳</td><td>۰</td><td>۰</td>' in page
    assert "آزاد برای فروش عمومی" in page
    asking = admin_client.get(release_url(performance, "حامیان"), HTTP_ACCEPT_LANGUAGE="fa")
    assert "۳ صندلی کنارگذاشته برای «حامیان» بی‌درنگ" in asking.content.decode()


def test_the_house_seats_errors_have_codes_and_read_in_persian():
    from django.utils import translation

    from catalog.errors import ChannelHasNoSeats, ChannelNameInvalid, SeatsNotHeldBack

    errors = [ChannelNameInvalid(limit=40), ChannelHasNoSeats(channel="press"),
              SeatsNotHeldBack(channel="press", seats=[1])]  # fmt: skip
    assert [(e.code, e.status) for e in errors] == [
        ("channel_name_invalid", 422), ("channel_has_no_seats", 404), ("seats_not_held_back", 409)
    ]  # fmt: skip
    with translation.override("fa"):
        assert [e.message for e in errors] == [
            "نام کانال را در حداکثر ۴۰ نویسه بنویسید، مانند «حامیان» یا «مطبوعات».",
            "هیچ صندلی‌ای از این اجرا برای کانال «press» کنار گذاشته نشده است.",
            "برخی از صندلی‌های انتخاب‌شده برای «press» کنار گذاشته نشده‌اند، یا گرفته شده‌اند.",
        ]
