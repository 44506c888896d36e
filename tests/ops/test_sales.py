"""Sales at a glance: the figures agree with the seats and the tickets, they are counted by
the database in a number of queries that does not grow with the tickets, and the pages show
them to staff who may see orders, and to nobody else."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.house_seats import hold_held_back
from backoffice.sales import event_sales, performance_sales
from catalog.house_seats import hold_back_seats
from catalog.models import HeldBackSeat, Seat, SeatStatus
from checkin.selectors import door_counts
from orders.models import Order, Ticket
from reservations.services import hold_seats
from tests.checkin.door import cancel, device, qr, scan, sell
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def days_ago(tickets: list[Ticket], days: int) -> None:
    """Move the tickets' order into the past, as if paid `days` days ago (plants the state:
    a test may)."""
    order = Order.objects.get(pk=tickets[0].order_id)
    Order.objects.filter(pk=order.pk).update(created_at=order.created_at - timedelta(days=days))


def some_sales(performance, client):
    """Three orders over two days (3, 2 and 2 tickets; one cancelled), two seats in a live
    hold, one ticket checked in."""
    early = sell(performance, 3)
    days_ago(early, 2)
    sell(performance, 2, first=5)  # the first section's student row
    cancelled = sell(performance, 2, first=10)  # the second section
    cancel(cancelled[0])
    hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[12:14])
    assert scan(client, device(performance), qr(early[0])).status_code == 200


def test_the_figures_agree_with_the_seats_and_the_tickets(client, performance):
    some_sales(performance, client)
    sales = performance_sales(performance_id=performance.pk)
    seats = Seat.objects.filter(performance=performance)
    valid = Ticket.objects.filter(order__performance=performance, valid=True)
    refunded = Ticket.objects.filter(order__performance=performance, valid=False)
    assert sales.sold == seats.filter(status=SeatStatus.SOLD).count() == 5
    assert sales.revenue == valid.aggregate(s=Sum("price"))["s"] == Decimal("80")
    assert sales.held == 2
    door = door_counts(performance_ids=[performance.pk])  # the door's own count
    assert sales.admitted == sum(count.admitted for count in door) == 1
    assert [(day.tickets, day.revenue) for day in sales.by_day] == [(3, 60), (2, 20)]
    assert sales.by_day[1].day - sales.by_day[0].day == timedelta(days=2)
    by_price = {(row.section, row.ticket_type): row for row in sales.by_price}
    for (section, ticket_type), row in by_price.items():
        these = seats.filter(section__name=section, ticket_type__name=ticket_type)
        assert row.sold == these.filter(status=SeatStatus.SOLD).count()
        assert row.allocated == these.count()
    assert by_price["Section 2", "Normal"].refunded == 2
    assert by_price["Section 2", "Normal"].held == 2
    assert sales.refunds.tickets == refunded.count() == 2
    assert sales.refunds.orders == 1
    assert sales.refunds.amount == refunded.aggregate(s=Sum("price"))["s"] == Decimal("40")
    gross = Ticket.objects.filter(order__performance=performance).aggregate(s=Sum("price"))["s"]
    assert sales.revenue == gross - sales.refunds.amount


def test_the_figures_agree_with_the_seats_with_house_seats_held_back(client, performance):
    some_sales(performance, client)
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[14:18])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[18:19])
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[14:15])
    sales = performance_sales(performance_id=performance.pk)
    seats = Seat.objects.filter(performance=performance)
    held_back = HeldBackSeat.objects.filter(performance=performance)
    assert {(row.channel, row.held_back, row.at_desk) for row in sales.channels} == {
        (channel, held_back.filter(channel=channel, seat__status=SeatStatus.BLOCKED).count(),
         held_back.filter(channel=channel, seat__hold_id=desk.hold_id).count())
        for channel in ("sponsors", "press")
    } == {("sponsors", 3, 1), ("press", 1, 0)}  # fmt: skip
    for row in sales.by_price:
        assert row.allocated == row.sold + row.held + row.available + row.blocked
    assert (
        sum(row.blocked for row in sales.by_price)
        == seats.filter(status=SeatStatus.BLOCKED).count()
        == 4
    )
    assert sales.held == seats.filter(status=SeatStatus.RESERVED).count() == 3


def test_the_sales_page_shows_each_channels_house_seats(admin_client, performance):
    hold_back_seats(
        performance_id=performance.pk, channel="sponsors", seat_ids=seat_ids(performance)[:2]
    )
    page = admin_client.get(reverse("admin:catalog_performance_sales", args=[performance.pk]))
    table = re.search(r'<table id="house-seats">.*?</table>', page.content.decode(), re.S)
    assert re.search(r"<th scope=\"row\">sponsors</th><td>2</td><td>0</td><td>0</td>", table[0])


def test_the_event_totals_add_up_its_performances(client, performance):
    some_sales(performance, client)
    other = make_performance()
    other.event = performance.event
    other.save(update_fields=["event"])
    sell(other, 4)
    with CaptureQueriesContext(connection) as queries:
        sales = event_sales(event_id=performance.event_id)
    assert len(queries) == 4  # the event, its tickets, its live holds, its performances
    by_id = {row.performance_id: row for row in sales.performances}
    assert (by_id[performance.pk].sold, by_id[other.pk].sold) == (5, 4)
    assert (
        sales.total("sold")
        == Seat.objects.filter(performance__event=performance.event, status=SeatStatus.SOLD).count()
    )
    assert sales.total("revenue") == Decimal("80") + 4 * Decimal("20")
    assert sales.total("held") == 2
    assert sales.total("admitted") == 1
    assert sales.total("orders") == 3  # paid ones: the cancelled order is a refund
    assert sales.total("refunded_amount") == Decimal("40")


def page_queries(client, performance) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:catalog_performance_sales", args=[performance.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_sales_page_reads_as_many_queries_for_many_tickets_as_for_one(admin_client):
    small, large = make_performance(), make_performance(rows=4, seats_per_row=10)
    sell(small, 1)
    for first, days in ((0, 0), (10, 1), (20, 3), (40, 5)):
        days_ago(sell(large, 10, first=first), days)
    admin_client.get(reverse("admin:index"))  # the session and user, read once
    assert page_queries(admin_client, small) == page_queries(admin_client, large)
    # The performance, then by day, the seats' figures, the tickets' money, the prices, the
    # refunded tickets, the payments refunded after a lost hold and the seats held back for
    # channels: one query each.
    with CaptureQueriesContext(connection) as queries:
        performance_sales(performance_id=large.pk)
    assert len(queries) == 8


def test_the_sales_page_shows_the_figures_a_chart_and_its_table(admin_client, client, performance):
    some_sales(performance, client)
    response = admin_client.get(reverse("admin:catalog_performance_sales", args=[performance.pk]))
    page = re.sub(r"\s+", " ", response.content.decode())
    assert '<dd id="sold">5</dd>' in page
    assert '<dd id="revenue">80 EUR</dd>' in page
    assert '<dd id="held">2</dd>' in page
    assert '<dd id="admitted">1 / 5</dd>' in page
    assert "2 tickets of 1 orders, 40 EUR" in page
    assert 'role="img" aria-labelledby="sales-chart-title" aria-describedby="sales-by-day"' in page
    assert page.count("<rect ") == 3  # two days of sales and the empty day between them
    assert '<table id="sales-by-day">' in page
    assert '<tr><th scope="row">Section 2</th><td>Normal</td><td>20</td>' in page
    change = admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
    assert reverse("admin:catalog_performance_sales", args=[performance.pk]) in change.text
    assert reverse("admin:catalog_performance_export", args=[performance.pk, "xlsx"]) in change.text


def test_the_sales_page_reads_in_persian(admin_client, client, performance):
    some_sales(performance, client)
    response = admin_client.get(
        reverse("admin:catalog_performance_sales", args=[performance.pk]),
        HTTP_ACCEPT_LANGUAGE="fa",
    )
    page = response.content.decode()
    assert 'dir="rtl"' in page
    assert '<dd id="sold">۵</dd>' in page
    assert '<dd id="revenue">۸۰ EUR</dd>' in page
    first_bar, last_bar = re.findall(r'<rect x="([\d.]+)"', page)[::2]
    assert float(first_bar) > float(last_bar)  # the first day on the right


def test_the_event_page_lists_its_performances_with_totals(admin_client, client, performance):
    some_sales(performance, client)
    response = admin_client.get(reverse("admin:catalog_event_sales", args=[performance.event_id]))
    page = re.sub(r"\s+", " ", response.content.decode())
    sales_url = reverse("admin:catalog_performance_sales", args=[performance.pk])
    assert f'<a href="{sales_url}">' in page
    assert '<tfoot><tr><th scope="row">total</th><td>5</td><td>80 EUR</td><td>2</td>' in page
    change = admin_client.get(reverse("admin:catalog_event_change", args=[performance.event_id]))
    assert reverse("admin:catalog_event_sales", args=[performance.event_id]) in change.text


@pytest.fixture
def organizer(client, django_user_model):
    """Staff who may see performances and events, but not orders (yet)."""
    user = django_user_model.objects.create_user("organizer", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_performance", "view_event"])
    )
    client.force_login(user)
    return user


def test_the_sales_pages_need_the_permission_to_see_orders(client, organizer, performance):
    pages = [
        reverse("admin:catalog_performance_sales", args=[performance.pk]),
        reverse("admin:catalog_event_sales", args=[performance.event_id]),
    ]
    assert [client.get(page).status_code for page in pages] == [403, 403]
    organizer.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert [client.get(page).status_code for page in pages] == [200, 200]


def test_the_sales_pages_are_refused_to_buyers(client, django_user_model, performance):
    client.force_login(django_user_model.objects.create_user("buyer", password="x-pass-1234"))
    response = client.get(reverse("admin:catalog_performance_sales", args=[performance.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(("zone", "day"), [("Asia/Tehran", 30), ("America/New_York", 29)])
def test_a_sale_counts_on_the_day_of_the_events_time_zone(settings, performance, zone, day):
    settings.TIME_ZONE = "Europe/London"  # the site's zone does not decide
    performance.event.time_zone = zone
    performance.event.save(update_fields=["time_zone"])
    (ticket,) = sell(performance, 1)
    late_evening_utc = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # 01:30 on the 30th in Tehran
    Order.objects.filter(pk=ticket.order_id).update(created_at=late_evening_utc)
    with timezone.override("UTC"):  # whatever zone the request runs in
        (sales_day,) = performance_sales(performance_id=performance.pk).by_day
    assert sales_day.day == date(2026, 11, day)


def test_the_event_page_opens_for_a_new_event(admin_client):
    assert admin_client.get(reverse("admin:catalog_event_add")).status_code == 200
    assert admin_client.get(reverse("admin:catalog_performance_add")).status_code == 200
