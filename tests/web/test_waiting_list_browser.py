"""The waiting list's join form on the performance page, in Chromium, in Persian (right to
left) and in English: shown only where seats are sold out, it puts the buyer on the list in
the page's language and says so."""

import pytest

from reservations.models import WaitingEntry
from tests.checkin.test_scanner_browser import elsewhere
from tests.factories import make_order, make_performance
from tests.web.test_browser import browser, open_page, save, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def sold_out_hall():
    hall = elsewhere(lambda: make_performance(sections=1, rows=1, seats_per_row=2))
    elsewhere(lambda: make_order(hall, seats=2))
    return hall


def test_a_buyer_joins_the_waiting_list_in_persian(browser, server):  # noqa: F811
    hall = sold_out_hall()
    page = open_page(browser, f"{server}/performances/{hall.pk}/", language="fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    form = page.locator("form.waiting-list-form")
    assert "به فهرست انتظار بپیوندید" in page.locator("#waiting-title").inner_text()
    options = form.locator("select[name=kind] option").all_inner_texts()
    assert options[0] == "هر صندلی" and len(options) == 3  # any, and both kinds sold out
    form.locator("input[name=email]").fill("sara@example.org")
    form.locator("input[name=quantity]").fill("2")
    save(page, "waiting-list-join-fa.png")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("body[data-ready=true]")
    assert "در فهرست انتظار هستید" in page.locator("body").inner_text()
    entry = elsewhere(lambda: WaitingEntry.objects.get())
    assert (entry.email, entry.quantity, entry.language, entry.section_id) == (
        "sara@example.org", 2, "fa", None,
    )  # fmt: skip


def test_a_buyer_waits_for_one_sold_out_ticket_type_in_english(browser, server):  # noqa: F811
    hall = sold_out_hall()
    page = open_page(browser, f"{server}/performances/{hall.pk}/", language="en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    form = page.locator("form.waiting-list-form")
    form.locator("input[name=email]").fill("ava@example.org")
    form.locator("select[name=kind]").select_option(label="Section 1 · Student")
    form.locator("input[name=quantity]").fill("11")  # over the cap of 10: not sent
    page.wait_for_selector("form.waiting-list-form input[name=quantity]:invalid")
    form.locator("input[name=quantity]").fill("1")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("text=You are on the waiting list")
    entry = elsewhere(lambda: WaitingEntry.objects.select_related("ticket_type").get())
    assert (entry.language, entry.ticket_type.name) == ("en", "Student")


def test_no_form_while_every_kind_has_seats(browser, server):  # noqa: F811
    hall = elsewhere(lambda: make_performance(sections=1, rows=2, seats_per_row=2))
    page = open_page(browser, f"{server}/performances/{hall.pk}/")
    assert page.locator("form.waiting-list-form").count() == 0


def test_the_offer_link_opens_the_checkout_with_no_secret_left_in_the_url(browser, server):  # noqa: F811
    from orders.cancellation import cancel_order
    from orders.waiting_list import join_waiting_list, offer_secret, serve_all

    hall = elsewhere(lambda: make_performance(sections=1, rows=1, seats_per_row=2))
    order = elsewhere(lambda: make_order(hall, seats=2).order)
    elsewhere(lambda: join_waiting_list(performance_id=hall.pk, email="a@example.org", quantity=2))
    elsewhere(lambda: cancel_order(order_id=order.pk))
    elsewhere(serve_all)
    secret = offer_secret(elsewhere(lambda: WaitingEntry.objects.get()).offer_seed)
    context = browser.new_context(locale="fa", extra_http_headers={"Accept-Language": "fa"})
    page = context.new_page()
    page.goto(f"{server}/waiting-list/offer#{secret}")
    page.wait_for_url(f"{server}/performances/{hall.pk}/checkout")
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    assert secret not in page.url
    assert "Section 1" in page.locator("body").inner_text()
    context.close()
