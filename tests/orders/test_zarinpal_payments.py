"""ZarinPal, a Shaparak gateway, as the hosted-page provider (payments/zarinpal_provider.py),
against a local server that answers its REST API v4 and serves its page
(tests/bank_server.py): what Sandali sends, and the whole redirect flow (orders/redirect.py)
settling on the gateway's verify, which is also what captures the money."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from catalog.models import Seat, SeatStatus
from core.dbtime import db_now
from orders.cancellation import cancel_order, refund_tickets
from orders.errors import PaymentDeclined, PaymentNotFinished, PaymentRefunded, PaymentUnavailable
from orders.models import GatewayVisit, Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from orders.redirect import return_from_page, start_payment
from payments.errors import BankPartialRefundUnsupported, BankRefundTooLate
from payments.models import ZarinpalPayment
from payments.providers import PaymentProviderUnavailable
from payments.zarinpal_provider import gateway_amount
from reservations.errors import HoldExpired
from reservations.services import hold_seats
from tests.bank_server import MERCHANT_ID, zarinpal_fixture  # noqa: F401
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db

KEY = "zarinpal-key-1"
RETURN_URL = "http://testserver/performances/1/checkout/return"


@pytest.fixture
def held(performance):
    performance.event.currency = "IRR"
    performance.event.save()
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])


def start(held, key=KEY, language="fa"):
    return start_payment(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key=key,
        name="Ava",
        email="ava@example.org",
        return_url=RETURN_URL,
        webhook_url="http://testserver/payments/webhook",
        language=language,
    )


def authority_of(page) -> str:
    return page.url.rsplit("/", 1)[1]


def come_back(held, back_url: str | None = None, key=KEY):
    """The buyer's GET to the return URL; `back_url` is where the bank's page sent them."""
    callback = dict(parse_qsl(urlsplit(back_url).query)) if back_url else {}
    return return_from_page(
        hold_id=held.hold.pk, token=held.token, idempotency_key=key, callback=callback
    )


def the_attempt() -> PaymentAttempt:
    return PaymentAttempt.objects.get()


def test_starting_asks_for_an_authority_in_rials_and_sends_the_buyer_to_its_page(zarinpal, held):
    page = start(held)
    (sent,) = zarinpal.sent("request")
    attempt = the_attempt()
    assert attempt.amount == Decimal("40.00") and attempt.currency == "IRR"
    assert sent.body["merchant_id"] == MERCHANT_ID
    assert sent.body["amount"] == 40 and sent.body["currency"] == "IRR"  # whole rials
    assert sent.body["callback_url"] == RETURN_URL
    assert sent.body["description"] == "بلیت‌ها"  # the buyer's language
    # Only Sandali verifies: a payment it leaves unverified is given back by the bank.
    assert sent.body["metadata"] == {"order_id": attempt.provider_key, "auto_verify": False}
    authority = authority_of(page)
    assert page.url.endswith(f"/pg/StartPay/{authority}")
    assert GatewayVisit.objects.get().reference == authority
    assert start(held).url == page.url  # the same key: the same authority, nothing sent again
    assert len(zarinpal.sent("request")) == 1


def test_paying_at_the_bank_and_coming_back_verifies_once_and_makes_the_order(zarinpal, held):
    page = start(held)
    with pytest.raises(PaymentNotFinished):
        come_back(held)  # still at the bank's page: -51, nothing decided
    back = zarinpal.pay(authority_of(page))
    result = come_back(held, back)
    assert result.created and len(result.tickets) == 2
    assert the_attempt().provider_reference == authority_of(page)
    assert zarinpal.payments[authority_of(page)]["status"] == "VERIFIED"  # captured
    (verified,) = [r for r in zarinpal.sent("verify") if r.body.get("amount") == 40][-1:]
    assert verified.body["authority"] == authority_of(page)
    payment = ZarinpalPayment.objects.get()
    assert payment.ref_id and payment.card_pan == "502229******5995"
    calls = len(zarinpal.sent("verify"))
    assert come_back(held, back).order.pk == result.order.pk  # again: no verify sent
    assert len(zarinpal.sent("verify")) == calls and Order.objects.count() == 1


def test_cancelling_at_the_bank_is_a_decline_and_the_same_key_pays_again(zarinpal, held):
    page = start(held)
    back = zarinpal.cancel(authority_of(page))
    assert dict(parse_qsl(urlsplit(back).query))["Status"] == "NOK"
    with pytest.raises(PaymentDeclined):
        come_back(held, back)
    assert the_attempt().status == PaymentStatus.DECLINED
    held_seats = Seat.objects.filter(status=SeatStatus.RESERVED)
    assert held_seats.count() == 2  # the seats are still the buyer's
    again = start(held)  # the same Pay: a new try, a new authority
    assert authority_of(again) != authority_of(page)
    assert come_back(held, zarinpal.pay(authority_of(again))).created


def test_a_forged_callback_changes_nothing(zarinpal, held):
    page = start(held)
    authority = authority_of(page)
    with pytest.raises(PaymentNotFinished):  # "OK" typed by hand: the bank has no payment
        come_back(held, f"{RETURN_URL}?Authority={authority}&Status=OK")
    with pytest.raises(PaymentNotFinished):  # "NOK" for another authority: not this payment
        come_back(held, f"{RETURN_URL}?Authority=A000000000000000000000000000forged1&Status=NOK")
    assert the_attempt().status == PaymentStatus.PENDING
    zarinpal.pay(authority)
    # "NOK" for a payment the bank has: the bank's word, never the URL's.
    assert come_back(held, f"{RETURN_URL}?Authority={authority}&Status=NOK").created


def test_a_closed_tab_after_paying_is_settled_by_the_sweeper(zarinpal, held):
    page = start(held)
    zarinpal.pay(authority_of(page))  # the tab closed before the return; ZarinPal sends no webhook
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PAID and Order.objects.count() == 1
    assert zarinpal.payments[authority_of(page)]["status"] == "VERIFIED"


def test_a_closed_tab_never_paid_is_voided_once_the_time_is_over_and_never_verified_after(
    zarinpal, held
):
    page = start(held)
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PENDING  # the buyer may still pay
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    assert ZarinpalPayment.objects.get().ended
    # The bank's page still takes the payment; Sandali never verifies it, so the bank gives
    # it back, and the buyer's return finds the checkout over.
    back = zarinpal.pay(authority_of(page))
    verifies = len(zarinpal.sent("verify"))
    with pytest.raises(HoldExpired):  # voided: the attempt's answer
        come_back(held, back)
    recover_payments.call()
    assert len(zarinpal.sent("verify")) == verifies
    assert zarinpal.return_unverified() == [authority_of(page)]


def test_a_payment_after_the_hold_expired_is_verified_then_reversed(zarinpal, held):
    page = start(held)
    expire_hold(held.hold)
    back = zarinpal.pay(authority_of(page))
    with pytest.raises(PaymentRefunded):
        come_back(held, back)
    attempt = the_attempt()
    assert attempt.status == PaymentStatus.REFUNDED
    assert attempt.refund_reference == f"reversed-{authority_of(page)}"
    assert zarinpal.payments[authority_of(page)]["status"] == "REVERSED"
    (reverse,) = zarinpal.sent("reverse")
    assert reverse.body == {"merchant_id": MERCHANT_ID, "authority": authority_of(page)}
    with pytest.raises(PaymentRefunded):
        come_back(held, back)
    assert len(zarinpal.sent("reverse")) == 1


def test_a_reversal_whose_answer_was_lost_is_found_by_inquiry(zarinpal, held):
    page = start(held)
    order = Order.objects.get(pk=come_back(held, zarinpal.pay(authority_of(page))).order.pk)
    zarinpal.payments[authority_of(page)]["status"] = "REVERSED"  # reversed; answer lost
    cancel_order(order_id=order.pk)
    assert Order.objects.get().refund_reference == f"reversed-{authority_of(page)}"
    assert zarinpal.sent("inquiry")


def test_a_refund_after_the_banks_30_minutes_is_refused_with_a_clear_error(zarinpal, held):
    page = start(held)
    order = Order.objects.get(pk=come_back(held, zarinpal.pay(authority_of(page))).order.pk)
    zarinpal.too_late_to_reverse(authority_of(page))
    with pytest.raises(BankRefundTooLate) as refused:
        cancel_order(order_id=order.pk)
    assert refused.value.status == 409 and refused.value.code == "bank_refund_too_late"
    assert Order.objects.get().refund_reference == ""  # nothing recorded as given back


def test_a_partial_refund_is_refused_the_gateway_has_none(zarinpal, held):
    page = start(held)
    order = Order.objects.get(pk=come_back(held, zarinpal.pay(authority_of(page))).order.pk)
    with pytest.raises(BankPartialRefundUnsupported) as refused:
        refund_tickets(order, [order.tickets.first()])
    assert refused.value.code == "bank_partial_refund_unsupported"
    assert not zarinpal.sent("reverse")


def test_the_bank_down_at_the_return_answers_503_and_the_sweeper_recovers_it(zarinpal, held):
    page = start(held)
    back = zarinpal.pay(authority_of(page))
    zarinpal.down = True
    with pytest.raises(PaymentProviderUnavailable) as raised:
        come_back(held, back)
    assert raised.value.status == 503
    recover_payments.call()  # still down: the sweeper logs and tries later
    assert the_attempt().status == PaymentStatus.PENDING  # nothing settled on a guess
    zarinpal.down = False
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.PAID
    assert come_back(held, back).order.pk == Order.objects.get().pk


def test_the_bank_down_at_the_start_answers_503_and_nothing_is_recorded_as_sent(zarinpal, held):
    zarinpal.down = True
    with pytest.raises(PaymentUnavailable):
        start(held)
    assert ZarinpalPayment.objects.get().authority == ""
    zarinpal.down = False
    assert authority_of(start(held)) in zarinpal.payments


def test_a_currency_zarinpal_does_not_take_is_never_sent(zarinpal, performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    with pytest.raises(PaymentUnavailable):  # EUR: ZarinPal takes only IRR or IRT
        start(held)
    assert not zarinpal.sent("request")


@pytest.mark.parametrize(
    ("amount", "currency", "sent"),
    [("1500000", "IRR", 1500000), ("150000.00", "irt", 150000)],
)
def test_amounts_go_to_zarinpal_as_whole_rials_or_tomans(amount, currency, sent):
    assert gateway_amount(Decimal(amount), currency) == sent


@pytest.mark.parametrize(("amount", "currency"), [("10.50", "IRR"), ("10", "EUR")])
def test_a_fraction_or_another_currency_is_an_error_never_rounded(amount, currency):
    with pytest.raises(ValueError):
        gateway_amount(Decimal(amount), currency)


def test_killed_after_the_bank_gave_an_authority_the_sweeper_voids_it_and_never_verifies_it(
    zarinpal, held, monkeypatch
):
    def killed(**kwargs):
        raise KeyboardInterrupt  # the process died before the visit was recorded

    monkeypatch.setattr(GatewayVisit.objects, "create", killed)
    with pytest.raises(KeyboardInterrupt):
        start(held)
    monkeypatch.undo()
    (authority,) = zarinpal.payments  # asked for, but nobody was sent to its page
    recover_payments.call()
    assert the_attempt().status == PaymentStatus.VOIDED
    assert ZarinpalPayment.objects.get(authority=authority).ended
    zarinpal.pay(authority)  # even if somebody paid it, Sandali would not keep it
    recover_payments.call()
    assert zarinpal.return_unverified() == [authority]


def test_a_code_sent_as_a_string_is_read_as_its_number(zarinpal, held):
    zarinpal.string_codes = True
    page = start(held)
    assert come_back(held, zarinpal.pay(authority_of(page))).created
