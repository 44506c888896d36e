"""Closing the hosted-page visits whose try has ended (orders/visit_closing.py): a payment made
there whose webhook was lost is found by the sweeper and refunded once, the current try's own
payment never is, and a closed visit is not asked again. With the test provider's page and
with the local Stripe stand-in (tests/stripe_server.py); webhooks are off or never sent."""

from datetime import timedelta

import pytest

from core.dbtime import db_now
from orders import redirect as redirect_module
from orders.errors import PaymentDeclined
from orders.models import GatewayVisit, MailKind, Order, OrderMail, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from orders.redirect import start_payment
from orders.settlement import settle_payment
from payments import test_gateway
from payments.models import Charge
from payments.providers import PaymentResult, TestPaymentProvider
from reservations.services import hold_seats
from tests.factories import expire_hold, seat_ids
from tests.mailserver import run_tasks
from tests.orders.test_redirect_payments import (  # noqa: F401 - its fixture
    come_back,
    page_of,
    quiet_provider,
    refunds,
    start,
)
from tests.stripe_server import stripe_api_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])


def late_refunds() -> float:
    return refunds(redirect_module.LATE_PAYMENT)


def declined_at_the_page(held):
    """The buyer pressed Cancel at the page and came back: the try is declined."""
    page = start(held)
    test_gateway.cancel(page_of(page.url))
    with pytest.raises(PaymentDeclined):
        come_back(held)
    return page


@pytest.fixture
def asked(monkeypatch):
    """The keys the test provider was asked to cancel, in order."""
    keys: list[str] = []
    cancel = TestPaymentProvider.cancel

    def counted(self, *, idempotency_key):
        keys.append(idempotency_key)
        return cancel(self, idempotency_key=idempotency_key)

    monkeypatch.setattr(TestPaymentProvider, "cancel", counted)
    return keys


def test_a_payment_made_at_a_declined_page_whose_webhook_was_lost_is_refunded_once(held):
    page = declined_at_the_page(held)
    before = late_refunds()
    outcome = test_gateway.pay(page_of(page.url))  # another tab, after all; no webhook
    assert outcome.approved and not outcome.ended
    recover_payments.call()
    visit = GatewayVisit.objects.get()
    charge = Charge.objects.get()
    assert charge.approved and charge.refund_reference == visit.late_refund_reference != ""
    assert visit.closed_at is not None
    assert late_refunds() == before + 1
    recover_payments.call()  # the sweeper again: nothing more
    assert late_refunds() == before + 1
    assert GatewayVisit.objects.get().late_refund_reference == visit.late_refund_reference
    mails = OrderMail.objects.filter(kind=MailKind.PAYMENT_REFUNDED, gateway_visit=visit)
    assert mails.count() == 1
    assert PaymentAttempt.objects.get().status == PaymentStatus.DECLINED
    assert not Order.objects.exists()


def test_the_sweeper_ends_a_declined_page_so_it_can_no_longer_be_paid(held, asked):
    page = declined_at_the_page(held)
    recover_payments.call()
    visit = GatewayVisit.objects.get()
    assert asked == [visit.provider_key] and visit.closed_at is not None
    outcome = test_gateway.pay(page_of(page.url))  # too late: the provider refuses the key
    assert outcome.ended and not outcome.approved
    assert not Charge.objects.filter(approved=True).exists()
    recover_payments.call()
    recover_payments.call()
    assert asked == [visit.provider_key]  # a closed visit is not asked again
    assert not visit.late_refund_reference


def test_a_payment_at_an_older_try_is_refunded_and_the_current_trys_own_is_not(held, asked):
    first = declined_at_the_page(held)
    before = late_refunds()
    second = start(held)  # a new try, at a new page
    test_gateway.pay(page_of(first.url))  # the old page paid in another tab, no webhook
    recover_payments.call()
    old, current = GatewayVisit.objects.order_by("tries")
    assert old.late_refund_reference and old.closed_at is not None
    assert current.closed_at is None  # its try is still open: only asked by recover_visit
    assert PaymentAttempt.objects.get().status == PaymentStatus.PENDING
    test_gateway.pay(page_of(second.url))
    assert come_back(held).created
    recover_payments.call()
    recover_payments.call()
    current.refresh_from_db()
    assert current.closed_at is not None and not current.late_refund_reference
    own = Charge.objects.get(idempotency_key=current.provider_key)
    assert own.approved and not own.refund_reference  # the order's payment is kept
    assert late_refunds() == before + 1
    assert asked.count(old.provider_key) == 1
    # The current page's payment is its order's: the page takes no other, so it is closed
    # without asking the provider.
    assert asked.count(current.provider_key) == 0


def test_a_payment_the_sweeper_settled_as_the_order_is_closed_without_a_refund(held):
    page = start(held)
    test_gateway.pay(page_of(page.url))  # the buyer never came back, the webhook lost
    before = late_refunds()
    recover_payments.call()  # settles it as the order, then closes its page
    assert PaymentAttempt.objects.get().status == PaymentStatus.PAID
    assert GatewayVisit.objects.get().closed_at is not None
    assert not Charge.objects.get().refund_reference and late_refunds() == before


def test_a_trys_own_refund_after_its_hold_expired_is_not_refunded_again_as_late(held):
    page = start(held)
    expire_hold(held.hold)
    test_gateway.pay(page_of(page.url))
    before = late_refunds()
    recover_payments.call()  # the hold's refund (hold_expired), then the page is closed
    assert PaymentAttempt.objects.get().status == PaymentStatus.REFUNDED
    visit = GatewayVisit.objects.get()
    assert visit.closed_at is not None and not visit.late_refund_reference
    assert late_refunds() == before
    assert OrderMail.objects.filter(kind=MailKind.PAYMENT_REFUNDED).count() == 1  # the hold's


def test_a_provider_failure_leaves_the_visit_for_the_next_sweep(held, monkeypatch):
    page = declined_at_the_page(held)
    test_gateway.pay(page_of(page.url))

    def down(self, *, idempotency_key):
        raise ConnectionError("the provider is down")

    monkeypatch.setattr(TestPaymentProvider, "cancel", down)
    recover_payments.call()
    visit = GatewayVisit.objects.get()
    assert visit.closed_at is None and not visit.late_refund_reference
    monkeypatch.undo()
    recover_payments.call()
    visit.refresh_from_db()
    assert visit.closed_at is not None and visit.late_refund_reference


def test_visits_the_provider_keeps_failing_on_do_not_hold_up_the_others(performance, monkeypatch):
    """One batch a sweep: a visit that can never be closed must not be first in every one."""
    from orders import visit_closing

    pages = []
    for seats in (seat_ids(performance)[:2], seat_ids(performance)[2:4]):
        hold = hold_seats(performance_id=performance.pk, seat_ids=seats)
        pages.append(declined_at_the_page(hold))
    stuck, other = GatewayVisit.objects.order_by("id")
    cancel = TestPaymentProvider.cancel

    def failing_for_one(self, *, idempotency_key):
        if idempotency_key == stuck.provider_key:
            raise ConnectionError("the provider fails on this one")
        return cancel(self, idempotency_key=idempotency_key)

    monkeypatch.setattr(TestPaymentProvider, "cancel", failing_for_one)
    monkeypatch.setattr(visit_closing, "BATCH", 1)
    for _ in range(30):  # by id, the stuck one would take every batch; at random, 2**-30
        visit_closing.close_ended_visits()
    other.refresh_from_db()
    stuck.refresh_from_db()
    assert other.closed_at is not None and stuck.closed_at is None


def test_a_visit_is_closed_by_the_first_sweep_after_the_sweeper_voids_its_try(held, asked):
    page = start(held)
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()  # voids the attempt (its own cancel), then closes the visit
    visit = GatewayVisit.objects.get()
    assert PaymentAttempt.objects.get().status == PaymentStatus.VOIDED
    assert visit.closed_at is not None
    assert test_gateway.pay(page_of(page.url)).ended
    recover_payments.call()
    assert asked == [visit.provider_key] * 2  # recover_visit's cancel, then the closing's


# Stripe (tests/stripe_server.py): no webhook is sent unless a test sends it.


def stripe_start(held):
    page = start(held)
    return page.url.rsplit("/", 1)[1]


def end_the_try_in_sandali(session_id: str) -> None:
    """The try ends in Sandali while its session is still open at Stripe: declined, as when
    Sandali's answer and Stripe's crossed (set up directly: a sandbox cannot make the
    Stripe side of that race on demand)."""
    attempt = PaymentAttempt.objects.get()
    settle_payment(attempt=attempt, result=PaymentResult(approved=False, reference=session_id))
    assert PaymentAttempt.objects.get().status == PaymentStatus.DECLINED


def test_stripe_a_session_paid_after_its_try_ended_is_refunded_once_by_the_sweeper(
    stripe_api, held
):
    session = stripe_start(held)
    end_the_try_in_sandali(session)
    stripe_api.pay(session)  # paid at Stripe; the webhook is lost
    before = late_refunds()
    recover_payments.call()
    recover_payments.call()
    visit = GatewayVisit.objects.get()
    intent = stripe_api.sessions[session]["payment_intent"]
    (refund,) = [r for r in stripe_api.refunds.values() if r["payment_intent"] == intent]
    assert visit.late_refund_reference == refund["id"] and visit.closed_at is not None
    assert late_refunds() == before + 1
    asked = [r for r in stripe_api.requests if session in r.path]
    recover_payments.call()
    assert [r for r in stripe_api.requests if session in r.path] == asked  # not asked again


def test_stripe_an_open_session_of_an_ended_try_is_expired_and_nothing_is_refunded(
    stripe_api, held
):
    session = stripe_start(held)
    end_the_try_in_sandali(session)
    recover_payments.call()
    assert stripe_api.sessions[session]["status"] == "expired"
    assert any(r.path.endswith(f"{session}/expire") for r in stripe_api.requests)
    assert not stripe_api.refunds and GatewayVisit.objects.get().closed_at is not None


def test_stripe_the_current_trys_own_payment_is_never_refunded(stripe_api, held):
    session = stripe_start(held)
    stripe_api.pay(session)
    assert come_back(held).created
    recover_payments.call()
    recover_payments.call()
    assert not stripe_api.refunds
    assert GatewayVisit.objects.get().closed_at is not None


# The buyer is told (orders/outbox.py, delivery/mail.py), against a real SMTP server.


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "told", "refunded"),
    [
        ("fa", "در صفحهٔ پرداختی انجام شد که پیش‌تر بسته شده بود",
         "مبلغ ۴۰ EUR به همان روشی که با آن پرداخت کردید بازگردانده شد"),
        ("en", "was made at a payment page that had already been closed",
         "40 EUR has been refunded to the means you paid with"),
    ],
)  # fmt: skip
def test_the_buyer_of_a_late_payment_is_mailed_once_in_their_language(
    performance, mail_server, language, told, refunded
):
    bought = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    page = start_payment_in(bought, language)
    test_gateway.cancel(page_of(page.url))
    with pytest.raises(PaymentDeclined):
        come_back(bought, key="late-mail")
    test_gateway.pay(page_of(page.url))
    recover_payments.call()
    run_tasks()
    recover_payments.call()  # the sweeper again, and the mail's task again: one mail
    run_tasks()
    (message,) = mail_server.inbox.messages
    assert message["To"] == "Ava <ava@example.org>"
    visit = GatewayVisit.objects.get()
    assert f"<visit-{visit.pk}.refunded." in message["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    assert told in text and refunded in text
    assert not list(message.iter_attachments())


def start_payment_in(bought, language):
    return start_payment(
        hold_id=bought.hold.pk,
        token=bought.token,
        idempotency_key="late-mail",
        name="Ava",
        email="ava@example.org",
        return_url="http://testserver/return",
        webhook_url="http://testserver/payments/webhook",
        language=language,
    )
