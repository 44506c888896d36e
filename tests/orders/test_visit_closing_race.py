"""A late payment whose webhook arrives while the sweeper closes its visit, on PostgreSQL with
real threads: both find it, both ask the provider to refund it, and it is refunded, reported
and mailed exactly once."""

import threading

import pytest

from orders import redirect as redirect_module
from orders.errors import PaymentDeclined
from orders.models import GatewayVisit, MailKind, OrderMail
from orders.visit_closing import close_ended_visits
from payments import test_gateway
from payments.models import Charge
from payments.providers import TestPaymentProvider
from reservations.services import hold_seats
from tests.factories import make_performance, seat_ids
from tests.orders.test_redirect_payments import come_back, page_of, refunds, start, webhook
from tests.reservations.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_webhook_and_the_sweeper_closing_one_late_payment_at_once_refund_it_once(
    postgres_only, settings, monkeypatch
):
    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    performance = make_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    page = start(held)
    test_gateway.cancel(page_of(page.url))
    with pytest.raises(PaymentDeclined):
        come_back(held)
    test_gateway.pay(page_of(page.url))  # paid after all, in another tab
    reference = page_of(page.url).reference
    before = refunds(redirect_module.LATE_PAYMENT)

    # Both reach the provider's refund before either records it: the race is real.
    both_refunding = threading.Barrier(2, timeout=30)
    refund = TestPaymentProvider.refund

    def refund_together(self, **payment):
        both_refunding.wait()
        return refund(self, **payment)

    monkeypatch.setattr(TestPaymentProvider, "refund", refund_together)
    finishers = [lambda: webhook(reference), close_ended_visits]
    results = run_threads(2, lambda n: finishers[n]())
    assert not [r for r in results if isinstance(r, Exception)], results
    visit = GatewayVisit.objects.get()
    charge = Charge.objects.get()
    assert charge.refund_reference and visit.late_refund_reference == charge.refund_reference
    assert visit.closed_at is not None
    assert refunds(redirect_module.LATE_PAYMENT) == before + 1
    assert OrderMail.objects.filter(kind=MailKind.PAYMENT_REFUNDED).count() == 1
