"""The organizer's sales buttons in headless Chromium: from a performance's admin page to its
sales (the chart and its figures), and the Excel export downloaded and read back; the sales
page in Persian, right to left."""

from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection

from orders.models import Ticket
from tests.checkin.door import cancel, sell
from tests.factories import make_performance
from tests.web import test_browser as buyer_pages

browser = buyer_pages.browser  # the buyer's tests' Chromium and server, as fixtures here
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


def elsewhere(work):
    """Run `work` in a thread of its own: a sale publishes through async_to_sync, which
    refuses the thread where Playwright's event loop runs."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def organizer_page(browser, server, path: str, language: str = "en"):
    """Staff who may see performances and orders, logged in, on `path`."""
    user = User.objects.create_user("organizer", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_performance", "view_order"])
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(f"{server}/admin/login/?next={path}")
    page.fill("input[name=username]", "organizer")
    page.fill("input[name=password]", "x-pass-1234")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def test_an_organizer_opens_the_sales_and_downloads_the_excel_file(browser, server, tmp_path):
    performance = make_performance()
    elsewhere(lambda: sell(performance, 3))
    elsewhere(lambda: cancel(sell(performance, 2, first=10)[0]))
    page = organizer_page(browser, server, f"/admin/catalog/performance/{performance.pk}/change/")
    page.get_by_role("link", name="Sales at a glance").click()
    page.wait_for_selector("#sales-by-price")
    assert page.inner_text("#sold") == "3"
    assert page.inner_text("#revenue") == "60 EUR"
    assert page.get_by_role("img", name="Tickets sold by day").is_visible()
    buyer_pages.save(page, "sales-en.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export orders (Excel)").click()
    assert download.value.suggested_filename == f"orders-performance-{performance.pk}.xlsx"
    path = tmp_path / "orders.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert len(rows) == 1 + Ticket.objects.filter(order__performance=performance).count() == 6
    assert [row[11] for row in rows[1:]] == ["paid"] * 3 + ["cancelled"] * 2


def test_the_sales_page_reads_right_to_left_in_persian(browser, server):
    performance = make_performance()
    elsewhere(lambda: sell(performance, 3))
    page = organizer_page(
        browser, server, f"/admin/catalog/performance/{performance.pk}/sales/", language="fa"
    )
    page.wait_for_selector("#sales-by-price")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("#sold") == "۳"
    table = page.locator("#sales-by-price").bounding_box()
    first_heading = page.locator("#sales-by-price thead th").first.bounding_box()
    assert first_heading["x"] + first_heading["width"] > table["x"] + table["width"] - 2
    buyer_pages.save(page, "sales-fa.png")
