"""axe-core (axe-playwright-python, which ships it) over the buyer's pages in headless Chromium,
in English and Persian, on a desktop and a phone, in the states a buyer meets them: the map
as it opens, the map with the keyboard's current seat, a seat's sheet on a phone with a filter
on and seats held, the waiting room and the checkout. Zero violations is the bar. Canvas pixels
are invisible to axe; what the canvas draws is checked for contrast in test_seat_map.py."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.models import Performance
from core.dbtime import db_now
from tests.accessible import accessible_performance
from tests.factories import make_performance, seat_ids
from tests.web.seatmap_probe import bring_into_view, click_seat, wait_for_status
from tests.web.test_browser import browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Axe()


def open_as(browser, url: str, language: str, phone: bool):  # noqa: F811
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(
        viewport=size,
        has_touch=phone,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    page.goto(url)
    return page


def assert_no_violations(page, where: str) -> None:
    results = AXE.run(page)
    found = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert found == [], f"axe-core on {where}: {found}"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_seat_map_page_has_no_axe_violations_opened_and_used_by_keyboard(
    browser,  # noqa: F811
    server,  # noqa: F811
    language,
):
    performance = accessible_performance()
    page = open_as(browser, f"{server}/performances/{performance.pk}/", language, phone=False)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    assert_no_violations(page, f"the map as it opens ({language})")
    for _ in range(20):  # Tab to the map, as a keyboard user does, then choose its first seat
        if page.evaluate("() => document.activeElement.id") == "seat-map":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#basket").wait_for(state="visible")
    assert_no_violations(page, f"the map with a seat chosen by keyboard ({language})")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_phone_with_a_seat_sheet_open_a_filter_on_and_seats_held_has_no_axe_violations(
    browser,  # noqa: F811
    server,  # noqa: F811
    language,
):
    performance = make_performance(sections=2, rows=4, seats_per_row=10)
    ids = seat_ids(performance)
    page = open_as(browser, f"{server}/performances/{performance.pk}/", language, phone=True)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    assert_no_violations(page, f"the phone's map as it opens ({language})")
    click_seat(page, ids[0])  # a mouse click holds at once, as on a desktop
    wait_for_status(page, ids[0], "mine")
    page.select_option("#filter-price", index=1)
    point = bring_into_view(page, ids[1])
    page.touchscreen.tap(point["x"], point["y"])
    page.locator("#seat-sheet").wait_for(state="visible")
    assert_no_violations(page, f"the phone's seat sheet, a filter on, a seat held ({language})")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_waiting_room_and_the_checkout_have_no_axe_violations(browser, server, language):  # noqa: F811
    queued = make_performance(sections=1, rows=1, seats_per_row=4)
    Performance.objects.filter(pk=queued.pk).update(
        waiting_room=True, sales_start=db_now() + timedelta(hours=1)
    )
    page = open_as(browser, f"{server}/performances/{queued.pk}/queue/", language, phone=True)
    page.locator("#queue-position").wait_for()
    assert_no_violations(page, f"the waiting room before opening ({language})")

    performance = make_performance(sections=1, rows=2, seats_per_row=6)
    page = open_as(browser, f"{server}/performances/{performance.pk}/", language, phone=False)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    click_seat(page, seat_ids(performance)[0])
    wait_for_status(page, seat_ids(performance)[0], "mine")
    page.click("#to-checkout")
    page.wait_for_selector("form")
    assert_no_violations(page, f"the checkout ({language})")
