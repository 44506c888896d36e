"""Selling a channel's house seats at the box office, in headless Chromium: from the
performance's house seats, staff open "Sell at the box office" for "sponsors", tick two of its
three seats, and the box office opens with them chosen; they sell them complimentary with a
reason, and the performance's page counts them sold. The page reads right to left in
Persian, its refusal too."""

import pytest

from catalog.house_seats import hold_back_seats
from catalog.models import Seat, SeatStatus
from orders.models import DeskMethod, Order
from tests.checkin.test_scanner_browser import elsewhere
from tests.factories import make_performance, seat_ids
from tests.ops.screenshots import save_admin_page
from tests.ops.test_box_office_browser import desk_page
from tests.web import test_browser as buyer_pages
from tests.web.seatmap_probe import wait_for_status

browser = buyer_pages.browser
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


def sponsored_performance():
    performance = make_performance(sections=1, rows=2, seats_per_row=6)
    ids = seat_ids(performance)
    elsewhere(
        lambda: hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:3])
    )
    return performance, ids


def channel_row(page) -> list[str]:
    return page.locator("tr[data-channel=sponsors] td").all_inner_texts()[:4]


def test_staff_sell_a_channels_seats_complimentary_at_the_box_office(browser, server):
    performance, ids = sponsored_performance()
    box_office = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, server, box_office)
    page.goto(f"{server}/admin/catalog/performance/{performance.pk}/change/")
    assert channel_row(page) == ["sponsors", "3", "0", "0"]

    page.locator("tr[data-channel=sponsors]").get_by_role(
        "link", name="Sell at the box office"
    ).click()
    page.wait_for_selector("#channel-seats")
    assert page.locator("#channel-seats tbody tr").count() == 3
    for seat_id in ids[:2]:
        page.check(f"#seat-{seat_id}")
    save_admin_page(page, "house-seats-sell-en.png")
    page.get_by_role("button", name="Hold at the desk and sell").click()

    page.wait_for_selector("body[data-desk-seats='2']", timeout=10_000)
    for seat_id in ids[:2]:
        wait_for_status(page, seat_id, "mine")
    assert "2 seats of “sponsors” are held at the desk" in page.inner_text(".messagelist")
    assert page.inner_text("#desk-total") == "40 EUR"  # before the complimentary sale
    page.check("input[name=method][value=comp]")
    page.fill("input[name=reason]", "Sponsor: Acme")
    page.fill("input[name=name]", "Acme Ltd")
    page.click("#desk-sell")

    page.wait_for_selector("#desk-tickets")
    order = Order.objects.get(performance=performance)
    assert (order.desk_method, order.desk_note, order.total, order.name) == (
        DeskMethod.COMPLIMENTARY, "Sponsor: Acme", 0, "Acme Ltd"
    )  # fmt: skip
    assert sorted(order.tickets.values_list("seat_id", flat=True)) == ids[:2]
    assert page.locator("#desk-tickets tbody tr").count() == 2
    assert set(Seat.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
        SeatStatus.SOLD
    }
    page.goto(f"{server}/admin/catalog/performance/{performance.pk}/change/")
    assert channel_row(page) == ["sponsors", "1", "0", "2"]


def test_the_channels_page_reads_right_to_left_in_persian(browser, server):
    performance, ids = sponsored_performance()
    box_office = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, server, box_office, language="fa")
    page.goto(
        f"{server}/admin/catalog/performance/{performance.pk}/house-seats/sell/?channel=sponsors"
    )
    page.wait_for_selector("#channel-seats")
    assert page.get_attribute("html", "dir") == "rtl"
    numbers = page.locator("#channel-seats tbody tr td:nth-child(4)").all_inner_texts()
    assert numbers == ["۱", "۲", "۳"]
    page.locator("#sell-channel input[type=submit]").click()  # nothing ticked
    page.wait_for_selector("#sell-channel-error")
    assert page.inner_text("#sell-channel-error") == "یک یا چند صندلی از این کانال را انتخاب کنید."
    page.check(f"#seat-{ids[0]}")
    save_admin_page(page, "house-seats-sell-fa.png")

    page.locator("#sell-channel input[type=submit]").click()
    page.wait_for_selector("body[data-desk-seats='1']", timeout=10_000)
    wait_for_status(page, ids[0], "mine")
