"""The box office desk in headless Chromium: staff choose seats on the live seat map, sell them
for cash, open the tickets' PDF and e-mail them (to a real SMTP server, through the server
process's own worker), then start the next customer; the map shows a buyer's hold as taken
and the page reads right to left in Persian."""

import time

import pytest
from django.contrib.auth.models import Permission, User

from catalog.models import Seat, SeatStatus
from orders.models import DeskMethod, Order
from reservations.services import hold_seats
from tests.checkin.test_scanner_browser import elsewhere
from tests.factories import make_performance, make_standing_area, seat_ids
from tests.servers import sandali_server
from tests.web import test_browser as buyer_pages
from tests.web.seatmap_probe import click_seat, probe, wait_for_status

browser = buyer_pages.browser

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailing_server(mail_server):
    """A Sandali server process whose worker sends mail to the test's SMTP server."""
    with sandali_server(EMAIL_URL=mail_server.url) as base:
        yield base


def desk_page(browser, server, path: str, language: str = "en"):
    """Staff who may view performances and sell at the desk, logged in, on `path`."""
    user = User.objects.create_user("desk", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_performance", "sell_at_desk"])
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    page.goto(f"{server}/admin/login/?next={path}")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "x-pass-1234")
    page.click("input[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return page


def test_staff_sell_seats_from_the_map_for_cash_print_and_mail_the_tickets(
    browser, mailing_server, mail_server
):
    performance = make_performance(sections=2, rows=3, seats_per_row=8)
    ids = seat_ids(performance)
    taken = ids[5]
    elsewhere(lambda: hold_seats(performance_id=performance.pk, seat_ids=[taken]))
    path = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, mailing_server, path)
    wait_for_status(page, taken, "reserved")  # a buyer's hold shows as taken
    for seat_id in ids[:2]:
        click_seat(page, seat_id)
        wait_for_status(page, seat_id, "mine")
    page.wait_for_selector("body[data-desk-seats='2']")
    assert page.locator("#desk-seats li").count() == 2
    assert page.inner_text("#desk-total") == "40 EUR"
    buyer_pages.save(page, "box-office-en.png")

    page.check("input[name=method][value=cash]")
    page.fill("input[name=email]", "walkup@example.org")
    page.click("#desk-sell")
    page.wait_for_selector("#desk-tickets")
    order = Order.objects.get(performance=performance)
    assert (order.desk_method, order.sold_by, order.total) == (DeskMethod.CASH, "desk", 40)
    assert page.locator("#desk-tickets tbody tr").count() == 2
    assert set(Seat.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
        SeatStatus.SOLD
    }

    pdf = page.request.get(mailing_server + page.get_attribute("#desk-pdf", "href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.click("#desk-email")
    page.wait_for_selector(".messagelist .success")
    deadline = time.monotonic() + 30
    while not mail_server.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = mail_server.inbox.messages
    assert message["To"] == "walkup@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines()[0] == "Hello,"  # no name was given: no "Hello ,"
    codes = {ticket.code for ticket in order.tickets.all()}
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert any(name and name.endswith(".pdf") for name in attachments), attachments
    assert codes  # the mail is about this order's tickets
    assert f"order-{order.pk}." in message["Message-ID"]

    page.click("#desk-next")  # the next customer: the map again, nothing chosen
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("body[data-desk-seats='0']")
    wait_for_status(page, ids[0], "sold")


def test_the_desk_reads_right_to_left_in_persian(browser, mailing_server):
    performance = make_performance()
    path = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, mailing_server, path, language="fa")
    assert page.get_attribute("html", "dir") == "rtl"
    click_seat(page, seat_ids(performance)[0])
    page.wait_for_selector("body[data-desk-seats='1']")
    assert page.inner_text("#desk-count") == "۱"
    assert "۲۰" in page.inner_text("#desk-total")
    assert "صندلی ۱" in page.inner_text("#desk-seats")  # Persian digits in the seat's name
    assert page.get_by_role("button", name="فروش").is_visible()


def test_a_large_hall_opens_as_its_sections_and_a_click_zooms_into_one(browser, mailing_server):
    performance = make_performance(sections=4, rows=20, seats_per_row=40)  # 3,200 seats
    target = seat_ids(performance)[-1]  # the last section's last seat
    area = make_standing_area(performance, capacity=50)
    path = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, mailing_server, path)
    assert not probe(page, "seatsShown")  # the whole hall: sections, not seats
    assert page.locator(".section-shape").count() == 4
    click_seat(page, target)  # a click on its section zooms in, a second one holds it
    wait_for_status(page, target, "mine")
    page.wait_for_selector("body[data-desk-seats='1']")
    page.fill(f"#desk-area-{area.pk}", "3")  # and three standing places
    page.click(f".desk-area[data-area='{area.pk}'] button[type=submit]")
    page.wait_for_selector("body[data-desk-seats='4']")
    assert area.seats.filter(status="reserved").count() == 3


def test_the_desk_holds_a_seat_from_the_keyboard(browser, mailing_server):
    performance = make_performance()
    path = f"/admin/catalog/performance/{performance.pk}/box-office/"
    page = desk_page(browser, mailing_server, path)
    page.focus("#seat-map")
    page.keyboard.press("ArrowRight")  # the first free seat
    first = int(page.get_attribute("#seat-current", "data-seat-id"))
    page.keyboard.press("ArrowRight")
    second = int(page.get_attribute("#seat-current", "data-seat-id"))
    assert second != first
    page.keyboard.press("Enter")
    wait_for_status(page, second, "mine")
    page.wait_for_selector("body[data-desk-seats='1']")
    assert "held at the desk" in page.get_attribute("#seat-current", "aria-label")
