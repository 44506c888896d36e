"""A standing area on the buyer's page in headless Chromium, against a real server process:
drawn with its places left, held by quantity from the keyboard, counted live in another
buyer's page, listed in the basket and bought as standing tickets."""

import pytest
from playwright.sync_api import expect

from catalog.models import Seat
from tests.factories import make_performance, make_standing_area, seat_ids
from tests.web.seatmap_probe import click_seat, probe, wait_for_status
from tests.web.test_browser import browser, open_page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_buyer_holds_places_with_the_keyboard_and_another_page_sees_them_go(browser, server):  # noqa: F811
    performance = make_performance(sections=1, rows=2, seats_per_row=6)
    area = make_standing_area(performance, capacity=120, name="Floor")
    url = f"{server}/performances/{performance.pk}/"
    buyer, watcher = open_page(browser, url), open_page(browser, url)
    shape = buyer.locator(f'.area[data-area-id="{area.pk}"]')
    assert shape.locator(".area-name").text_content() == "Floor"
    assert shape.locator(".area-left").text_content() == "120 of 120 places left"
    assert buyer.locator(".area").count() == 1 and probe(buyer, "count") == 12

    # The picker is a labelled number input: reached by its label, filled and sent by keys.
    picker = buyer.get_by_label("How many places in Floor")
    picker.fill("3")
    picker.press("Enter")
    buyer.wait_for_selector("#basket:not([hidden])")
    assert buyer.locator("#basket-seats li").all_inner_texts() == ["Floor × 3"]
    assert buyer.locator("#basket-count").inner_text() == "3"
    held = Seat.objects.filter(section=area, status="reserved")
    assert held.count() == 3 and len(set(held.values_list("hold_id", flat=True))) == 1

    # The other buyer's page hears of it: the map's count and the legend's.
    left = watcher.locator(f'.area[data-area-id="{area.pk}"] .area-left')
    expect(left).to_have_text("117 of 120 places left", timeout=5_000)  # no eval: the CSP
    assert watcher.locator(f'[data-area-free="{area.pk}"]').inner_text() == "117"

    # A seat joins the same hold; then the buyer checks out and gets standing tickets.
    click_seat(buyer, seat_ids(performance)[0])
    wait_for_status(buyer, seat_ids(performance)[0], "mine")
    assert buyer.locator("#basket-count").inner_text() == "4"
    buyer.click("#to-checkout")
    # The click only starts the navigation: wait for the checkout page's list, not its URL.
    expect(buyer.locator("text=standing")).to_have_count(3)
    buyer.fill("input[name=name]", "Ava Buyer")
    buyer.fill("input[name=email]", "ava@example.org")
    buyer.click("button[type=submit]")
    buyer.wait_for_selector(".ticket")
    names = buyer.locator(".ticket .seat-name").all_inner_texts()
    assert sorted(names)[:3] == ["Floor · standing"] * 3
