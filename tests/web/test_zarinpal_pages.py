"""The buyer's pages paying at ZarinPal (payments/zarinpal_provider.py), through Django's test
client and the fake gateway's own page (tests/bank_server.py) over HTTP: the checkout sends the
buyer to StartPay, the bank's Pay and Cancel send them back with a GET carrying
?Authority=...&Status=OK|NOK, and the return view hands those fields to verify as a hint."""

from urllib.parse import urlsplit

import pytest
import requests

from catalog.models import Seat
from orders.models import Order, PaymentAttempt, PaymentStatus
from tests.bank_server import zarinpal_fixture  # noqa: F401
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db

BUYER = {"name": "Ava", "email": "ava@example.org", "phone": ""}


@pytest.fixture
def rial_performance(performance):
    performance.event.currency = "IRR"
    performance.event.save()
    return performance


def to_the_bank(client, zarinpal, performance) -> str:
    for seat_id in seat_ids(performance)[:2]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    sent = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert sent.status_code == 302 and "/pg/StartPay/A" in sent["Location"]
    return sent["Location"]


def at_the_bank(page_url: str, action: str) -> str:
    """The buyer presses Pay or Cancel on the bank's page; the path and query they go back to."""
    page = requests.get(page_url, timeout=5)
    assert page.status_code == 200 and "پرداخت" in page.text
    back = requests.post(page_url, data={"action": action}, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    url = urlsplit(back.headers["Location"])
    return f"{url.path}?{url.query}"


def test_paying_at_the_bank_comes_back_with_a_get_to_the_order(client, zarinpal, rial_performance):
    back = at_the_bank(to_the_bank(client, zarinpal, rial_performance), "pay")
    assert back.startswith(f"/performances/{rial_performance.pk}/checkout/return?Authority=A")
    order_page = client.get(back)
    assert order_page["Location"] == f"/orders/{Order.objects.get().pk}/"
    assert client.get(order_page["Location"]).content.decode().count('<li class="ticket') == 2


def test_cancelling_at_the_bank_keeps_the_seats_and_the_buyer_pays_again(
    client, zarinpal, rial_performance
):
    back = at_the_bank(to_the_bank(client, zarinpal, rial_performance), "cancel")
    assert back.endswith("Status=NOK")
    checkout = client.get(back, follow=True)
    assert "declined" in checkout.content.decode()
    assert PaymentAttempt.objects.get().status == PaymentStatus.DECLINED
    seats = Seat.objects.filter(id__in=seat_ids(rial_performance)[:2])
    assert set(seats.values_list("status", flat=True)) == {"reserved"}
    again = client.post(f"/performances/{rial_performance.pk}/checkout", BUYER)
    assert client.get(at_the_bank(again["Location"], "pay"))["Location"].startswith("/orders/")


def test_zarinpal_sends_no_webhook_so_the_endpoint_is_not_there(client, zarinpal):
    assert (
        client.post("/payments/webhook", b"{}", content_type="application/json").status_code == 404
    )
