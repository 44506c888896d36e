"""The waiting list end to end: a freed seat offered by the periodic run, the offer's mail
through the outbox to a real SMTP server in the entry's language, its link exchanged for the
browser's session, the hold checked out on the ordinary checkout page, the entry off the
list; and the organizer's counts and entries in the admin."""

import re

import pytest
from django.urls import reverse

from ops.periodic import sweep_once
from orders.cancellation import cancel_order
from orders.models import Order, OrderStatus
from orders.waiting_list import join_waiting_list
from reservations.models import WaitingEntry, WaitingStatus
from tests.factories import make_order, make_performance
from tests.mailserver import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hall():
    return make_performance(sections=1, rows=1, seats_per_row=2, max_seats_per_order=4)


def offer_mail(mail_server):
    (message,) = mail_server.inbox.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return message, text, html


def test_an_offer_is_mailed_and_its_link_opens_the_checkout_that_sells_the_freed_seats(
    hall, mail_server, client
):
    order = make_order(hall, seats=2, email="first@example.org").order
    join_waiting_list(performance_id=hall.pk, email="ava@example.org", quantity=2, language="en")
    cancel_order(order_id=order.pk)
    run_tasks()  # the cancellation's mail
    mail_server.inbox.messages.clear()
    sweep_once()  # the periodic run: offers the two seats
    run_tasks()
    message, text, html = offer_mail(mail_server)
    assert message["To"] == "ava@example.org"
    assert message["Subject"].startswith("Seats are held for you: Test concert")
    assert "2 of them are held for you" in text and "Section 1, row A, seat 1" in text
    accept, decline = re.findall(r"https?://\S+/waiting-list/offer\S*#(\S+)", text)
    assert accept == decline and "?decline=1#" in text and 'dir="ltr"' in html
    # The secret travels in the fragment: the page posts it, and the session gets the hold.
    opened = client.post(reverse("waiting-list-offer"), {"secret": accept})
    assert opened.status_code == 302
    assert opened["Location"] == reverse("checkout", args=[hall.pk])
    page = client.get(opened["Location"])
    assert page.status_code == 200 and "Section 1" in page.text
    paid = client.post(opened["Location"], {"name": "Ava", "email": "ava@example.org", "phone": ""})
    assert paid.status_code == 302, paid
    bought = Order.objects.get(email="ava@example.org")
    assert bought.status == OrderStatus.PAID and bought.tickets.count() == 2
    sweep_once()
    assert WaitingEntry.objects.get().status == WaitingStatus.BOUGHT


def test_the_offer_mail_is_in_persian_for_an_entry_that_joined_in_persian(hall, mail_server):
    order = make_order(hall, seats=2).order
    join_waiting_list(performance_id=hall.pk, email="sara@example.org", quantity=3, language="fa")
    cancel_order(order_id=order.pk)
    run_tasks()
    mail_server.inbox.messages.clear()
    sweep_once()
    run_tasks()
    _message, text, html = offer_mail(mail_server)
    assert "۲ صندلی تا" in text and "شما ۳ صندلی خواسته بودید" in text  # fewer than asked
    assert 'dir="rtl"' in html and 'lang="fa"' in html


def test_a_declined_link_asks_first_then_passes_the_seats_on(hall, mail_server, client):
    order = make_order(hall, seats=2).order
    join_waiting_list(performance_id=hall.pk, email="a@example.org", quantity=2)
    join_waiting_list(performance_id=hall.pk, email="b@example.org", quantity=2)
    cancel_order(order_id=order.pk)
    sweep_once()
    run_tasks()
    (text,) = [
        m.get_body(preferencelist=("plain",)).get_content()
        for m in mail_server.inbox.messages
        if m["To"] == "a@example.org"
    ]
    secret = re.findall(r"\?decline=1#(\S+)", text)[0]
    asked = client.post(reverse("waiting-list-offer") + "?decline=1", {"secret": secret})
    assert asked.status_code == 200 and 'value="decline"' in asked.text
    assert WaitingEntry.objects.get(email="a@example.org").status == WaitingStatus.OFFERED
    passed = client.post(reverse("waiting-list-offer"), {"secret": secret, "action": "decline"})
    assert passed.status_code == 302
    assert WaitingEntry.objects.get(email="a@example.org").status == WaitingStatus.DECLINED
    assert WaitingEntry.objects.get(email="b@example.org").status == WaitingStatus.OFFERED
    gone = client.post(reverse("waiting-list-offer"), {"secret": secret})
    assert gone.status_code == 404


def test_the_organizer_sees_the_counts_and_removes_an_entry_after_confirming(admin_client, hall):
    make_order(hall, seats=2)
    join_waiting_list(performance_id=hall.pk, email="a@example.org", quantity=2)
    join_waiting_list(performance_id=hall.pk, email="b@example.org", quantity=3)
    sales = admin_client.get(reverse("admin:catalog_performance_sales", args=[hall.pk]))
    assert re.search(r'id="waiting-entries">2<', sales.text)
    assert re.search(r'id="waiting-seats">5<', sales.text)
    entries = reverse("admin:reservations_waitingentry_changelist")
    found = admin_client.get(entries + "?q=b%40example")
    assert "b@example.org" in found.text and "a@example.org" not in found.text
    entry = WaitingEntry.objects.get(email="b@example.org")
    chosen = {"action": "remove_from_list", "_selected_action": [entry.pk]}
    asked = admin_client.post(entries, chosen)
    assert asked.status_code == 200 and "entries-to-remove" in asked.text
    assert WaitingEntry.objects.get(pk=entry.pk).status == WaitingStatus.WAITING
    admin_client.post(entries, {**chosen, "confirmed": "yes"})
    assert WaitingEntry.objects.get(pk=entry.pk).status == WaitingStatus.REMOVED


def test_the_sales_page_shows_the_waiting_list_in_persian(admin_client, hall):
    make_order(hall, seats=2)
    join_waiting_list(performance_id=hall.pk, email="a@example.org", quantity=3)
    sales = admin_client.get(
        reverse("admin:catalog_performance_sales", args=[hall.pk]), HTTP_ACCEPT_LANGUAGE="fa"
    )
    assert "<h2>فهرست انتظار</h2>" in sales.text
    assert '<dd id="waiting-seats">۳</dd>' in sales.text


def test_an_offer_of_standing_places_opens_a_checkout_that_sells_them(client):
    from orders.checkout import checkout as buy
    from orders.waiting_list import offer_secret, serve_all
    from reservations.services import AreaQuantity, hold_seats
    from tests.factories import make_standing_area

    hall = make_performance(sections=1, rows=1, seats_per_row=1)
    area = make_standing_area(hall, capacity=2)
    seated = make_order(hall, seats=1).order
    held = hold_seats(performance_id=hall.pk, areas=[AreaQuantity(area.pk, 2)])
    placed = buy(hold_id=held.hold.pk, token=held.token, idempotency_key="p", name="P",
                 email="p@example.org").order  # fmt: skip
    join_waiting_list(performance_id=hall.pk, email="a@example.org", quantity=2)
    cancel_order(order_id=placed.pk)
    serve_all()
    secret = offer_secret(WaitingEntry.objects.get().offer_seed)
    opened = client.post(reverse("waiting-list-offer"), {"secret": secret})
    page = client.get(opened["Location"])
    assert page.status_code == 200, page  # not sent back to choose seats
    paid = client.post(opened["Location"], {"name": "A", "email": "a@example.org", "phone": ""})
    assert paid.status_code == 302
    assert Order.objects.get(email="a@example.org").tickets.count() == 2
    assert seated.status == OrderStatus.PAID
