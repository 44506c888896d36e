"""Selling a channel's house seats at the box office (ops/admin/channel_sale.py) through Django's
test client, on SQLite and PostgreSQL: the page lists the channel's waiting seats, the ticked
ones become the desk's hold and are sold as any desk sale; seats of another channel, public
seats and an open desk hold are refused with nothing changed; seats given back or expired
return to the channel."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from backoffice.house_seats import hold_held_back
from catalog.house_seats import channel_seats, hold_back_seats
from catalog.models import Seat, SeatStatus
from orders.models import DeskMethod, Order, OrderChange
from reservations.models import Hold
from tests.factories import expire_hold, make_performance, seat_ids
from tests.ops.test_box_office_admin import choose, staff_client, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsored():
    """Six seats in a row: three held back for "sponsors", one for "press", two public."""
    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[3:4])
    return performance, ids


def sell_url(performance, channel="sponsors"):
    url = reverse("admin:catalog_performance_sell_channel", args=[performance.pk])
    return f"{url}?{urlencode({'channel': channel})}"


def counts(performance) -> dict[str, tuple[int, int, int]]:
    return {
        row.channel: (row.held_back, row.at_desk, row.sold)
        for row in channel_seats(performance_id=performance.pk)
    }


def seats_as_they_are(ids):
    return list(Seat.objects.filter(pk__in=ids).order_by("id").values_list("status", "hold_id"))


def listed(page) -> list[int]:
    import re

    return [int(i) for i in re.findall(r'<tr data-seat="(\d+)">', page.content.decode())]


def test_the_channels_waiting_seats_are_sold_complimentary_at_the_desk(client, sponsored):
    performance, ids = sponsored
    staff = staff_client(client)
    change = staff.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
    assert sell_url(performance).replace("&", "&amp;") in change.content.decode()
    page = staff.get(sell_url(performance))
    assert page.status_code == 200 and listed(page) == ids[:3]
    assert "Section 1" in page.content.decode() and "20 EUR" in page.content.decode()

    held = staff.post(sell_url(performance), {"channel": "sponsors", "seat": ids[:2]})

    assert held.status_code == 302 and held["Location"] == urls(performance)["page"]
    selection = staff.get(urls(performance)["selection"]).json()
    assert selection["seats"] == ids[:2]
    assert counts(performance)["sponsors"] == (1, 2, 0)
    assert listed(staff.get(sell_url(performance))) == ids[2:3]  # at the desk: not listed
    sold = staff.post(
        urls(performance)["page"], {"method": "comp", "reason": "Sponsor: Acme", "name": "Acme"}
    )
    order = Order.objects.get(performance=performance)
    assert sold.status_code == 302 and sold["Location"].endswith(f"/sold/{order.pk}/")
    assert (order.desk_method, order.desk_note, order.total) == (
        DeskMethod.COMPLIMENTARY, "Sponsor: Acme", 0
    )  # fmt: skip
    assert sorted(order.tickets.values_list("seat_id", "price")) == [(ids[0], 0), (ids[1], 0)]
    assert order.history.get().change == OrderChange.SOLD_AT_DESK
    assert counts(performance) == {"press": (1, 0, 0), "sponsors": (1, 0, 2)}
    assert staff.get(urls(performance)["selection"]).json()["seats"] == []


@pytest.mark.parametrize("foreign", ["press", "public"])
def test_a_seat_of_another_channel_or_a_public_seat_is_refused_with_nothing_changed(
    client, sponsored, foreign
):
    performance, ids = sponsored
    staff = staff_client(client)
    other = ids[3] if foreign == "press" else ids[4]
    before = seats_as_they_are(ids)

    page = staff.post(sell_url(performance), {"channel": "sponsors", "seat": [ids[0], other]})

    assert page.status_code == 200
    assert "are not held back for “sponsors”, or are taken" in page.content.decode()
    assert seats_as_they_are(ids) == before and not Hold.objects.exists()
    assert staff.get(urls(performance)["selection"]).json()["seats"] == []


def test_nothing_ticked_is_refused(client, sponsored):
    performance, ids = sponsored
    page = staff_client(client).post(sell_url(performance), {"channel": "sponsors"})
    assert "Choose one or more of the channel" in page.content.decode()
    assert not Hold.objects.exists()


def test_an_open_desk_hold_is_refused_and_kept(client, sponsored):
    performance, ids = sponsored
    staff = staff_client(client)
    assert choose(staff, performance, ids[5]).status_code == 200  # a walk-up customer's seat

    page = staff.post(sell_url(performance), {"channel": "sponsors", "seat": ids[:1]})

    assert "The desk already has seats chosen for this performance" in page.content.decode()
    assert staff.get(urls(performance)["selection"]).json()["seats"] == [ids[5]]
    assert counts(performance)["sponsors"] == (3, 0, 0)
    # "Next customer" gives the seat back; then the channel's seats can be taken.
    staff.delete(urls(performance)["selection"])
    taken = staff.post(sell_url(performance), {"seat": ids[:1], "channel": "sponsors"})
    assert taken.status_code == 302


def test_seats_given_back_at_the_desk_or_expired_return_to_the_channel(client, sponsored):
    performance, ids = sponsored
    staff = staff_client(client)
    staff.post(sell_url(performance), {"channel": "sponsors", "seat": ids[:2]})
    staff.delete(f"{urls(performance)['seat']}{ids[0]}/")  # one seat given back on the map
    assert counts(performance)["sponsors"] == (2, 1, 0)
    assert Seat.objects.get(pk=ids[0]).status == SeatStatus.BLOCKED
    staff.delete(urls(performance)["selection"])  # "Next customer"
    assert counts(performance)["sponsors"] == (3, 0, 0)

    staff.post(sell_url(performance), {"channel": "sponsors", "seat": ids[1:3]})
    expire_hold(Hold.objects.latest("pk"))
    assert counts(performance)["sponsors"] == (3, 0, 0)
    assert listed(staff.get(sell_url(performance))) == ids[:3]
    assert Seat.objects.get(pk=ids[4]).status == SeatStatus.AVAILABLE  # never to the public


def test_the_page_needs_the_desks_permission(client, sponsored):
    performance, ids = sponsored
    clerk = staff_client(client, desk=False)
    refused = clerk.post(sell_url(performance), {"channel": "sponsors", "seat": ids[:1]})
    assert refused.status_code == 403 and b"You may not sell at the box office" in refused.content
    assert not Hold.objects.exists()


def test_a_channel_without_seats_is_not_found(client, sponsored):
    performance, ids = sponsored
    assert staff_client(client).get(sell_url(performance, "nobody")).status_code == 404


def test_the_page_and_its_errors_read_in_persian(client, sponsored):
    performance, ids = sponsored
    staff = staff_client(client)
    page = staff.get(sell_url(performance), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'dir="rtl"' in page and "۲۰ EUR" in page.replace("\u200f", "")
    refused = staff.post(
        sell_url(performance), {"channel": "sponsors"}, HTTP_ACCEPT_LANGUAGE="fa"
    ).content.decode()
    assert "یک یا چند صندلی از این کانال را انتخاب کنید." in refused


def test_the_desks_hold_of_a_channel_takes_the_token_it_is_given(sponsored):
    from reservations.selectors import owned_hold

    performance, ids = sponsored
    held = hold_held_back(
        performance_id=performance.pk, channel="sponsors", seat_ids=ids[:1], token="given-token"
    )
    assert held.token == "given-token"
    assert owned_hold(hold_id=held.hold_id, token="given-token").pk == held.hold_id


def test_a_performance_not_on_sale_keeps_its_channels_seats_waiting(client):
    performance = make_performance(sections=1, rows=1, seats_per_row=4, published=False)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    staff = staff_client(client)
    page = staff.post(sell_url(performance), {"channel": "sponsors", "seat": ids[:1]})
    assert "This performance is not on sale" in page.content.decode()
    assert not Hold.objects.exists() and counts(performance)["sponsors"] == (2, 0, 0)
