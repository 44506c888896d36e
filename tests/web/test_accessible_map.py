"""Accessible seats on the buyer's seat map in headless Chromium: the wheelchair mark and the
legend, aria-labels that name a seat's attributes in English and Persian, the wheelchair
filter, and a click on a wheelchair space that holds its companion seats too."""

import pytest

from catalog.models import Seat
from tests.accessible import accessible_performance, seat_id
from tests.web.seatmap_probe import click_seat, label_of, probe, wait_for_status
from tests.web.test_browser import browser, open_page, save, server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_marks_wheelchair_spaces_with_a_legend_and_a_filter(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    space = seat_id(performance, "A-3")
    # The marks the map's canvas drew over the seats (seatmap-access.js drawMark).
    assert probe(page, "marksDrawn") == {
        "wheelchair": 2,
        "companion": 3,
        "restricted_view": 1,
        "aisle": 1,
    }
    legend = page.locator("#access-key li")  # each entry: the mark as drawn, then its name
    assert [text.split("\n")[-1].strip() for text in legend.all_inner_texts()] == [
        "wheelchair space",
        "companion seat",
        "restricted view",
        "aisle seat",
    ]
    assert page.locator("#access-key li .seat-mark--wheelchair").text_content() == "♿"
    label = label_of(page, space)
    assert label.startswith("Stalls, row A, seat 3") and label.endswith(", wheelchair space")
    assert label_of(page, seat_id(performance, "A-2")).endswith(", companion seat")
    ordinary = seat_id(performance, "B-2")
    assert "wheelchair" not in label_of(page, ordinary)
    # The filter dims every seat but the spaces and their companions.
    assert not probe(page, "dimmed(arg)", ordinary)
    save(page, "accessible-seats.png")
    page.click("#access-filter")
    assert page.get_attribute("#access-filter", "aria-pressed") == "true"
    assert probe(page, "dimmed(arg)", ordinary)
    assert not probe(page, "dimmed(arg)", space)
    assert not probe(page, "dimmed(arg)", seat_id(performance, "A-2"))


def test_the_persian_map_names_a_wheelchair_space_in_persian(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    label = label_of(page, seat_id(performance, "A-3"))
    assert label.endswith("، جایگاه ویلچر")
    assert "صندلی همراه" in label_of(page, seat_id(performance, "A-8"))
    assert "جایگاه ویلچر" in page.locator("#access-key").inner_text()
    save(page, "accessible-seats-fa.png")


def test_clicking_a_wheelchair_space_holds_its_companion_seats_too(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    space, companions = (
        seat_id(performance, "A-3"),
        [seat_id(performance, p) for p in ("A-2", "A-4")],
    )
    click_seat(page, space)
    for seat_of in [space, *companions]:
        wait_for_status(page, seat_of, "mine")
    assert page.locator("#basket-seats li").count() == 3
    assert "wheelchair space" in page.locator("#basket-seats").inner_text()
    held = Seat.objects.filter(pk__in=[space, *companions])
    assert len({(s.status, s.hold_id) for s in held}) == 1
    # A lone companion seat is refused, with the server's reason.
    click_seat(page, seat_id(performance, "A-8"))
    page.wait_for_selector(".toast")
    assert "companion seat is sold only with its wheelchair space" in page.inner_text("#toasts")
