"""The buyer's pages paying with Stripe (payments/stripe_provider.py), through Django's test
client and the local stand-in for Stripe's API (tests/stripe_server.py): the checkout sends
the buyer to the Checkout Session's URL, and the return page settles on Stripe's answer."""

import pytest

from catalog.models import Seat
from orders.models import Order
from tests.factories import seat_ids
from tests.stripe_server import stripe_api_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

BUYER = {"name": "Ava", "email": "ava@example.org", "phone": ""}


@pytest.fixture(autouse=True)
def pay_at_the_page(settings):
    settings.SANDALI_PAYMENT_REDIRECT = True


def to_stripe(client, performance) -> str:
    for seat_id in seat_ids(performance)[:2]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    sent = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert sent.status_code == 302
    assert sent["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    return sent["Location"].rsplit("/", 1)[1]


def test_a_persian_buyer_pays_at_stripe_and_comes_back_to_the_order(
    client, performance, stripe_api
):
    client.cookies["django_language"] = "fa"
    session = to_stripe(client, performance)
    assert stripe_api.sessions[session]["locale"] == "auto"
    return_path = f"/performances/{performance.pk}/checkout/return"
    (sent,) = stripe_api.created("/v1/checkout/sessions")
    assert sent.form["success_url"] == f"http://testserver{return_path}"
    stripe_api.pay(session)
    back = client.get(return_path)
    order = Order.objects.get()
    assert back["Location"] == f"/orders/{order.pk}/"


def test_stripe_down_at_the_return_keeps_the_seats_and_the_buyer_comes_back_later(
    client, performance, stripe_api
):
    session = to_stripe(client, performance)
    stripe_api.pay(session)
    stripe_api.down = True
    return_path = f"/performances/{performance.pk}/checkout/return"
    back = client.get(return_path)
    assert back.status_code == 302
    assert back["Location"] == f"/performances/{performance.pk}/checkout"
    held = Seat.objects.filter(id__in=seat_ids(performance)[:2]).values_list("status", flat=True)
    assert set(held) == {"reserved"} and not Order.objects.exists()
    stripe_api.down = False
    assert client.get(return_path)["Location"] == f"/orders/{Order.objects.get().pk}/"
