"""The canvas seat map's edges in headless Chromium, each once a bug: seats given back leave the
overview, a "Find seats" sent before the map is drawn ends with the basket shown, a tap that
just misses a seat keeps the zoom, the skip link lands on something visible, a filter the
browser restored dims the map at once, a release in another tab is no "expired", prices read
as the server writes them, and one finger left after a pinch pans."""

import re
from decimal import Decimal

import pytest

from catalog.models import SectionTicketType
from core.dbtime import db_now
from ops.demo import _large_hall
from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.web.seatmap_probe import click_seat, label_of, probe, status_of, wait_for_status
from tests.web.test_browser import browser, open_page, server  # noqa: F401 - fixtures
from tests.web.test_seat_map import phone_page, seat_in, until

pytestmark = pytest.mark.django_db(transaction=True)

APPLY = """(ids) => document.dispatchEvent(new CustomEvent("sandali:apply-selection",
             {detail: {seats: ids}}))"""


def test_seats_given_back_leave_the_overview(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    assert not probe(page, "seatsShown"), "the whole hall: only the buyer's seats are drawn"
    seat = seat_in(hall, "Parterre", "A", 1)
    page.evaluate(APPLY, [seat])
    until(lambda: probe(page, "seatsInLastDraw") == 1, what="the buyer's seat drawn")
    page.evaluate(APPLY, [])  # released, or the hold expired
    until(lambda: probe(page, "seatsInLastDraw") == 0, what="the seat gone from the overview")


def test_find_seats_before_the_map_is_drawn_ends_with_the_basket_shown(browser, server):  # noqa: F811
    performance = make_performance()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, held_back = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The map's seats are held back until best available has answered.
    page.route(re.compile(r".*format=columns.*"), lambda route: held_back.append(route))
    page.goto(f"{server}/performances/{performance.pk}/", wait_until="domcontentloaded")
    page.click("#best-available [type=submit]")
    page.wait_for_function("() => document.getElementById('best-result').textContent !== ''")
    assert not page.evaluate("() => document.body.dataset.ready")
    until(lambda: held_back, what="the map's request")
    held_back[0].continue_()
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    page.wait_for_selector("#basket:not([hidden])")
    assert page.locator("#basket-seats li").count() == 2
    assert errors == []
    context.close()


def test_a_tap_that_just_misses_a_seat_keeps_the_zoom(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    parterre = probe(
        page, "sectionPoint(arg)", probe(page, "sectionOf(arg)", seat_in(hall, "Parterre", "J", 20))
    )
    page.mouse.click(parterre["x"], parterre["y"])
    page.wait_for_timeout(400)  # the glide
    page.click("[data-zoom=in]")
    page.wait_for_timeout(400)
    assert probe(page, "seatsShown")
    scale = probe(page, "scale")
    corners = [
        probe(page, "screenOf(arg)", seat_in(hall, "Parterre", row, number))
        for row in ("J", "K")
        for number in (20, 21)
    ]
    x = sum(c["x"] for c in corners) / 4
    y = sum(c["y"] for c in corners) / 4
    page.mouse.click(x, y)  # between four seats
    page.wait_for_timeout(400)
    assert probe(page, "scale") == pytest.approx(scale)
    assert not Hold.objects.exists()


def test_the_skip_link_lands_on_something_visible_when_nothing_is_held(browser, server):  # noqa: F811
    performance = make_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    landed = page.evaluate(
        """() => ({inPanel: document.activeElement.closest(".side") !== null,
                   visible: document.activeElement.checkVisibility()})"""
    )
    assert landed == {"inPanel": True, "visible": True}
    click_seat(page, seat_ids(performance)[0])
    wait_for_status(page, seat_ids(performance)[0], "mine")
    assert page.locator(".skip-link").get_attribute("href") == "#basket"


def test_a_price_filter_the_browser_restored_dims_the_map_when_it_opens(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # As a reload or "back" restores a form's values: set, with no change event.
    context.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
             const select = document.getElementById("filter-price");
             select.selectedIndex = select.options.length - 2; // 45 EUR, below the VIP seats
           })"""
    )
    page = context.new_page()
    page.goto(f"{server}/performances/{hall.pk}/")
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    vip, normal = seat_in(hall, "Parterre", "E", 10), seat_in(hall, "Parterre", "F", 10)
    until(lambda: probe(page, "dimmed(arg)", vip), what="the VIP seat dimmed")
    assert not probe(page, "dimmed(arg)", normal)
    assert page.locator("#filter-note").is_visible()
    context.close()


def test_a_seat_given_back_in_another_tab_is_not_called_expired(browser, server):  # noqa: F811
    performance = make_performance()
    target = seat_ids(performance)[2]
    url = f"{server}/performances/{performance.pk}/"
    first = open_page(browser, url)
    click_seat(first, target)
    wait_for_status(first, target, "mine")
    second = first.context.new_page()  # the same browser: the same session, so the same hold
    second.goto(url)
    second.wait_for_selector("body[data-ready=true]")
    wait_for_status(second, target, "mine")
    click_seat(first, target)  # given back in the first tab
    wait_for_status(first, target, "available")
    wait_for_status(second, target, "available")
    second.wait_for_timeout(500)
    assert second.locator(".toast", has_text="expired").count() == 0


def test_prices_on_the_map_read_as_the_server_writes_them(browser, server):  # noqa: F811
    performance = make_performance()
    SectionTicketType.objects.filter(section__performance=performance).update(
        price=Decimal("12.50")
    )
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    label = label_of(page, seat_ids(performance)[0])
    assert "12.50 EUR" in label, label
    assert "12.50 EUR" in page.locator(".legend").inner_text()


def test_one_finger_left_after_a_pinch_pans_the_map(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/")
    box = page.locator("#seat-map").bounding_box()
    seat = seat_in(hall, "Parterre", "J", 20)
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cdp = page.context.new_cdp_session(page)

    def touch(kind, points):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def finger(number, x, y):
        return {"x": x, "y": y, "id": number}

    left, right = middle[0] - 40, middle[0] + 40
    touch("touchStart", [finger(1, left, middle[1]), finger(2, right, middle[1])])
    for apart in range(45, 81, 5):  # a pinch: twice as large
        touch(
            "touchMove",
            [finger(1, middle[0] - apart, middle[1]), finger(2, middle[0] + apart, middle[1])],
        )
    left = middle[0] - 80
    touch("touchEnd", [finger(2, middle[0] + 80, middle[1])])  # the second finger lifts
    before = probe(page, "screenOf(arg)", seat)
    for step in range(1, 11):
        touch("touchMove", [finger(1, left, middle[1] - 10 * step)])  # 100 px up
    touch("touchEnd", [])
    page.wait_for_timeout(300)
    after = probe(page, "screenOf(arg)", seat)
    assert after["y"] == pytest.approx(before["y"] - 100, abs=2)
    assert status_of(page, seat) == "available"
