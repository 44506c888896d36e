"""Tickets for places of a standing area name the area and say "standing" where a seat's say
its row and number: the order page, the PDF, the mails and the door. Nothing else in orders
knows areas: a place is a seat row, bought and sold by the same checkout."""

import pytest
from django.utils import translation

from delivery.documents import tickets_pdf
from delivery.mail import compose_order_mail
from orders.access import issue_access_link
from orders.checkout import checkout
from orders.models import MailKind, OrderMail, Ticket
from orders.selectors import order_tickets
from reservations.areas import AreaQuantity
from reservations.services import hold_seats
from tests.checkin.door import device, qr, scan
from tests.factories import make_standing_area, seat_ids
from tests.pdfs import page_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(performance):
    area = make_standing_area(performance, capacity=100, name="Floor")
    held = hold_seats(
        performance_id=performance.pk,
        seat_ids=seat_ids(performance)[:1],
        areas=[AreaQuantity(area.pk, 2)],
    )
    return checkout(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
        email="ava@example.org", language="en",
    ).order  # fmt: skip


def test_the_order_has_a_ticket_per_place_each_standing(order):
    tickets = order_tickets(order=order)
    assert [(t.section, t.standing) for t in tickets] == [
        ("Section 1", False), ("Floor", True), ("Floor", True),
    ]  # fmt: skip
    assert sum(t.price for t in tickets) == order.total == 50


def test_the_order_page_says_standing_instead_of_row_and_seat(client, order):
    secret = issue_access_link(order_id=order.pk)  # the mail's link opens the order page
    page = client.post("/orders/open", {"secret": secret}, follow=True).content.decode()
    assert page.count("Floor · standing") == 2
    assert page.count("Section 1 · Row A") == 1


def test_the_pdf_prints_the_area_and_standing(order):
    texts = page_texts(tickets_pdf(order_id=order.pk, language="en"))
    standing = [text for text in texts if "Floor · standing" in text]
    assert len(standing) == 2
    assert all("Row" not in text for text in standing)


def test_the_mails_say_standing(order):
    mail = compose_order_mail(OrderMail.objects.get(order=order, kind=MailKind.CONFIRMATION))
    with translation.override("en"):
        assert mail.body.count("Floor · standing") == 2
        assert mail.body.count("Section 1 · Row A") == 1
        (html, _), = mail.alternatives  # fmt: skip
        assert html.count("standing") == 2


def test_the_door_names_the_area(client, order):
    ticket = Ticket.objects.filter(order=order, seat__row="").first()
    response = scan(client, device(order.performance), qr(ticket))
    assert response.json()["seat"] == {"section": "Floor", "row": "", "number": 1, "standing": True}
