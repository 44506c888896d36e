"""More time at the payment step, in Chromium and in Persian: the button adds the
performance's minutes once, the countdown shows them, and the offer is gone afterwards."""

import pytest

from catalog.models import Performance
from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.web.seatmap_probe import click_seat, wait_for_status
from tests.web.test_browser import browser, open_page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)
LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def minutes_left(page) -> int:
    page.wait_for_selector("#countdown:not(:empty)")
    return int(page.locator("#countdown").inner_text().translate(LATIN).split(":")[0])


def test_a_buyer_at_the_payment_step_adds_time_once_in_persian(browser, server):  # noqa: F811
    performance = make_performance(hold_minutes=5)
    Performance.objects.filter(pk=performance.pk).update(hold_extension_minutes=7)
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    click_seat(page, ids[0])
    wait_for_status(page, ids[0], "mine")
    page.click("#to-checkout")
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    assert page.locator("html").get_attribute("dir") == "rtl"
    before = minutes_left(page)
    assert before <= 5
    page.click("form.extend button")
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    assert "زمان بیشتری دارید" in page.locator("body").inner_text()
    assert minutes_left(page) >= before + 6
    assert page.locator("form.extend").count() == 0
    assert Hold.objects.get().extended
