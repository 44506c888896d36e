"""Stripe as the hosted-page provider (payments/stripe_provider.py), through the official
`stripe` library, against a local server that answers Stripe's API (tests/stripe_server.py):
what Sandali sends to Stripe, and the whole redirect flow (orders/redirect.py) settling on
Stripe's answers. Webhooks are signed with the stripe library's own signing code."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Seat, SeatStatus
from core.dbtime import db_now
from orders import redirect as redirect_module
from orders.cancellation import cancel_order, refund_tickets
from orders.errors import PaymentDeclined, PaymentNotFinished, PaymentRefunded, PaymentUnavailable
from orders.models import GatewayVisit, Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from orders.redirect import receive_webhook, return_from_page, start_payment
from payments.models import StripeCheckout
from payments.providers import (
    PaymentProviderUnavailable,
    RefundRefused,
    WebhookRefused,
    payment_provider,
)
from reservations.services import hold_seats
from tests.factories import expire_hold, seat_ids
from tests.stripe_server import WEBHOOK_SECRET, signed_webhook, stripe_api_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

KEY = "stripe-key-1"
SESSIONS = "/v1/checkout/sessions"


@pytest.fixture
def held(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])


def start(held, key=KEY, language="en"):
    return start_payment(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key=key,
        name="Ava",
        email="ava@example.org",
        return_url="http://testserver/return",
        webhook_url="http://testserver/payments/webhook",
        language=language,
    )


def come_back(held, key=KEY):
    return return_from_page(hold_id=held.hold.pk, token=held.token, idempotency_key=key)


def session_id(page) -> str:
    return page.url.rsplit("/", 1)[1]


def webhook(stripe_api, kind: str, page, secret=WEBHOOK_SECRET):
    body, headers = signed_webhook(stripe_api.event(kind, session_id(page)), secret)
    return receive_webhook(body=body, headers=headers)


def the_attempt() -> PaymentAttempt:
    return PaymentAttempt.objects.get()


def test_starting_creates_a_checkout_session_with_the_amount_in_cents_and_the_key(
    stripe_api, held, performance
):
    performance.payment_page_minutes = 30  # the most a hold is kept at the page
    performance.save()
    page = start(held, language="en")
    (sent,) = stripe_api.created(SESSIONS)
    attempt = the_attempt()
    assert attempt.amount == Decimal("40.00") and attempt.currency == "EUR"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "4000"  # cents
    assert sent.form["line_items[0][price_data][currency]"] == "eur"
    assert sent.form["mode"] == "payment" and sent.form["locale"] == "en"
    assert sent.headers["Idempotency-Key"] == attempt.provider_key
    assert sent.form["client_reference_id"] == attempt.provider_key
    assert sent.form["metadata[sandali_payment_key]"] == attempt.provider_key
    assert sent.form["success_url"] == sent.form["cancel_url"] == "http://testserver/return"
    assert sent.headers["Authorization"] == "Bearer sk_test_sandali"
    visit = GatewayVisit.objects.get()
    # Never before the hold's time at the page ends, and Stripe's least: 30 minutes (+1).
    expires_at = int(sent.form["expires_at"])
    assert visit.until.timestamp() < expires_at <= visit.until.timestamp() + 61
    assert page.url == stripe_api.sessions[visit.reference]["url"]
    assert start(held).url == page.url  # the same key: the same session, nothing sent again
    assert len(stripe_api.created(SESSIONS)) == 1


def test_a_persian_buyer_gets_stripes_automatic_locale_and_a_short_hold_its_30_minutes(
    stripe_api, held
):
    before = db_now()
    start(held, language="fa")
    (sent,) = stripe_api.created(SESSIONS)
    assert sent.form["locale"] == "auto"  # Stripe Checkout has no Persian
    expires = int(sent.form["expires_at"]) - before.timestamp()
    assert timedelta(minutes=30).total_seconds() < expires < timedelta(minutes=32).total_seconds()
    assert sent.form["line_items[0][price_data][product_data][name]"] == "بلیت‌ها"


def test_a_request_whose_answer_was_lost_is_sent_again_exactly_and_stripe_replays_it(
    stripe_api, held, monkeypatch
):
    def killed(**kwargs):
        raise KeyboardInterrupt  # the process died after Stripe made the session

    monkeypatch.setattr(GatewayVisit.objects, "create", killed)
    with pytest.raises(KeyboardInterrupt):
        start(held)
    monkeypatch.undo()
    StripeCheckout.objects.update(session_id="", url="")  # and before the row was updated
    page = start(held)
    first, again = stripe_api.created(SESSIONS)
    assert first.form == again.form  # the same request: Stripe's replay, not a refusal
    assert len(stripe_api.sessions) == 1 and session_id(page) in stripe_api.sessions


def test_paying_at_stripe_and_coming_back_makes_the_order_once(stripe_api, held):
    page = start(held)
    with pytest.raises(PaymentNotFinished):
        come_back(held)  # the session is still open
    stripe_api.pay(session_id(page))
    result = come_back(held)
    assert result.created and len(result.tickets) == 2
    attempt = the_attempt()
    assert attempt.status == PaymentStatus.PAID
    assert attempt.provider_reference == stripe_api.sessions[session_id(page)]["payment_intent"]
    webhook(stripe_api, "checkout.session.completed", page)  # after the return: nothing more
    assert come_back(held).order.pk == result.order.pk and Order.objects.count() == 1


def test_a_signed_webhook_makes_the_order_and_again_changes_nothing(stripe_api, held):
    page = start(held)
    stripe_api.pay(session_id(page))
    settled = webhook(stripe_api, "checkout.session.completed", page)
    assert settled.order is not None
    for _ in range(3):
        webhook(stripe_api, "checkout.session.completed", page)
    assert not come_back(held).created and Order.objects.count() == 1


def test_a_forged_webhook_is_refused_with_400_and_changes_nothing(stripe_api, held, client):
    page = start(held)
    stripe_api.pay(session_id(page))
    with pytest.raises(WebhookRefused):
        webhook(stripe_api, "checkout.session.completed", page, secret="whsec_forged")
    body, headers = signed_webhook(
        stripe_api.event("checkout.session.completed", session_id(page)), "whsec_forged"
    )
    answer = client.post(
        "/payments/webhook",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )
    assert answer.status_code == 400 and answer.json()["code"] == "webhook_refused"
    assert the_attempt().status == PaymentStatus.PENDING and not Order.objects.exists()
    body, headers = signed_webhook(
        stripe_api.event("checkout.session.completed", session_id(page)), WEBHOOK_SECRET
    )
    signed = client.post(
        "/payments/webhook",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )
    assert signed.status_code == 204 and Order.objects.count() == 1


def test_a_webhook_that_says_completed_for_an_unpaid_session_changes_nothing(stripe_api, held):
    page = start(held)  # signed, but Stripe itself says the session is still open
    webhook(stripe_api, "checkout.session.completed", page)
    assert the_attempt().status == PaymentStatus.PENDING


def test_a_session_that_expired_at_stripe_is_a_decline_and_the_same_key_pays_again(
    stripe_api, held
):
    first = start(held)
    stripe_api.expire(session_id(first))
    webhook(stripe_api, "checkout.session.expired", first)
    with pytest.raises(PaymentDeclined):
        come_back(held)
    assert Seat.objects.filter(hold_id=held.hold.pk, status=SeatStatus.RESERVED).count() == 2
    again = start(held)
    assert session_id(again) != session_id(first) and the_attempt().tries == 2
    stripe_api.pay(session_id(again))
    assert come_back(held).created


def test_a_payment_after_the_hold_expired_is_refunded_at_stripe(stripe_api, held):
    page = start(held)
    expire_hold(held.hold)
    stripe_api.pay(session_id(page))
    webhook(stripe_api, "checkout.session.completed", page)
    attempt = the_attempt()
    assert attempt.status == PaymentStatus.REFUNDED
    (refund,) = stripe_api.refunds.values()
    assert attempt.refund_reference == refund["id"]
    assert refund["payment_intent"] == attempt.provider_reference and refund["amount"] == 4000
    (sent,) = stripe_api.created("/v1/refunds")
    assert sent.headers["Idempotency-Key"] == f"refund-{attempt.provider_reference}"
    with pytest.raises(PaymentRefunded):
        come_back(held)


def test_the_sweeper_asks_stripe_and_makes_the_order_of_a_buyer_who_never_came_back(
    stripe_api, held
):
    page = start(held)
    stripe_api.pay(session_id(page))  # the tab closed, the webhook lost
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PAID and Order.objects.count() == 1


def test_the_sweeper_expires_the_session_once_the_holds_time_is_over(stripe_api, held):
    page = start(held)
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PENDING
    assert stripe_api.sessions[session_id(page)]["status"] == "open"
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    assert stripe_api.sessions[session_id(page)]["status"] == "expired"  # nobody can pay it
    assert stripe_api.created(f"{SESSIONS}/{session_id(page)}/expire")


def test_a_session_paid_just_before_the_sweeper_ends_it_becomes_the_order(stripe_api, held):
    page = start(held)
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    stripe_api.pay(session_id(page))
    recover_payments.call()
    assert the_attempt().status in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    assert stripe_api.sessions[session_id(page)]["status"] == "complete"


def test_refunding_one_ticket_refunds_its_price_in_cents_once(stripe_api, held):
    page = start(held)
    stripe_api.pay(session_id(page))
    order = Order.objects.get(pk=come_back(held).order.pk)
    ticket = order.tickets.order_by("pk").first()
    (first,) = refund_tickets(order, [ticket])
    assert refund_tickets(order, [ticket]) == [first]  # asked again: the same refund
    (refund,) = stripe_api.refunds.values()
    assert refund["id"] == first and refund["amount"] == int(ticket.price * 100)
    sent = stripe_api.created("/v1/refunds")
    assert {r.headers["Idempotency-Key"] for r in sent} == {f"ticket-{ticket.pk}-refund"}


def test_cancelling_the_order_refunds_the_rest_and_more_than_is_left_is_refused(stripe_api, held):
    page = start(held)
    stripe_api.pay(session_id(page))
    order = Order.objects.get(pk=come_back(held).order.pk)
    cancel_order(order_id=order.pk)
    (refund,) = stripe_api.refunds.values()
    assert refund["amount"] == 4000
    assert Order.objects.get().refund_reference == refund["id"]
    with pytest.raises(RefundRefused):
        payment_provider().refund_part(
            reference=order.payment_reference, amount=Decimal("1"), currency="EUR", key="more"
        )


def test_stripe_being_down_answers_503_and_the_buyer_may_try_again(stripe_api, held, caplog):
    stripe_api.down = True
    with pytest.raises(PaymentUnavailable):
        start(held)
    assert "Stripe failed to create a Checkout Session" in caplog.text
    assert "sk_test_sandali" not in caplog.text  # the secret is never logged
    stripe_api.down = False
    page = start(held)
    assert session_id(page) in stripe_api.sessions


def test_stripe_being_down_when_the_buyer_comes_back_answers_503_not_500(stripe_api, held):
    page = start(held)
    stripe_api.pay(session_id(page))
    stripe_api.down = True
    with pytest.raises(PaymentProviderUnavailable) as raised:
        come_back(held)
    assert raised.value.status == 503
    assert the_attempt().status == PaymentStatus.PENDING  # nothing settled on a guess
    stripe_api.down = False
    assert come_back(held).created


def test_a_webhook_while_stripe_cannot_be_asked_answers_503_so_stripe_sends_it_again(
    stripe_api, held, client
):
    page = start(held)
    stripe_api.pay(session_id(page))
    body, headers = signed_webhook(
        stripe_api.event("checkout.session.completed", session_id(page)), WEBHOOK_SECRET
    )
    signature = headers["Stripe-Signature"]
    post = {"content_type": "application/json", "HTTP_STRIPE_SIGNATURE": signature}
    stripe_api.down = True
    answer = client.post("/payments/webhook", body, **post)
    assert answer.status_code == 503 and answer.json()["code"] == "payment_provider_unavailable"
    stripe_api.down = False
    assert client.post("/payments/webhook", body, **post).status_code == 204
    assert Order.objects.count() == 1


def test_a_start_that_waited_out_an_outage_is_sent_again_with_a_fresh_expiry(stripe_api, held):
    stripe_api.down = True
    with pytest.raises(PaymentUnavailable):
        start(held)
    stripe_api.down = False
    # Eleven minutes later: the recorded request's expiry is now too near for Stripe.
    recorded = StripeCheckout.objects.get()
    recorded.params["expires_at"] -= 11 * 60
    recorded.save()
    before = db_now()
    page = start(held)
    refused, sent = stripe_api.created(SESSIONS)[-2:]
    assert int(refused.form["expires_at"]) == recorded.params["expires_at"]
    assert int(sent.form["expires_at"]) > before.timestamp() + 30 * 60
    assert sent.headers["Idempotency-Key"] == the_attempt().provider_key
    assert session_id(page) in stripe_api.sessions and len(stripe_api.sessions) == 1
    assert start(held).url == page.url


def test_the_sweeper_expires_a_session_whose_id_was_lost_in_a_crash(stripe_api, held, monkeypatch):
    def killed(**kwargs):
        raise KeyboardInterrupt  # the process died after Stripe made the session

    monkeypatch.setattr(GatewayVisit.objects, "create", killed)
    with pytest.raises(KeyboardInterrupt):
        start(held)
    monkeypatch.undo()
    StripeCheckout.objects.update(session_id="", url="")  # before even its id was recorded
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    (session,) = stripe_api.sessions.values()  # asked again, Stripe named the same session
    assert session["status"] == "expired"  # and nobody can pay it now


def test_a_payment_that_settles_later_waits_for_stripe_and_a_failed_one_is_declined(
    stripe_api, held
):
    page = start(held)
    intent = stripe_api.pay_later(session_id(page))
    webhook(stripe_api, "checkout.session.completed", page)
    with pytest.raises(PaymentNotFinished):
        come_back(held)  # the bank debit is still under way
    intent["status"] = "requires_payment_method"  # it failed
    webhook(stripe_api, "checkout.session.async_payment_failed", page)
    assert the_attempt().status == PaymentStatus.DECLINED
    with pytest.raises(PaymentDeclined):
        come_back(held)


@pytest.mark.parametrize("finisher", ["webhook", "sweeper", "return"])
def test_killed_while_handling_the_return_it_ends_as_one_order(
    stripe_api, held, monkeypatch, finisher
):
    page = start(held)
    stripe_api.pay(session_id(page))

    def killed(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(redirect_module, "settle_payment", killed)
    with pytest.raises(KeyboardInterrupt):
        come_back(held)
    monkeypatch.undo()
    assert the_attempt().status == PaymentStatus.PENDING
    if finisher == "webhook":
        webhook(stripe_api, "checkout.session.completed", page)
    elif finisher == "sweeper":
        recover_payments.call()
    assert come_back(held).order.pk == the_attempt().order_id
    assert Order.objects.count() == 1 and not stripe_api.refunds
