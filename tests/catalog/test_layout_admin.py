"""Venue layouts in the admin: their pages render and the action makes a performance."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.layout_geometry import RowSpec
from catalog.layouts import SectionSpec, replace_layout
from catalog.models import (
    Event,
    LayoutSeat,
    LayoutSection,
    Performance,
    SeatStatus,
    TicketType,
    VenueLayout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    normal = TicketType.objects.create(event=event, name="Normal")
    layout = VenueLayout.objects.create(event=event, name="Full hall")
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls",
                prices={normal.pk: Decimal("30")},
                rows=[RowSpec("A", 6, ticket_type=normal.pk, blocked=frozenset({3}))],
            )
        ],
    )
    return layout


def test_layout_pages_render(admin_client, layout):
    pages = [
        reverse("admin:catalog_venuelayout_changelist"),
        reverse("admin:catalog_venuelayout_change", args=[layout.pk]),
        reverse("admin:catalog_layoutsection_change", args=[LayoutSection.objects.get().pk]),
        reverse("admin:catalog_layoutseat_changelist"),
        reverse("admin:catalog_layoutseat_change", args=[LayoutSeat.objects.first().pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_the_action_creates_a_performance_from_the_layout(admin_client, layout):
    url = reverse("admin:catalog_venuelayout_changelist")
    action = {"action": "create_performance", "_selected_action": [layout.pk]}
    asked = admin_client.post(url, action)
    assert asked.status_code == 200 and not asked.context["form"].is_bound
    dates = {
        "apply": "1",
        "starts_at_0": "2031-03-01",
        "starts_at_1": "19:30:00",
        "sales_start_0": "2031-01-01",
        "sales_start_1": "10:00:00",
        "sales_end_0": "2031-03-01",
        "sales_end_1": "19:00:00",
    }
    response = admin_client.post(url, {**action, **dates}, follow=True)
    performance = Performance.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"/performance/{performance.pk}/change/")
    assert performance.seats.count() == 6
    assert performance.seats.get(number=3).status == SeatStatus.BLOCKED
