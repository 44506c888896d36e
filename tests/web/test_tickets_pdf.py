"""The tickets as a PDF from the order page: for the browser that bought them, as the page
itself is, in the page's language."""

import pytest
from django.test import Client

from orders.cancellation import cancel_order
from orders.models import Order
from tests.factories import seat_ids
from tests.pdfs import page_texts

pytestmark = pytest.mark.django_db

BUYER = {"name": "Ava", "email": "ava@example.org", "phone": ""}


def buy(client, performance, count=2) -> Order:
    """Choose seats on the map and pay, as a buyer's browser does."""
    for seat_id in seat_ids(performance)[:count]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    paid = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert paid.status_code == 302, paid.content
    return Order.objects.get()


def test_the_order_page_links_to_its_tickets_pdf(client, performance):
    order = buy(client, performance)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/tickets.pdf"' in page


def test_the_buying_browser_downloads_its_tickets_as_a_pdf_in_its_language(client, performance):
    order = buy(client, performance)
    response = client.get(f"/orders/{order.pk}/tickets.pdf", HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = f'attachment; filename="sandali-order-{order.pk}.pdf"'
    assert response["Content-Disposition"] == disposition
    texts = page_texts(response.content)
    assert len(texts) == 2 and all("نوع بلیت" in text for text in texts)


def test_another_browser_gets_404_for_the_tickets_pdf(client, performance):
    order = buy(client, performance)
    assert Client().get(f"/orders/{order.pk}/tickets.pdf").status_code == 404


def test_a_cancelled_order_offers_no_pdf_and_its_link_says_why(client, performance):
    order = buy(client, performance)
    cancel_order(order_id=order.pk)
    assert "tickets.pdf" not in client.get(f"/orders/{order.pk}/").content.decode()
    response = client.get(f"/orders/{order.pk}/tickets.pdf", follow=True)
    assert response.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    assert "no valid tickets" in response.content.decode()
