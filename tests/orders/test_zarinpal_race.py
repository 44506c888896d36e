"""The buyer's return (twice, as from two tabs) and the sweepers verifying one ZarinPal payment
at the same moment, on PostgreSQL with real threads: the bank answers one verify 100 and the
others 101, and Sandali makes one order and reverses nothing."""

import pytest

from orders.models import Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from reservations.services import hold_seats
from tests.bank_server import zarinpal_fixture  # noqa: F401
from tests.factories import make_performance, seat_ids
from tests.orders.test_zarinpal_payments import authority_of, come_back, start
from tests.reservations.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_returns_and_sweepers_verifying_at_once_make_one_order(postgres_only, zarinpal):
    performance = make_performance()
    performance.event.currency = "IRR"
    performance.event.save()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    page = start(held)
    back = zarinpal.pay(authority_of(page))
    finishers = [lambda: come_back(held, back), recover_payments.call]
    results = run_threads(8, lambda n: finishers[n % 2]())
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PaymentAttempt.objects.get().status == PaymentStatus.PAID
    assert Order.objects.count() == 1
    assert zarinpal.payments[authority_of(page)]["status"] == "VERIFIED"  # never reversed
    assert not zarinpal.sent("reverse")
    assert {r.body["authority"] for r in zarinpal.sent("verify")} == {authority_of(page)}
