"""Standing areas in the designer, in headless Chromium: an organizer adds one beside the seats,
moves it, sets its capacity (undo included), saves; a performance made from the layout offers
its places on the buyer's map. And a hall with an area opened and saved is the same hall."""

from datetime import timedelta

import pytest

from catalog.layout_copies import create_performance_from_layout
from catalog.models import LayoutSection, SectionKind, TicketType, VenueLayout
from catalog.publishing import publish_performance
from core.dbtime import db_now
from ops.demo_arena import create_arena
from tests.catalog.test_layout_document_areas import rows_of
from tests.ops.test_designer_browser import layout, staff_page  # noqa: F401 - a fixture
from tests.web import test_browser as buyer_pages

browser = buyer_pages.browser
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


AREA_FILL = [0xEE, 0xF3, 0xFB, 255]  # the buyer's .area-shape fill
PIXEL = """async ([x, y]) => {
  await new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)));
  const canvas = document.getElementById("designer-canvas");
  const box = canvas.getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const at = [x - box.left, y - box.top].map((v) => Math.round(v * ratio));
  return Array.from(canvas.getContext("2d").getImageData(at[0], at[1], 1, 1).data);
}"""


def seat_width(page):
    """A seat's width on the screen, in CSS pixels: from seat A1 to A2 of the Stalls."""
    at = "(n) => window.sandaliDesigner.seatOnScreen('Stalls', 'A', n).x"
    return page.evaluate(at, 2) - page.evaluate(at, 1)


def canvas_pixel(page, x, y):
    return page.evaluate(PIXEL, [x, y])


def test_a_standing_area_added_in_the_designer_is_sold_on_the_buyers_map(browser, server, layout):  # noqa: F811
    vip = TicketType.objects.get(name="VIP")
    page, errors = staff_page(browser, server, f"/designer/layouts/{layout.pk}/")
    page.fill("#area-name", "Floor")
    page.fill("#area-new-capacity", "250")
    page.fill("#area-price", "35")
    page.select_option("#area-ticket-type", str(vip.pk))
    page.click("#add-area")
    assert page.locator("#area-fields").is_visible()
    middle = page.evaluate("() => window.sandaliDesigner.areaOnScreen('Floor')")
    one = seat_width(page)
    # Drawn filled as the buyer's map fills it: a point inside the 10 × 6 outline, off its words.
    assert canvas_pixel(page, middle["x"] - 4 * one, middle["y"] - 2.5 * one) == AREA_FILL
    floor = "() => window.sandaliDesigner.document().sections.find((s) => s.name === 'Floor')"
    added = page.evaluate(floor)
    assert (added["kind"], added["capacity"], added["prices"]) == (
        "standing",
        250,
        {str(vip.pk): "35.00"},
    )

    # Its capacity and size are the area's fields; undo takes a change back.
    page.fill("#area-capacity", "300")
    page.press("#area-capacity", "Tab")
    page.fill("#area-width", "14")
    page.press("#area-width", "Tab")
    assert page.evaluate(floor)["outline"]["width"] == 14
    page.click("#undo")
    assert page.evaluate(floor)["outline"]["width"] == 10
    assert page.evaluate(floor)["capacity"] == 300

    # Dragged with the Move tool, the outline moves with it: two units down.
    page.click("#select-none")
    page.check("input[name=tool][value=move]")
    middle = page.evaluate("() => window.sandaliDesigner.areaOnScreen('Floor')")
    page.check("input[name=tool][value=lasso]")
    page.mouse.click(middle["x"], middle["y"])  # picks the area
    page.check("input[name=tool][value=move]")
    unit = seat_width(page)
    page.mouse.move(middle["x"], middle["y"])
    page.mouse.down()
    page.mouse.move(middle["x"], middle["y"] + 2 * unit, steps=4)
    page.mouse.up()
    assert page.evaluate(floor)["outline"]["y"] == pytest.approx(added["outline"]["y"] + 2)
    page.click("h1")  # out of the fields: the keys are the map's
    page.keyboard.press("Delete")  # the selected area
    assert page.evaluate(floor) is None
    page.keyboard.press("Control+z")
    assert page.evaluate(floor)["capacity"] == 300

    page.click("#save")
    page.wait_for_selector("body[data-saved='308']")  # 8 seats and 300 places
    assert errors == []
    stored = LayoutSection.objects.get(layout=layout, name="Floor")
    assert (stored.kind, stored.capacity, stored.outline["type"]) == (
        SectionKind.STANDING,
        300,
        "rect",
    )

    now = db_now()
    performance = create_performance_from_layout(
        layout=layout,
        starts_at=now + timedelta(days=3),
        sales_start=now - timedelta(hours=1),
        sales_end=now + timedelta(days=2),
    )
    publish_performance(performance_id=performance.pk)
    area = performance.sections.get(name="Floor")
    buyer = browser.new_page()
    buyer.goto(f"{server}/performances/{performance.pk}/")
    buyer.wait_for_selector("body[data-ready=true]", timeout=10_000)
    shape = buyer.locator(f'.area[data-area-id="{area.pk}"]')
    assert shape.locator(".area-name").text_content() == "Floor"
    assert shape.locator(".area-left").text_content() == "300 of 300 places left"
    buyer.close()


def test_the_demo_arena_opened_in_the_designer_and_saved_is_the_same_arena(browser, server):
    now = db_now()
    performance = create_arena(starts_at=now + timedelta(days=30), sales_start=now)
    layout = VenueLayout.objects.get(event=performance.event)  # noqa: F811 - not the fixture
    before = rows_of(layout)
    page, errors = staff_page(browser, server, f"/designer/layouts/{layout.pk}/")
    page.click("#preview")  # the buyer's view draws the floor too
    page.click("#preview")
    page.click("#save")
    page.wait_for_selector("body[data-saved]", timeout=30_000)
    assert errors == []
    assert page.locator("body").get_attribute("data-saved") == "19830"
    assert rows_of(layout) == before
