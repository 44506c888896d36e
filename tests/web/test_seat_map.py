"""The canvas seat map in headless Chromium: a big hall opening as its sections on a phone, a
section tapped open, a seat's details before anything is held, the keyboard's purchase, the
page that never jumps while the map is dragged, the live snapshot that repaints nothing it did
not change, and the page's filters and finds (sandali:filter, sandali:show-seats)."""

import json
import re
import time

import pytest

from catalog.models import Seat
from core.dbtime import db_now
from ops.demo import _large_hall
from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.web.seatmap_probe import (
    bring_into_view,
    label_of,
    probe,
    seats_drawn,
    status_of,
    wait_for_status,
)
from tests.web.test_browser import browser, open_page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def phone_page(browser, url: str, language: str = "en"):  # noqa: F811
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return page


def until(check, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.03)
    return found


def seat_in(performance, section: str, row: str, number: int) -> int:
    return Seat.objects.get(
        performance=performance, section__name=section, row=row, number=number
    ).pk


def test_a_phone_opens_the_big_hall_as_sections_then_a_tapped_seat_shows_before_it_is_held(
    browser,  # noqa: F811
    server,  # noqa: F811
):
    hall = _large_hall(db_now())  # 2,000 seats in four sections
    page = phone_page(browser, f"{server}/performances/{hall.pk}/")
    assert not probe(page, "seatsShown"), "seats of a few pixels are not drawn: the overview"
    parterre = page.locator(".section-label", has=page.locator("text", has_text="Parterre"))
    assert parterre.locator("text").nth(1).text_content() == "45 EUR to 90 EUR"
    assert parterre.locator("text").nth(2).text_content() == "800 seats left"

    target = seat_in(hall, "Parterre", "A", 20)
    middle = probe(page, "sectionPoint(arg)", probe(page, "sectionOf(arg)", target))
    page.touchscreen.tap(middle["x"], middle["y"])
    until(lambda: probe(page, "seatsShown"), what="zoom into the section")
    point = bring_into_view(page, target)
    page.touchscreen.tap(point["x"], point["y"])

    sheet = page.locator("#seat-sheet")
    sheet.wait_for(state="visible")
    assert sheet.locator("h2").inner_text() == "Parterre, row A, seat 20"
    assert "VIP" in sheet.inner_text() and "90 EUR" in sheet.inner_text()
    assert status_of(page, target) == "available" and not Hold.objects.exists(), (
        "looking holds nothing"
    )
    sheet.get_by_role("button", name="Choose this seat").tap()
    wait_for_status(page, target, "mine")
    assert Seat.objects.get(pk=target).status == "reserved"
    assert sheet.get_by_role("button", name="Give back").is_visible()


def test_a_touch_drag_on_the_map_never_scrolls_the_page(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/")
    # The map's top above the screen's edge: where Android Chrome scrolled the page the other way.
    page.evaluate(
        """() => window.scrollTo(0,
             document.getElementById("seat-map").getBoundingClientRect().top + scrollY + 120)"""
    )
    scrolled = page.evaluate("() => window.scrollY")
    box = page.locator("#seat-map").bounding_box()
    assert box["y"] < 0
    before = probe(page, "screenOf(arg)", seat_ids(hall)[0])
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 100

    def touch(kind, dy=0):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y + dy, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart")
    for step in range(1, 11):
        touch("touchMove", -20 * step)  # a finger dragged up the screen, 200 px
    touch("touchEnd")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") == scrolled, "the page did not move"
    after = probe(page, "screenOf(arg)", seat_ids(hall)[0])
    assert after["y"] == pytest.approx(before["y"] - 200, abs=2), "the map did"


def test_the_live_snapshot_repaints_no_seat_it_did_not_change(browser, server):  # noqa: F811
    performance = make_performance(sections=2, rows=2, seats_per_row=8)
    ids = seat_ids(performance)
    sockets = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # The page's socket goes through the test, which can send what the server sends.
    page.route_web_socket(
        re.compile(r".*/ws/performances/.*"),
        lambda ws: sockets.append((ws, ws.connect_to_server())),
    )
    page.goto(f"{server}/performances/{performance.pk}/")
    page.wait_for_selector("body[data-live=true]", timeout=10_000)
    drawn = seats_drawn(page)
    assert drawn >= len(ids), "every seat drawn once"
    seats = [
        [pk, status, version]
        for pk, status, version in Seat.objects.filter(pk__in=ids).values_list(
            "pk", "status", "version"
        )
    ]
    ws = sockets[-1][0]
    # A reconnect's snapshot repeats every seat as it is.
    ws.send(json.dumps({"snapshot": True, "seats": seats, "areas": []}))
    page.wait_for_timeout(300)
    assert seats_drawn(page) == drawn, "no seat repainted"
    pk, _, version = seats[3]
    ws.send(json.dumps({"seats": [[pk, "sold", version + 1]]}))
    wait_for_status(page, pk, "sold")
    page.wait_for_timeout(100)
    repainted = seats_drawn(page) - drawn
    assert 1 <= repainted < len(ids) / 2, f"the seat and its neighbours only: {repainted}"
    ws.send(json.dumps({"seats": [[pk, "available", version]]}))  # late news
    page.wait_for_timeout(300)
    assert status_of(page, pk) == "sold"
    context.close()


def test_a_keyboard_alone_buys_two_seats_in_the_big_hall_in_fewer_than_30_presses(
    browser,  # noqa: F811
    server,  # noqa: F811
):
    """Every key press is counted; text typed into the checkout form's fields is not."""
    hall = _large_hall(db_now())
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    presses = []

    def press(key):
        presses.append(key)
        page.keyboard.press(key)

    while page.evaluate("() => document.activeElement.id") != "seat-map":
        press("Tab")
        assert len(presses) < 15
    # One Tab stop: nothing inside the map takes the focus; its active descendant, the current
    # seat, is a button named in full.
    assert page.locator("#seat-map [tabindex], #seat-map button, #seat-map a").count() == 0
    assert page.locator("#seat-map").get_attribute("aria-activedescendant") == "seat-current"
    assert page.locator("#seat-current").get_attribute("role") == "button"
    first = int(page.locator("#seat-current").get_attribute("data-seat-id"))
    assert first == seat_in(hall, "Parterre", "A", 1)
    assert label_of(page, first) == page.locator("#seat-current").get_attribute("aria-label")
    press("Enter")
    wait_for_status(page, first, "mine")
    press("ArrowRight")
    second = int(page.locator("#seat-current").get_attribute("data-seat-id"))
    assert second == seat_in(hall, "Parterre", "A", 2)
    press("Enter")
    wait_for_status(page, second, "mine")
    press("Shift+Tab")  # the skip link, just before the map
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#basket"
    press("Enter")
    press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "to-checkout"
    press("Enter")
    page.wait_for_selector("input[name=name]")
    while page.evaluate("() => document.activeElement.name") != "name":
        press("Tab")
        assert len(presses) < 30
    page.keyboard.type("Ava Buyer")
    press("Tab")
    page.keyboard.type("ava@example.org")
    press("Enter")
    page.wait_for_selector(".ticket", timeout=10_000)
    assert page.locator(".ticket").count() == 2
    assert len(presses) < 30, presses


def test_the_page_filters_dim_seats_the_arrows_pass_over_and_finds_are_shown(
    browser,  # noqa: F811
    server,  # noqa: F811
):
    hall = _large_hall(db_now())
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    vip, normal = seat_in(hall, "Parterre", "E", 10), seat_in(hall, "Parterre", "F", 10)
    page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("sandali:filter",
             {detail: {maxPrice: "50.00", accessibleOnly: false}}))"""
    )
    assert probe(page, "dimmed(arg)", vip) and not probe(page, "dimmed(arg)", normal)
    page.locator("#seat-map").focus()
    current = int(page.locator("#seat-current").get_attribute("data-seat-id"))
    assert current == seat_in(hall, "Parterre", "F", 1), "the first seat the filter leaves"
    page.keyboard.press("ArrowUp")  # row E above is VIP: passed over, to a seat of 50 or less
    above = int(page.locator("#seat-current").get_attribute("data-seat-id"))
    assert not probe(page, "dimmed(arg)", above)

    found = [seat_in(hall, "Gallery", "J", n) for n in (11, 12, 13, 14)]
    page.evaluate(
        """(ids) => document.dispatchEvent(new CustomEvent("sandali:show-seats",
             {detail: {ids}}))""",
        found,
    )
    page.wait_for_timeout(400)  # the glide
    assert sorted(probe(page, "highlighted")) == sorted(found)
    assert all(probe(page, "pointOf(arg)", pk) for pk in found), "all four in view"


def test_the_map_hands_the_basket_a_way_to_name_seats(browser, server):  # noqa: F811
    performance = make_performance()
    context = browser.new_context()
    context.add_init_script(
        """document.addEventListener("sandali:map-ready",
             (event) => { window.seatLabelForTest = event.detail.seatLabel; })"""
    )
    page = context.new_page()
    page.goto(f"{server}/performances/{performance.pk}/")
    page.wait_for_selector("body[data-ready=true]")
    pk = seat_ids(performance)[0]
    assert page.evaluate("(id) => window.seatLabelForTest(id)", pk) == label_of(page, pk)
    assert label_of(page, pk).startswith("Section 1, row A, seat 1")
    context.close()


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[k : k + 2], 16) / 255 for k in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def hex_colour(css: str) -> str:
    r, g, b = (int(n) for n in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_maps_text_and_marks_contrast_with_what_they_are_drawn_on(browser, server, language):  # noqa: F811
    """Canvas text and marks are invisible to axe-core: their colours, read from the modules
    that draw them, are checked here against what they are drawn on (WCAG 2: 4.5:1 for text,
    3:1 for marks, seats and the focus ring)."""
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/", language=language)
    drawn = page.evaluate(
        """async () => {
          const canvas = await import("/static/web/seatmap-canvas.js");
          const access = await import("/static/web/seatmap-access.js");
          return {ink: canvas.INK, palette: canvas.PALETTE, marks: access.MARK_INK};
        }"""
    )
    styles = page.evaluate(
        """() => {
          const style = (selector, name) =>
            getComputedStyle(document.querySelector(selector))[name];
          return {
            name: style(".section-label__name", "fill"),
            detail: style(".section-label__detail", "fill"),
            halo: style(".section-label__detail", "stroke"),
            section: style(".section-shape", "fill"),
            map: style(".map", "backgroundColor"),
          };
        }"""
    )
    ink, marks = drawn["ink"], drawn["marks"]
    styles = {key: hex_colour(value) for key, value in styles.items()}
    paper = styles["map"]
    assert paper == ink["paper"] == "#ffffff"
    # Text: row labels on the map; the overview's labels on their section and on their halo.
    assert contrast(ink["rowLabel"], paper) >= 4.5
    for text in (styles["name"], styles["detail"]):
        assert contrast(text, styles["section"]) >= 4.5
        assert contrast(text, styles["halo"]) >= 4.5
    # Marks: dark on their white halo, the halo on any seat colour.
    assert contrast(marks["mark"], marks["halo"]) >= 4.5
    for colour in drawn["palette"]:
        assert contrast(marks["halo"], colour) >= 3, colour
        # Seats on the map, and the buyer's own seats on a section in the overview.
        assert contrast(colour, paper) >= 3, colour
        assert contrast(colour, styles["section"]) >= 3, colour
    assert contrast(ink["sold"], paper) >= 3 and contrast(ink["reservedEdge"], paper) >= 3
    # The focus ring: black inside white, so one of them stands out on any seat.
    assert contrast(ink["focusInner"], ink["focusOuter"]) >= 3
    for colour in drawn["palette"]:
        assert max(contrast(ink["focusInner"], colour), contrast(ink["focusOuter"], colour)) >= 3


def test_plus_zooms_into_the_nearest_section_not_the_aisle_in_the_middle(browser, server):  # noqa: F811
    hall = _large_hall(db_now())  # its middle is the empty floor between the balconies
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    parterre = probe(page, "sectionOf(arg)", seat_in(hall, "Parterre", "A", 1))
    page.click("[data-zoom=in]")
    page.wait_for_timeout(500)  # the glide
    box = page.locator("#seat-map").bounding_box()
    middle = probe(page, "sectionPoint(arg)", parterre)
    assert middle["x"] == pytest.approx(box["x"] + box["width"] / 2, abs=2)
    assert middle["y"] == pytest.approx(box["y"] + box["height"] / 2, abs=2)
    assert probe(page, "seatsShown")


def test_two_fingers_pinch_around_their_middle(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/")
    box = page.locator("#seat-map").bounding_box()
    seat = seat_in(hall, "Parterre", "J", 20)
    before, scale = probe(page, "screenOf(arg)", seat), probe(page, "scale")
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cdp = page.context.new_cdp_session(page)

    def fingers(kind, apart):
        points = [
            {"x": middle[0] - apart, "y": middle[1], "id": 1},
            {"x": middle[0] + apart, "y": middle[1], "id": 2},
        ]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    fingers("touchStart", 40)
    for apart in range(45, 121, 5):  # from 80 px apart to 240: three times as large
        fingers("touchMove", apart)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)
    assert probe(page, "scale") == pytest.approx(3 * scale, rel=0.01)
    after = probe(page, "screenOf(arg)", seat)
    for k in (0, 1):  # the point under the fingers' middle stays there
        key = "xy"[k]
        assert after[key] == pytest.approx(middle[k] + 3 * (before[key] - middle[k]), abs=2)


def test_a_seat_under_the_mouse_shows_its_details_and_holds_nothing(browser, server):  # noqa: F811
    performance = make_performance(sections=2, rows=2, seats_per_row=8)
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    point = bring_into_view(page, ids[9])
    page.mouse.move(point["x"], point["y"])
    tip = page.locator("#seat-tip")
    tip.wait_for(state="visible")
    assert tip.locator("strong").inner_text() == "Section 1, row B, seat 2"
    assert "Student" in tip.inner_text() and "10 EUR" in tip.inner_text()
    assert "available" in tip.inner_text()
    page.mouse.move(point["x"], point["y"] - 400)  # off the map's seats
    tip.wait_for(state="hidden")
    assert status_of(page, ids[9]) == "available" and not Hold.objects.exists()


def test_the_persian_overview_names_sections_with_persian_digits(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/", language="fa")
    label = page.locator(".section-label", has=page.locator("text", has_text="Parterre"))
    assert label.locator("text").nth(2).text_content() == "۸۰۰ صندلی مانده"
    assert "۴۵" in label.locator("text").nth(1).text_content()
    assert label.locator("text").first.get_attribute("direction") == "rtl"


def test_zoomed_in_a_mini_map_shows_the_hall_and_a_tap_there_moves_the_view(browser, server):  # noqa: F811
    hall = _large_hall(db_now())
    page = phone_page(browser, f"{server}/performances/{hall.pk}/")
    minimap = page.locator(".minimap")
    assert minimap.is_hidden(), "not while the whole hall is in view"
    gallery = seat_in(hall, "Gallery", "J", 15)
    parterre = probe(
        page, "sectionPoint(arg)", probe(page, "sectionOf(arg)", seat_in(hall, "Parterre", "A", 1))
    )
    page.touchscreen.tap(parterre["x"], parterre["y"])
    minimap.wait_for(state="visible")
    page.wait_for_timeout(400)
    assert probe(page, "pointOf(arg)", gallery) is None, "the gallery is out of view"
    box = minimap.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.85)  # the back
    page.wait_for_timeout(500)
    assert probe(page, "pointOf(arg)", gallery), "the view moved to the gallery"
