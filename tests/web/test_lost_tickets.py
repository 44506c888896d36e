""" "Send me my tickets again": the tickets go again only to the order's own address, and the
answer never tells whether an address has orders."""

import pytest
from django.test import Client

from orders.models import OrderMail
from tests.factories import make_order, make_performance

pytestmark = pytest.mark.django_db
ANSWER = "its tickets are on their way"


@pytest.fixture
def order():
    return make_order(make_performance(), seats=1, email="Ava@Example.org").order


def ask(client: Client, email: str, number: str):
    return client.post("/orders/lost", {"email": email, "order": number}, follow=True)


def resends(order) -> int:
    return OrderMail.objects.filter(order=order, kind="resend").count()


def test_the_right_address_and_number_send_the_tickets_again(order):
    answer = ask(Client(), "ava@example.ORG", str(order.pk))
    assert ANSWER in answer.content.decode()
    assert resends(order) == 1


def test_a_number_in_persian_digits_is_read(order):
    persian = str(order.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    ask(Client(), "ava@example.org", persian)
    assert resends(order) == 1


@pytest.mark.parametrize("email", ["eve@example.org", "ava@example.org.evil"])
def test_another_address_gets_the_same_answer_and_nothing_is_sent(order, email):
    right = ask(Client(), "ava@example.org", str(order.pk)).content.decode()
    wrong = ask(Client(), email, str(order.pk)).content.decode()
    missing = ask(Client(), email, str(order.pk + 1000)).content.decode()
    assert ANSWER in wrong and ANSWER in missing and ANSWER in right
    assert resends(order) == 1


def test_a_cancelled_order_is_not_sent_again(order):
    from orders.cancellation import cancel_order

    cancel_order(order_id=order.pk)
    ask(Client(), "ava@example.org", str(order.pk))
    assert resends(order) == 0


def test_an_order_is_sent_again_a_few_times_an_hour_at_most(order, settings):
    limits = {"ticket_requests_per_order": "2/3600", "ticket_requests": ""}
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, **limits}
    for _ in range(4):
        assert ANSWER in ask(Client(), "ava@example.org", str(order.pk)).content.decode()
    assert resends(order) == 2


def test_one_client_may_ask_only_a_few_times(order, settings):
    limits = {"ticket_requests": "2/3600"}
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, **limits}
    client = Client()
    statuses = [
        client.post("/orders/lost", {"email": "x@example.org", "order": "1"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_a_number_that_is_not_one_is_refused_with_a_reason():
    answer = Client().post("/orders/lost", {"email": "ava@example.org", "order": "12a"})
    assert answer.status_code == 200 and "digits only" in answer.content.decode()
