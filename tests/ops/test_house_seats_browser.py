"""House seats in the admin, in headless Chromium: an organizer holds back seats for
"sponsors" from the seats list, sees the channel on the performance's page, and releases it
to the public after confirming; a buyer watching the seat map sees the seats go off sale and
come back without reloading."""

import os

import pytest

from catalog.models import HeldBackSeat, Seat, SeatStatus
from tests.checkin.test_scanner_browser import elsewhere
from tests.factories import make_performance, seat_ids
from tests.ops.test_order_admin_browser import admin_page
from tests.web import test_browser as buyer_pages
from tests.web.seatmap_probe import wait_for_status

browser = buyer_pages.browser
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organizer_holds_back_seats_for_a_channel_and_releases_them_after_confirming(
    browser, server
):
    performance = make_performance()
    ids = seat_ids(performance)
    chosen = ids[2:5]
    elsewhere(lambda: buyer_pages.hold_seats(performance_id=performance.pk, seat_ids=ids[2:3]))
    buyer = buyer_pages.open_page(browser, f"{server}/performances/{performance.pk}/")
    page = admin_page(browser, server, f"/admin/catalog/seat/?performance={performance.pk}")

    for seat_id in chosen:
        page.check(f"input[name=_selected_action][value='{seat_id}']")
    page.select_option("select[name=action]", "hold_back")
    page.click("button[name=index]")  # "Go"
    page.fill("input[name=channel]", "sponsors")
    page.get_by_role("button", name="Hold back").click()

    page.wait_for_selector(".messagelist .success")
    messages = page.inner_text(".messagelist")
    assert "Held back 2 seats for “sponsors”." in messages
    assert "1 seat was not free and is left as it was" in messages
    assert set(HeldBackSeat.objects.values_list("seat_id", flat=True)) == set(ids[3:5])
    for seat_id in ids[3:5]:
        wait_for_status(buyer, seat_id, "blocked")

    page.goto(f"{server}/admin/catalog/performance/{performance.pk}/change/")
    row = page.locator("tr[data-channel=sponsors]")
    assert row.locator("td").nth(1).inner_text() == "2"
    if os.environ.get("SANDALI_SCREENSHOTS") == "1":  # the panel alone, for the README
        panel = page.locator("fieldset", has=page.locator("table.house-seats"))
        panel.screenshot(path=str(buyer_pages.SCREENSHOTS / "house-seats-en.png"))
    row.get_by_role("link", name="Release to public").click()
    page.wait_for_selector("text=Release the seats of “sponsors” to the public?")
    assert HeldBackSeat.objects.count() == 2  # nothing happens before the confirmation
    buyer_pages.save(page, "house-seats-release-en.png")

    page.get_by_role("button", name="Yes, I'm sure").click()

    page.wait_for_selector(".messagelist .success")
    assert "Released 2 seats of “sponsors” to the public." in page.inner_text(".messagelist")
    assert "No seats are held back." in page.inner_text("body")
    assert not HeldBackSeat.objects.exists()
    assert set(Seat.objects.filter(pk__in=ids[3:5]).values_list("status", flat=True)) == {
        SeatStatus.AVAILABLE
    }
    for seat_id in ids[3:5]:
        wait_for_status(buyer, seat_id, "available")  # live, without reloading
