"""Accessible seats on the buyer's seat map in headless Chromium: the wheelchair mark and the
legend, aria-labels that name a seat's attributes in English and Persian, the wheelchair
filter, and a click on a wheelchair space that holds its companion seats too."""

import pytest

from catalog.models import Seat
from tests.accessible import accessible_performance, seat_id
from tests.web.test_browser import browser, open_page, save, seat, server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_marks_wheelchair_spaces_with_a_legend_and_a_filter(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    space = seat_id(performance, "A-3")
    assert page.locator("#seat-map .seat-mark--wheelchair").count() == 2
    assert page.locator("#seat-map .seat-mark--wheelchair").first.text_content() == "♿"
    assert page.locator("#seat-map .seat-mark--companion").count() == 3
    assert page.locator("#seat-map .seat-mark--restricted_view").count() == 1
    assert page.locator("#seat-map .seat-mark--aisle").count() == 1
    assert seat(page, space).get_attribute("data-access") == "wheelchair"
    legend = page.locator("#access-key li")  # each entry: the mark as drawn, then its name
    assert [text.split("\n")[-1].strip() for text in legend.all_inner_texts()] == [
        "wheelchair space",
        "companion seat",
        "restricted view",
        "aisle seat",
    ]
    assert page.locator("#access-key li .seat-mark--wheelchair").text_content() == "♿"
    label = seat(page, space).get_attribute("aria-label")
    assert label.startswith("Stalls, row A, seat 3") and label.endswith(", wheelchair space")
    assert (
        seat(page, seat_id(performance, "A-2"))
        .get_attribute("aria-label")
        .endswith(", companion seat")
    )
    ordinary = seat(page, seat_id(performance, "B-2"))
    assert "wheelchair" not in ordinary.get_attribute("aria-label")
    # The filter dims every seat but the spaces and their companions.
    assert ordinary.evaluate("el => getComputedStyle(el).opacity") == "1"
    save(page, "accessible-seats.png")
    page.click("#access-filter")
    assert page.get_attribute("#access-filter", "aria-pressed") == "true"
    assert ordinary.evaluate("el => getComputedStyle(el).opacity") == "0.2"
    assert seat(page, space).evaluate("el => getComputedStyle(el).opacity") == "1"


def test_the_persian_map_names_a_wheelchair_space_in_persian(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    label = seat(page, seat_id(performance, "A-3")).get_attribute("aria-label")
    assert label.endswith("، جایگاه ویلچر")
    assert "صندلی همراه" in seat(page, seat_id(performance, "A-8")).get_attribute("aria-label")
    assert "جایگاه ویلچر" in page.locator("#access-key").inner_text()
    save(page, "accessible-seats-fa.png")


def test_clicking_a_wheelchair_space_holds_its_companion_seats_too(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    space, companions = (
        seat_id(performance, "A-3"),
        [seat_id(performance, p) for p in ("A-2", "A-4")],
    )
    seat(page, space).click()
    for seat_of in [space, *companions]:
        page.wait_for_selector(f'[data-seat-id="{seat_of}"].seat--mine')
    assert page.locator("#basket-seats li").count() == 3
    assert "wheelchair space" in page.locator("#basket-seats").inner_text()
    held = Seat.objects.filter(pk__in=[space, *companions])
    assert len({(s.status, s.hold_id) for s in held}) == 1
    # A lone companion seat is refused, with the server's reason.
    seat(page, seat_id(performance, "A-8")).click()
    page.wait_for_selector(".toast")
    assert "companion seat is sold only with its wheelchair space" in page.inner_text("#toasts")
