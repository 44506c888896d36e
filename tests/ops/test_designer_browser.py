"""The designer in headless Chromium, end to end: a staff member draws a curved row, is told
that its seats have no ticket type, gives them one by selecting the row, saves; a performance
made from the layout shows the new seats on the buyer's map, on their arc, with the stage."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from catalog.layout_copies import create_performance_from_layout
from catalog.layout_geometry import RowSpec
from catalog.layouts import SectionSpec, replace_layout
from catalog.models import Event, LayoutSeat, TicketType, VenueLayout
from catalog.publishing import publish_performance
from core.dbtime import db_now
from tests.web import test_browser as buyer_pages
from tests.web.seatmap_probe import label_of

browser = buyer_pages.browser  # the buyer's tests' Chromium and server, as fixtures here
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def layout():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    normal = TicketType.objects.create(event=event, name="Normal")
    TicketType.objects.create(event=event, name="VIP")
    layout = VenueLayout.objects.create(event=event, name="Full hall")
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls", prices={normal.pk: Decimal("30")}, rows=[RowSpec("A", 8, normal.pk)]
            )
        ],
    )
    return layout


def staff_page(browser, server, path, language="en"):
    User.objects.create_user("organizer", password="x-pass-1234", is_staff=True)
    context = browser.new_context(
        viewport={"width": 1400, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/admin/login/?next={path}")
    page.fill("input[name=username]", "organizer")
    page.fill("input[name=password]", "x-pass-1234")
    page.click("input[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return page, errors


def test_a_curved_row_drawn_in_the_designer_reaches_the_buyers_map(browser, server, layout):
    vip = TicketType.objects.get(name="VIP")
    page, errors = staff_page(browser, server, f"/designer/layouts/{layout.pk}/")
    page.fill("#new-section-name", "Balcony")
    page.click("#add-section")
    page.fill(f"input[data-price-type='{vip.pk}']", "55")
    page.press(f"input[data-price-type='{vip.pk}']", "Tab")
    # A curved row of 9 whose middle seat is at (3.5, 10), on a circle of radius 12.
    page.fill("#row-label", "R")
    page.fill("#row-seats", "9")
    page.fill("#row-spacing", "1.2")
    page.fill("#row-x", "3.5")
    page.fill("#row-y", "10")
    page.check("#row-curved")
    page.fill("#row-radius", "12")
    page.fill("#row-angle", "90")
    page.click("#add-row")
    page.locator("#selection-count", has_text="9 seats selected").wait_for()
    page.click("#add-stage")
    page.click("#save")  # no ticket type yet: refused, the nine seats named
    page.wait_for_selector("#problems li")
    assert page.locator("#problems li").count() == 9
    assert "has no ticket type" in page.locator("#problems li").first.inner_text()
    assert not LayoutSeat.objects.filter(section__name="Balcony").exists()

    page.click("#select-none")
    page.check("input[name=tool][value=row]")
    middle = page.evaluate("() => window.sandaliDesigner.seatOnScreen('Balcony', 'R', 5)")
    page.mouse.click(middle["x"], middle["y"])
    assert page.locator("#selection-count").inner_text().startswith("9")
    page.select_option("#assign-type", str(vip.pk))
    page.click("#assign")
    page.click("#save")
    page.wait_for_selector("body[data-saved='17']")
    assert errors == []

    row = LayoutSeat.objects.filter(section__name="Balcony", row="R")
    assert sorted(row.values_list("ticket_type_id", flat=True)) == [vip.pk] * 9
    now = db_now()
    performance = create_performance_from_layout(
        layout=layout,
        starts_at=now + timedelta(days=3),
        sales_start=now - timedelta(hours=1),
        sales_end=now + timedelta(days=2),
    )
    publish_performance(performance_id=performance.pk)
    seats = list(performance.seats.filter(section__name="Balcony"))
    assert len(seats) == 9
    for seat in seats:  # on the arc around (3.5, -2)
        assert math.hypot(seat.x - 3.5, seat.y + 2) == pytest.approx(12)

    buyer = browser.new_page()
    buyer.goto(f"{server}/performances/{performance.pk}/")
    buyer.wait_for_selector("body[data-ready=true]", timeout=10_000)
    for seat in seats:
        label = label_of(buyer, seat.pk)
        assert "VIP" in label and "Balcony" in label
    assert buyer.locator("#seat-map .shapes rect").count() == 1, "the stage behind the seats"
    assert buyer.locator("p.stage").count() == 0, "in place of the page's generic stage"
    buyer.close()


def seat_xy(page, row, number):
    seat = (
        "([row, number]) => window.sandaliDesigner.document().sections[0].seats"
        ".find((s) => s.row === row && s.number === number)"
    )
    found = page.evaluate(seat, [row, number])
    return [found["x"], found["y"], found["flags"]]


def test_the_designer_selects_by_lasso_moves_rotates_duplicates_and_undoes(browser, server, layout):
    normal = TicketType.objects.get(name="Normal")
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls",
                prices={normal.pk: Decimal("30")},
                rows=[RowSpec("A", 6, normal.pk), RowSpec("B", 6, normal.pk, y=2)],
            )
        ],
    )
    page, errors = staff_page(browser, server, f"/designer/layouts/{layout.pk}/")
    on_screen = "([r, n]) => window.sandaliDesigner.seatOnScreen('Stalls', r, n)"
    first, last = (page.evaluate(on_screen, ["A", n]) for n in (1, 6))
    unit = (last["x"] - first["x"]) / 5  # a seat's width in pixels
    left, right, top, bottom = (
        first["x"] - unit,
        last["x"] + unit,
        first["y"] - unit,
        first["y"] + unit,
    )
    page.mouse.move(left, top)  # a lasso around row A only: row B is two seats below
    page.mouse.down()
    for x, y in [(right, top), (right, bottom), (left, bottom)]:
        page.mouse.move(x, y, steps=3)
    page.mouse.up()
    assert page.locator("#selection-count").inner_text() == "6 seats selected"
    page.click("button[data-flag=wheelchair]")
    assert seat_xy(page, "A", 3)[2] == ["wheelchair"]

    page.check("input[name=tool][value=move]")
    page.mouse.move(first["x"], first["y"] + unit / 2)
    page.mouse.down()
    page.mouse.move(first["x"] + unit, first["y"] + unit / 2, steps=4)  # one seat to the right
    page.mouse.up()
    assert seat_xy(page, "A", 1)[0] == pytest.approx(1, abs=0.05)
    page.fill("#rotate-by", "90")
    page.click("#rotate")
    xs = {round(seat_xy(page, "A", n)[0], 6) for n in range(1, 7)}
    assert len(xs) == 1, "a row turned a quarter stands upright"
    page.click("#undo")
    page.keyboard.press("Control+z")
    assert seat_xy(page, "A", 1)[:2] == [0, 0], "undone twice: back where it was"
    assert seat_xy(page, "A", 1)[2] == ["wheelchair"], "the flag was set before"

    page.check("input[name=tool][value=row]")
    page.mouse.click(first["x"], first["y"])
    page.click("#duplicate")  # row A copied under row B, as the next free label, C
    assert seat_xy(page, "C", 6)[:2] == [5, 3.5]
    page.click("#add-stage")  # selected as it is added: its fields are shown
    page.fill("#shape-width", "12")
    page.press("#shape-width", "Tab")
    stage = "() => window.sandaliDesigner.document().shapes[0].geometry"
    before = page.evaluate(stage)
    page.click("h1")  # out of the field: the keys are the map's again
    page.keyboard.press("Shift+ArrowRight")
    after = page.evaluate(stage)
    assert after["width"] == 12 and after["x"] == pytest.approx(before["x"] + 1)
    page.click("#preview")
    assert page.locator(".tools").is_hidden() and page.locator("#save").is_visible()
    page.click("#preview")
    page.click("#save")
    page.wait_for_selector("body[data-saved='18']")
    assert errors == []
    assert layout.shapes.get().geometry["width"] == 12
    c = LayoutSeat.objects.filter(section__name="Stalls", row="C").order_by("number")
    assert [(s.x, s.y, s.flags) for s in c[:2]] == [
        (0, 3.5, ["wheelchair"]),
        (1, 3.5, ["wheelchair"]),
    ]


def test_the_designer_speaks_persian_right_to_left(browser, server, layout):
    page, errors = staff_page(browser, server, f"/designer/layouts/{layout.pk}/", language="fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#save").inner_text() == "ذخیره"
    page.check("input[name=tool][value=section]")
    first = page.evaluate("() => window.sandaliDesigner.seatOnScreen('Stalls', 'A', 1)")
    page.mouse.click(first["x"], first["y"])
    assert page.locator("#selection-count").inner_text() == "۸ صندلی انتخاب شده"
    assert errors == []
