"""The buyer's return, the provider's webhooks and the sweeper settling one payment at the same
moment, on PostgreSQL with real threads: one order, one charge, never a refund of it."""

import pytest

from orders.models import Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from payments import test_gateway
from payments.models import Charge
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids
from tests.orders.test_redirect_payments import come_back, page_of, start, webhook
from tests.reservations.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_return_webhooks_and_sweepers_at_once_make_one_order(postgres_only, settings):
    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    performance = make_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    page = start(held)
    test_gateway.pay(page_of(page.url))
    reference = page_of(page.url).reference
    finishers = [lambda: come_back(held), lambda: webhook(reference), recover_payments.call]
    results = run_threads(12, lambda n: finishers[n % 3]())
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PaymentAttempt.objects.get().status == PaymentStatus.PAID
    assert Order.objects.count() == 1
    charge = Charge.objects.get()
    assert charge.approved and not charge.refund_reference
