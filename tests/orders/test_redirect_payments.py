"""Paying at the provider's hosted page (orders/redirect.py) with the test provider: the
return, the webhooks and the sweeper each settle a payment once, whatever their order, and a
process killed at any step ends as an order, a refund or a void, with one charge at most.

A death is imitated as in test_payments.py: a BaseException raised at the point of death."""

from datetime import timedelta

import pytest

from catalog.models import Seat, SeatStatus
from core.dbtime import db_now
from core.metrics import PAYMENT_REFUNDS
from orders import redirect as redirect_module
from orders.errors import PaymentDeclined, PaymentNotFinished, PaymentRefunded
from orders.models import GatewayVisit, Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from orders.redirect import receive_webhook, return_from_page, start_payment
from payments import test_gateway
from payments.models import Charge, HostedTestPayment
from payments.providers import WebhookRefused
from reservations.models import Hold
from reservations.services import hold_seats, release_seat
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db

KEY = "page-key-1"


class Killed(BaseException):
    """The process died here."""


@pytest.fixture(autouse=True)
def quiet_provider(settings):
    """No webhook thread (a test sends each webhook itself), and a sweeper that acts at once."""
    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0


@pytest.fixture
def held(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])


def start(held, key=KEY):
    return start_payment(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key=key,
        name="Ava",
        email="ava@example.org",
        return_url="http://testserver/return",
        webhook_url="http://testserver/payments/webhook",
        language="en",
    )


def come_back(held, key=KEY):
    return return_from_page(hold_id=held.hold.pk, token=held.token, idempotency_key=key)


def page_of(url: str) -> HostedTestPayment:
    return HostedTestPayment.objects.get(reference=url.rstrip("/").rsplit("/", 1)[1])


def webhook(reference: str, *, signature: str | None = None):
    body = test_gateway.webhook_body(reference)
    sign = test_gateway.signature(body) if signature is None else signature
    return receive_webhook(body=body, headers={test_gateway.SIGNATURE_HEADER: sign})


def the_attempt() -> PaymentAttempt:
    return PaymentAttempt.objects.get()


def refunds(reason: str) -> float:
    return PAYMENT_REFUNDS.labels(reason)._value.get()


def test_starting_sends_the_buyer_to_the_page_and_keeps_the_hold_meanwhile(held, performance):
    performance.payment_page_minutes = 12
    performance.save()
    before = db_now()
    page = start(held)
    (visit,) = GatewayVisit.objects.all()
    assert page.url == f"/pay/test/{visit.reference}/"
    assert KEY not in page.url  # only the provider's opaque reference
    assert the_attempt().status == PaymentStatus.PENDING
    expires_at = Hold.objects.get(pk=held.hold.pk).expires_at
    assert timedelta(minutes=12) <= expires_at - before < timedelta(minutes=13)
    assert visit.until == expires_at
    seats = Seat.objects.filter(hold_id=held.hold.pk)
    assert set(seats.values_list("hold_expires_at", flat=True)) == {expires_at}
    assert start(held).url == page.url  # the same key: the same payment, not a second one
    assert HostedTestPayment.objects.count() == 1


def test_paying_at_the_page_and_coming_back_makes_the_order_once(held):
    page = start(held)
    with pytest.raises(PaymentNotFinished):
        come_back(held)  # back without paying: nothing is made, the seats stay held
    assert test_gateway.pay(page_of(page.url)).approved
    result = come_back(held)
    assert result.created and len(result.tickets) == 2
    assert come_back(held).order.pk == result.order.pk
    webhook(page_of(page.url).reference)  # the webhook after the return changes nothing
    assert Order.objects.count() == 1 and Charge.objects.count() == 1
    assert the_attempt().status == PaymentStatus.PAID


def test_a_webhook_before_the_return_makes_the_order_and_the_return_shows_it(held):
    page = start(held)
    test_gateway.pay(page_of(page.url))
    settled = webhook(page_of(page.url).reference)
    assert settled.order is not None
    for _ in range(3):  # delivered again and again
        webhook(page_of(page.url).reference)
    result = come_back(held)
    assert not result.created and result.order.pk == settled.order.pk
    assert Order.objects.count() == 1


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(held, client):
    page = start(held)
    test_gateway.pay(page_of(page.url))
    with pytest.raises(WebhookRefused):
        webhook(page_of(page.url).reference, signature="v1=" + "0" * 64)
    body = test_gateway.webhook_body(page_of(page.url).reference)
    answer = client.post(
        "/payments/webhook",
        body,
        content_type="application/json",
        HTTP_SANDALI_TEST_SIGNATURE="v1=forged",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "webhook_refused"
    assert the_attempt().status == PaymentStatus.PENDING and not Order.objects.exists()
    signed = client.post(
        "/payments/webhook",
        body,
        content_type="application/json",
        HTTP_SANDALI_TEST_SIGNATURE=test_gateway.signature(body),
    )
    assert signed.status_code == 204 and Order.objects.count() == 1


def test_a_webhook_that_claims_a_payment_the_provider_does_not_know_changes_nothing(held):
    page = start(held)  # a correctly signed webhook, but the buyer never paid
    webhook(page_of(page.url).reference)
    assert the_attempt().status == PaymentStatus.PENDING
    assert webhook("tc_nobody_knows_it") is None


def test_cancelling_at_the_page_keeps_the_seats_and_the_same_key_pays_again(held):
    first = start(held)
    test_gateway.cancel(page_of(first.url))
    with pytest.raises(PaymentDeclined):
        come_back(held)
    assert Seat.objects.filter(hold_id=held.hold.pk, status=SeatStatus.RESERVED).count() == 2
    again = start(held)
    assert again.url != first.url and the_attempt().tries == 2
    test_gateway.pay(page_of(again.url))
    webhook(page_of(first.url).reference)  # the old try's webhook, late: nothing to do
    assert the_attempt().status == PaymentStatus.PENDING
    assert come_back(held).created
    webhook(page_of(first.url).reference)  # and after the order: still nothing
    assert Order.objects.count() == 1
    assert Charge.objects.filter(approved=True).count() == 1


def test_going_back_to_the_page_never_keeps_the_hold_past_its_bound(held, performance):
    performance.payment_page_minutes = 5
    performance.save()
    first = start(held)
    test_gateway.cancel(page_of(first.url))
    with pytest.raises(PaymentDeclined):
        come_back(held)
    # Four and a half minutes later (the first visit began then), with a minute left:
    GatewayVisit.objects.update(created_at=db_now() - timedelta(minutes=4, seconds=30))
    expire_hold(Hold.objects.get(pk=held.hold.pk), seconds_ago=-60)
    start(held)  # back to the page: the bound has passed, so the hold is not kept longer
    expires_at = Hold.objects.get(pk=held.hold.pk).expires_at
    assert expires_at < db_now() + timedelta(seconds=61)
    assert GatewayVisit.objects.get(tries=2).until == expires_at


def test_a_payment_made_after_the_hold_expired_is_refunded_and_reported(held):
    page = start(held)
    expire_hold(held.hold)
    before = refunds("hold_expired")
    test_gateway.pay(page_of(page.url))
    webhook(page_of(page.url).reference)
    attempt = the_attempt()
    assert attempt.status == PaymentStatus.REFUNDED and attempt.refund_reference
    assert Charge.objects.get().refund_reference == attempt.refund_reference
    assert refunds("hold_expired") == before + 1
    with pytest.raises(PaymentRefunded):
        come_back(held)
    assert not Order.objects.exists()


def test_the_sweeper_settles_a_payment_whose_buyer_never_came_back(held):
    page = start(held)
    test_gateway.pay(page_of(page.url))  # the tab closed, the webhook lost
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PAID
    assert come_back(held).order.pk == the_attempt().order_id


def test_the_sweeper_leaves_an_open_payment_until_the_holds_time_there_is_over(held):
    page = start(held)
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PENDING  # the buyer may still be paying
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    outcome = test_gateway.pay(page_of(page.url))  # too late: the provider refuses it
    assert outcome.ended and not outcome.approved
    assert not Charge.objects.filter(approved=True).exists()


def test_a_webhook_for_a_payment_the_sweeper_voided_is_refunded(held):
    page = start(held)
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    # A provider that could not stop a payment already under way: it completes anyway.
    Charge.objects.update(approved=True, cancelled=False)
    before = refunds(redirect_module.LATE_PAYMENT)
    webhook(page_of(page.url).reference)
    webhook(page_of(page.url).reference)
    visit = GatewayVisit.objects.get()
    charge = Charge.objects.get()
    assert visit.late_refund_reference and charge.refund_reference == visit.late_refund_reference
    assert refunds(redirect_module.LATE_PAYMENT) == before + 1  # reported once
    assert the_attempt().status == PaymentStatus.VOIDED and not Order.objects.exists()


# A process killed at each step of the redirect flow.


def test_killed_before_the_hold_is_kept_the_sweeper_voids_the_attempt(held, monkeypatch):
    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(redirect_module, "keep_for_payment_page", killed)
    with pytest.raises(Killed):
        start(held)
    monkeypatch.undo()
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    assert not Charge.objects.filter(approved=True).exists()


def test_killed_after_the_provider_started_the_payment_it_is_voided(held, monkeypatch):
    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(GatewayVisit.objects, "create", killed)
    with pytest.raises(Killed):
        start(held)  # the buyer was never sent to the page
    monkeypatch.undo()
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    outcome = test_gateway.pay(HostedTestPayment.objects.get())  # nobody can pay it now
    assert outcome.ended and not Charge.objects.filter(approved=True).exists()


def test_killed_after_paying_at_the_page_before_the_return_the_sweeper_makes_the_order(held):
    page = start(held)
    test_gateway.pay(page_of(page.url))  # then the server died before the buyer came back
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PAID
    assert Order.objects.count() == 1 and Charge.objects.count() == 1


@pytest.mark.parametrize("finisher", ["webhook", "sweeper", "return"])
def test_killed_while_handling_the_return_it_ends_as_one_order(held, monkeypatch, finisher):
    page = start(held)
    test_gateway.pay(page_of(page.url))

    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(redirect_module, "settle_payment", killed)
    with pytest.raises(Killed):
        come_back(held)
    monkeypatch.undo()
    assert the_attempt().status == PaymentStatus.PENDING
    if finisher == "webhook":
        webhook(page_of(page.url).reference)
    elif finisher == "sweeper":
        recover_payments.call()
    assert come_back(held).order.pk == the_attempt().order_id
    assert Order.objects.count() == 1 and Charge.objects.count() == 1


def test_killed_while_refunding_a_late_payment_the_sweeper_finishes_the_refund(held, monkeypatch):
    page = start(held)
    expire_hold(held.hold)
    test_gateway.pay(page_of(page.url))
    monkeypatch.setattr(redirect_module, "finish_refund", lambda attempt: attempt)
    webhook(page_of(page.url).reference)  # the refund cut short: the attempt stays refunding
    monkeypatch.undo()
    assert the_attempt().status == PaymentStatus.REFUNDING
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.REFUNDED
    assert Charge.objects.get().refund_reference


def test_the_admin_lists_late_payments_refunded(held, admin_client):
    page = start(held)
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()
    Charge.objects.update(approved=True, cancelled=False)
    webhook(page_of(page.url).reference)
    listed = admin_client.get("/admin/orders/gatewayvisit/?late_refund=yes")
    assert listed.status_code == 200
    assert GatewayVisit.objects.get().late_refund_reference in listed.content.decode()


def test_a_try_refunded_because_its_hold_changed_is_not_refunded_again_after_a_new_try(held):
    """Try 1 is paid while the buyer gives a seat back in another tab: refunded. The buyer pays
    again (try 2, for the seat left); try 1's webhook delivered again later is not a "late
    payment" to refund a second time (a real provider refuses that refund, and the webhook
    would fail for ever)."""
    first = start(held)
    test_gateway.pay(page_of(first.url))
    seat = Seat.objects.filter(hold_id=held.hold.pk).order_by("id").first()
    release_seat(hold_id=held.hold.pk, token=held.token, seat_id=seat.pk)
    webhook(page_of(first.url).reference)
    assert the_attempt().status == PaymentStatus.REFUNDED
    before = refunds(redirect_module.LATE_PAYMENT)
    again = start(held)
    assert the_attempt().tries == 2 and again.url != first.url
    webhook(page_of(first.url).reference)  # try 1's, delivered again
    assert refunds(redirect_module.LATE_PAYMENT) == before
    assert GatewayVisit.objects.get(tries=1).late_refund_reference == ""
    test_gateway.pay(page_of(again.url))
    assert come_back(held).created
    assert Charge.objects.exclude(refund_reference="").count() == 1
