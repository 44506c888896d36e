"""The orders and attendees export, read back (csv, openpyxl) and compared with the database:
from the admin's buttons (staff who may see orders only) and from `manage.py export_orders`."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from checkin.models import CheckIn
from orders.models import Order, Ticket
from tests.checkin.door import cancel, device, qr, scan, sell
from tests.factories import make_performance

pytestmark = pytest.mark.django_db

HEADINGS = [
    "order number", "ordered at", "name", "e-mail", "phone", "section", "row", "seat",
    "ticket type", "price", "currency", "status", "checked in at",
]  # fmt: skip


def some_orders(performance, client) -> None:
    """Two orders (one of a buyer whose name and phone look like formulas to a spreadsheet),
    one cancelled, one ticket checked in; and another performance's order, not exported."""
    first = sell(performance, 2)
    Order.objects.filter(pk=first[0].order_id).update(
        name='=HYPERLINK("http://evil.example","Ava")', phone="+98 912 000 0000"
    )
    cancel(sell(performance, 1, first=10)[0])
    assert scan(client, device(performance), qr(first[1])).status_code == 200
    sell(make_performance(), 1)


def expected_rows(performance) -> list[list[str]]:
    """The export's rows as the database has them, written here independently of the export."""
    rows = []
    tickets = Ticket.objects.filter(order__performance=performance).select_related(
        "order", "seat__section", "ticket_type"
    )
    for ticket in tickets.order_by("order_id", "seat_id"):
        order = ticket.order
        checkin = CheckIn.objects.filter(ticket=ticket).first()
        rows.append(
            [
                order.pk,
                order.created_at,
                order.name,
                order.email,
                order.phone,
                ticket.seat.section.name,
                ticket.seat.row,
                ticket.seat.number,
                ticket.ticket_type.name,
                ticket.price,
                order.currency,
                "paid" if ticket.valid else "cancelled",
                checkin.scanned_at if checkin else None,
            ]
        )
    return rows


def as_csv_text(row: list) -> list[str]:
    text = []
    for value in row:
        if value is None:
            value = ""
        value = str(value)
        text.append("'" + value if value[:1] in "=+-@" and value else value)
    return text


def wall_clock(moment: datetime) -> datetime:
    """A moment as the site's clock on the wall shows it, to the second."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None, microsecond=0)


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_admin_exports_csv_that_reads_back_as_the_database(admin_client, client, performance):
    some_orders(performance, client)
    response = admin_client.get(
        reverse("admin:catalog_performance_export", args=[performance.pk, "csv"])
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="orders-performance-{performance.pk}.csv"' in response["Content-Disposition"]
    heading, *rows = read_csv(b"".join(response.streaming_content))
    assert heading == HEADINGS
    text_rows = [as_csv_text(row) for row in expected_rows(performance)]
    assert [row[:1] + row[2:12] for row in rows] == [row[:1] + row[2:12] for row in text_rows]
    assert len(rows) == 3
    assert rows[0][2] == '\'=HYPERLINK("http://evil.example","Ava")'
    assert rows[0][4] == "'+98 912 000 0000"
    assert [row[11] for row in rows] == ["paid", "paid", "cancelled"]
    checked_in = CheckIn.objects.get().scanned_at.replace(microsecond=0)
    assert datetime.fromisoformat(rows[1][12]) == checked_in and rows[0][12] == ""
    site_offset = checked_in.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    assert datetime.fromisoformat(rows[1][12]).utcoffset() == site_offset  # the site's zone
    ordered = Order.objects.get(pk=rows[1][0]).created_at.replace(microsecond=0)
    assert datetime.fromisoformat(rows[1][1]) == ordered


def test_the_admin_exports_excel_that_reads_back_as_the_database(admin_client, client, performance):
    some_orders(performance, client)
    response = admin_client.get(
        reverse("admin:catalog_performance_export", args=[performance.pk, "xlsx"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    heading, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert heading == HEADINGS
    expected = expected_rows(performance)
    assert len(rows) == len(expected) == 3
    for row, want in zip(rows, expected, strict=True):
        assert row[0] == want[0] and row[3] == want[3] and row[5:9] == want[5:9]
        assert Decimal(str(row[9])) == want[9]  # a number, not text
        assert row[10:12] == want[10:12]
        # Excel has no time zones: the times are written as the site's wall clock.
        assert row[1] == wall_clock(want[1])
        assert row[12] == (want[12] and wall_clock(want[12]))
    assert rows[0][2] == '\'=HYPERLINK("http://evil.example","Ava")'
    assert rows[0][4] == "'+98 912 000 0000"
    assert rows[0][12] is None and rows[1][12] is not None


def test_the_command_writes_both_formats(tmp_path, client, performance):
    some_orders(performance, client)
    csv_file, xlsx_file = tmp_path / "orders.csv", tmp_path / "orders.xlsx"
    call_command("export_orders", "--performance", performance.pk, "--output", csv_file)
    call_command(
        "export_orders", "--performance", performance.pk, "--format", "xlsx", "--output", xlsx_file
    )
    from_csv = read_csv(csv_file.read_bytes())
    sheet = openpyxl.load_workbook(xlsx_file).active
    from_xlsx = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert from_csv[0] == from_xlsx[0] == HEADINGS
    assert [row[0] for row in from_csv[1:]] == [str(row[0]) for row in from_xlsx[1:]]
    assert [int(row[0]) for row in from_csv[1:]] == [row[0] for row in expected_rows(performance)]
    out = io.StringIO()
    call_command("export_orders", "--performance", performance.pk, stdout=out)
    assert read_csv(out.getvalue().encode()) == from_csv


def test_the_command_refuses_an_unknown_performance_and_excel_to_the_terminal(performance):
    with pytest.raises(CommandError, match="No performance"):
        call_command("export_orders", "--performance", performance.pk + 100)
    with pytest.raises(CommandError, match="--output"):
        call_command("export_orders", "--performance", performance.pk, "--format", "xlsx")


def test_the_exports_need_staff_who_may_see_orders(client, django_user_model, performance):
    sell(performance, 1)
    url = reverse("admin:catalog_performance_export", args=[performance.pk, "csv"])
    buyer = django_user_model.objects.create_user("buyer", password="x-pass-1234")
    client.force_login(buyer)
    assert client.get(url).status_code == 302  # to the admin's login
    organizer = django_user_model.objects.create_user(
        "organizer", password="x-pass-1234", is_staff=True
    )
    organizer.user_permissions.add(Permission.objects.get(codename="view_performance"))
    client.force_login(organizer)
    assert client.get(url).status_code == 403
    organizer.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert client.get(url).status_code == 200
    bad_format = reverse("admin:catalog_performance_export", args=[performance.pk, "pdf"])
    assert client.get(bad_format).status_code == 404
