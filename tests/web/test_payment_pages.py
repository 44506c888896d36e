"""The buyer's pages paying at the test provider's hosted page, through Django's test client:
the checkout sends the buyer there, the page's Pay and Cancel send them back, and the return
URL gives nothing to anybody but the buyer whose session started the payment."""

import pytest
from django.test import Client

from catalog.models import Seat
from orders.models import Order, PaymentAttempt, PaymentStatus
from payments import test_gateway
from payments.models import Charge
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db

BUYER = {"name": "Ava", "email": "ava@example.org", "phone": ""}


@pytest.fixture(autouse=True)
def pay_at_the_page(settings):
    settings.SANDALI_PAYMENT_REDIRECT = True
    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False  # no server to post to: tests post them


def to_the_page(client, performance, seats=2):
    for seat_id in seat_ids(performance)[:seats]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    sent = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert sent.status_code == 302 and sent["Location"].startswith("/pay/test/tc_")
    return sent["Location"]


def test_paying_at_the_page_comes_back_to_the_order(client, performance):
    page_url = to_the_page(client, performance)
    page = client.get(page_url)
    assert page.status_code == 200 and "Pay" in page.content.decode()
    back = client.post(page_url, {"action": "pay"})
    return_url = f"http://testserver/performances/{performance.pk}/checkout/return"
    assert back.status_code == 302 and back["Location"] == return_url
    order_page = client.get(back["Location"])
    order = Order.objects.get()
    assert order_page["Location"] == f"/orders/{order.pk}/"
    assert client.get(order_page["Location"]).content.decode().count('<li class="ticket') == 2
    assert Charge.objects.filter(approved=True).count() == 1


def test_the_page_speaks_the_buyers_language(client, performance):
    client.cookies["django_language"] = "fa"
    page_url = to_the_page(client, performance)
    html = client.get(page_url).content.decode()
    assert 'dir="rtl"' in html and "پرداخت" in html and "لغو پرداخت" in html


def test_cancelling_at_the_page_keeps_the_seats_and_the_buyer_pays_again(client, performance):
    page_url = to_the_page(client, performance)
    back = client.post(page_url, {"action": "cancel"})
    checkout = client.get(back["Location"], follow=True)
    assert "declined" in checkout.content.decode()
    assert set(
        Seat.objects.filter(id__in=seat_ids(performance)[:2]).values_list("status", flat=True)
    ) == {"reserved"}
    again = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert again["Location"] != page_url
    client.post(again["Location"], {"action": "pay"})
    client.get(f"/performances/{performance.pk}/checkout/return")
    assert Order.objects.count() == 1


def test_the_return_url_neither_trusts_its_query_nor_serves_another_buyer(client, performance):
    page_url = to_the_page(client, performance)
    return_url = f"/performances/{performance.pk}/checkout/return"
    forged = client.get(f"{return_url}?status=paid&reference={page_url.split('/')[3]}")
    assert forged.status_code == 302 and not Order.objects.exists()  # not paid: no order
    client.post(page_url, {"action": "pay"})
    stranger = Client()
    for seat_id in seat_ids(performance)[2:3]:
        stranger.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    answer = stranger.get(return_url)
    assert answer.status_code == 302 and not answer["Location"].startswith("/orders/")
    assert not Order.objects.exists()  # the stranger's visit settled nothing of Ava's
    done = client.get(return_url)
    assert done["Location"] == f"/orders/{Order.objects.get().pk}/"
    assert stranger.get(done["Location"]).status_code == 404


def test_a_buyer_whose_tab_closed_finds_the_order_on_coming_back(client, performance):
    page_url = to_the_page(client, performance)
    reference = page_url.split("/")[3]
    test_gateway.pay(test_gateway.checkout_of(reference))  # paid; the tab closed before return
    body = test_gateway.webhook_body(reference)
    delivered = Client().post(
        "/payments/webhook",
        body,
        content_type="application/json",
        HTTP_SANDALI_TEST_SIGNATURE=test_gateway.signature(body),
    )
    assert (
        delivered.status_code == 204 and PaymentAttempt.objects.get().status == PaymentStatus.PAID
    )
    again = client.get(f"/performances/{performance.pk}/checkout")
    assert again["Location"] == f"/orders/{Order.objects.get().pk}/"
    assert client.get(again["Location"]).status_code == 200
