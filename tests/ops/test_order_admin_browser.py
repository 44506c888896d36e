"""An organizer changing orders in the admin, in headless Chromium: moving a ticket to another
seat from the order's page, and cancelling an order only after confirming."""

import pytest
from django.contrib.auth.models import User

from catalog.models import SeatStatus
from orders.models import Order, OrderStatus, Ticket
from tests.backoffice.test_order_changes import free_seat_at
from tests.checkin.door import sell
from tests.checkin.test_scanner_browser import elsewhere
from tests.ops.screenshots import save_admin_page
from tests.web import test_browser as buyer_pages

browser = buyer_pages.browser
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


def admin_page(browser, server, path):
    User.objects.create_superuser("manager", password="x-pass-1234")
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.goto(f"{server}/admin/login/?next={path}")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "x-pass-1234")
    page.click("input[type=submit]")
    return page


def test_staff_move_a_ticket_from_the_orders_page_and_see_it_in_the_history(
    browser, server, performance
):
    (ticket,) = elsewhere(lambda: sell(performance))  # Playwright's loop runs on this thread
    target = free_seat_at(performance, str(int(ticket.price)))
    page = admin_page(browser, server, f"/admin/orders/order/{ticket.order_id}/change/")

    page.get_by_role("link", name="Move a ticket to another seat").click()
    page.select_option("select[name=ticket]", str(ticket.pk))
    page.select_option("select[name=section]", str(target.section_id))
    page.fill("input[name=row]", target.row)
    page.fill("input[name=number]", str(target.number))
    page.get_by_role("button", name="Move the ticket").click()

    page.wait_for_selector(".messagelist .success")
    moved = Ticket.objects.get(order_id=ticket.order_id, valid=True)
    assert moved.seat_id == target.pk
    assert moved.code in page.inner_text(".messagelist")
    assert f"Ticket {ticket.code} moved from" in page.inner_text("body")  # the history
    save_admin_page(page, "order-history-en.png")
    target.refresh_from_db()
    assert target.status == SeatStatus.SOLD


def test_cancelling_an_order_in_the_admin_asks_for_confirmation_first(browser, server, performance):
    (ticket,) = elsewhere(lambda: sell(performance))
    page = admin_page(browser, server, "/admin/orders/order/")

    page.check(f"input[name=_selected_action][value='{ticket.order_id}']")
    page.select_option("select[name=action]", "cancel")
    page.click("button[name=index]")  # "Go"
    page.wait_for_selector("text=Cancel and refund these orders?")
    assert Order.objects.get(pk=ticket.order_id).status == OrderStatus.PAID

    page.get_by_role("button", name="Yes, I'm sure").click()

    page.wait_for_selector(".messagelist .success")
    assert "Cancelled and refunded 1 order." in page.inner_text(".messagelist")
    assert Order.objects.get(pk=ticket.order_id).status == OrderStatus.CANCELLED
