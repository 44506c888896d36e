"""The organizer turns a performance's waiting room on in the admin, and it takes effect."""

import pytest
from django.urls import reverse

from catalog.models import Performance
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def test_the_organizer_turns_the_waiting_room_on_and_holds_need_a_pass(admin_client, client):
    performance = make_performance()
    url = reverse("admin:catalog_performance_change", args=[performance.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data.update(
        {
            "waiting_room": "on",
            "waiting_room_rate": "120",
            "waiting_room_threshold": "0",
            "sales_start_0": performance.sales_start.strftime("%Y-%m-%d"),
            "sales_start_1": performance.sales_start.strftime("%H:%M:%S"),
            "sales_end_0": performance.sales_end.strftime("%Y-%m-%d"),
            "sales_end_1": performance.sales_end.strftime("%H:%M:%S"),
            "starts_at_0": performance.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": performance.starts_at.strftime("%H:%M:%S"),
        }
    )
    for key in ("sales_start", "sales_end", "starts_at"):
        data.pop(key, None)
    data = {k: v for k, v in data.items() if v is not False}
    data.update({"sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"})
    saved = admin_client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    performance = Performance.objects.get(pk=performance.pk)
    assert performance.waiting_room and performance.waiting_room_rate == 120
    refused = client.post(
        f"/performances/{performance.pk}/selection/seats/{seat_ids(performance)[0]}"
    )
    assert refused.status_code == 403
