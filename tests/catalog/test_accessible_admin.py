"""Accessible seats in the organizer's admin: a seat's flags and wheelchair space are edited
through the service (the inventory writes them), and the performance's companion choice."""

import pytest
from django.urls import reverse

from catalog.models import Seat
from catalog.seat_flags import COMPANION, RESTRICTED_VIEW, WHEELCHAIR
from tests.accessible import accessible_performance, seat_id

pytestmark = pytest.mark.django_db


def post_seat(admin_client, seat: Seat, flags, companion_of=""):
    return admin_client.post(
        reverse("admin:catalog_seat_change", args=[seat.pk]),
        {
            "row": seat.row,
            "number": seat.number,
            "x": seat.x,
            "y": seat.y,
            "ticket_type": seat.ticket_type_id,
            "flags": flags,
            "companion_of": companion_of,
        },
    )


def test_an_organizer_makes_a_wheelchair_space_with_a_companion_seat(admin_client):
    performance = accessible_performance()
    space = Seat.objects.get(pk=seat_id(performance, "B-3"))
    companion = Seat.objects.get(pk=seat_id(performance, "B-4"))
    assert post_seat(admin_client, space, ["wheelchair", "restricted_view"]).status_code == 302
    response = post_seat(admin_client, companion, ["companion"], companion_of=space.pk)
    assert response.status_code == 302
    space.refresh_from_db()
    companion.refresh_from_db()
    assert space.flag_bits == WHEELCHAIR | RESTRICTED_VIEW
    assert (companion.flag_bits, companion.companion_of_id) == (COMPANION, space.pk)
    changelist = admin_client.get(reverse("admin:catalog_seat_changelist"))
    assert "restricted view, wheelchair space" in changelist.content.decode()


def test_a_companion_seat_without_a_wheelchair_space_is_refused_in_the_admin(admin_client):
    performance = accessible_performance()
    seat = Seat.objects.get(pk=seat_id(performance, "B-4"))
    ordinary = seat_id(performance, "B-3")
    for flags, space in ((["companion"], ""), (["companion"], ordinary), ([], ordinary)):
        response = post_seat(admin_client, seat, flags, companion_of=space)
        assert response.status_code == 200, "the form is shown again"
        assert "must belong to a wheelchair space" in response.content.decode()
    # Nor can a space with companion seats stop being one.
    space = Seat.objects.get(pk=seat_id(performance, "A-7"))
    assert post_seat(admin_client, space, []).status_code == 200
    seat.refresh_from_db()
    space.refresh_from_db()
    assert (seat.flag_bits, seat.companion_of_id, space.flag_bits) == (0, None, WHEELCHAIR)


def test_the_organizer_chooses_whether_companion_seats_sell_alone(admin_client):
    performance = accessible_performance()
    url = reverse("admin:catalog_performance_change", args=[performance.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="companions_sell_alone"' in page
    assert 'id="id_companions_sell_alone" checked' not in page  # off by default
