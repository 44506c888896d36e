"""An order keeps its buyer's language (the request's, at checkout), whoever makes it: the
checkout itself, or the sweeper finishing a payment cut short. Its mails are written in it."""

import pytest

from orders import checkout as checkout_module
from orders.checkout import checkout
from orders.models import Order, PaymentAttempt
from orders.recovery import recover_payments
from reservations.services import hold_seats
from tests.api.helpers import create_hold, post
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("accept", "language"), [("fa", "fa"), ("fa-IR,fa;q=0.9", "fa"),
                                                  ("en", "en"), ("de", "en")])  # fmt: skip
def test_an_api_checkout_records_the_requests_language(client, performance, accept, language):
    hold = create_hold(client, performance, seat_ids(performance)[:2])
    response = post(
        client,
        f"/holds/{hold['id']}/checkout",
        {"name": "Sara", "email": "sara@example.org"},
        token=hold["token"],
        key="k",
        lang=accept,
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    assert order.language == language
    assert order.payment.language == language


def test_a_checkout_on_the_persian_pages_records_persian(client, performance):
    for seat_id in seat_ids(performance)[:2]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    fields = {"name": "آوا", "email": "ava@example.org", "phone": ""}
    done = client.post(
        f"/performances/{performance.pk}/checkout", fields, HTTP_ACCEPT_LANGUAGE="fa"
    )
    assert done.status_code == 302
    assert Order.objects.get().language == "fa"


def test_the_sweeper_makes_a_payment_cut_short_into_an_order_in_the_buyers_language(
    performance, monkeypatch, settings
):
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0

    class Killed(BaseException):
        pass

    def killed(**kwargs):
        raise Killed()

    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    monkeypatch.setattr(checkout_module, "settle_payment", killed)
    with pytest.raises(Killed):
        checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                 email="ava@example.org", language="fa")  # fmt: skip
    monkeypatch.undo()
    assert PaymentAttempt.objects.get().language == "fa"
    assert recover_payments.call() == {"paid": 1}
    assert Order.objects.get().language == "fa"


def test_a_checkout_without_a_language_is_in_the_default_language(performance, settings):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    result = checkout(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@b.org"
    )
    assert result.order.language == settings.LANGUAGE_CODE == "en"
