"""ZarinPal's payments whose try has ended (payments/zarinpal_provider.py `end`, orders/
visit_closing.py): never taken by Sandali afterwards (the bank gives them back), a payment a
verify took while the try was ending is reversed and never kept, and two starts of one key
make one authority. Each failed before the review's fixes (2026-11-30)."""

from datetime import timedelta

import pytest

from core.dbtime import db_now
from orders.errors import PaymentDeclined
from orders.models import GatewayVisit, PaymentStatus
from orders.recovery import recover_payments
from orders.redirect import recover_visit
from payments.models import ZarinpalPayment
from payments.providers import PaymentProviderUnavailable
from payments.zarinpal_provider import ZarinpalProvider
from tests.bank_server import zarinpal_fixture  # noqa: F401
from tests.orders.test_zarinpal_payments import (  # noqa: F401
    KEY,
    RETURN_URL,
    authority_of,
    come_back,
    held,
    start,
    the_attempt,
)

pytestmark = pytest.mark.django_db


def declined_then_paid_at_the_bank(zarinpal, hold) -> str:
    """The buyer comes back with Status=NOK (the try is declined), then pays in the page
    still open at the bank (the authority is still IN_BANK there); its authority."""
    authority = authority_of(start(hold))
    with pytest.raises(PaymentDeclined):
        come_back(hold, f"{RETURN_URL}?Authority={authority}&Status=NOK")
    zarinpal.pay(authority)
    return authority


def test_a_payment_at_a_page_declined_by_nok_is_never_taken_the_bank_gives_it_back(
    zarinpal,
    held,  # noqa: F811
):
    """The README's promise: a payment made on the declined authority is never verified."""
    authority = declined_then_paid_at_the_bank(zarinpal, held)
    recover_payments.call()
    assert zarinpal.payments[authority]["status"] == "PAID"  # paid at the bank, never verified
    assert GatewayVisit.objects.get().closed_at is not None


def test_a_payment_taken_while_its_try_was_ending_is_reversed_even_if_a_reverse_fails(
    zarinpal,
    held,  # noqa: F811
    monkeypatch,
):
    """The return's verify reads the row, the sweeper ends the try (not paid yet), the buyer's
    payment lands and the return's verify takes it; its first reverse fails: the sweeper
    still finds it taken and reverses it."""
    page = start(held)
    authority = authority_of(page)
    GatewayVisit.objects.update(until=db_now() - timedelta(seconds=1))
    original = ZarinpalProvider._verified
    calls = {"n": 0}

    def racing(payment):
        calls["n"] += 1
        if calls["n"] == 1:  # the return's verify has read the row (not ended) ...
            recover_visit(GatewayVisit.objects.get())  # ... the sweeper ends it: -51, voided
            zarinpal.pay(authority)  # ... the buyer's payment lands
        return original(payment)

    monkeypatch.setattr(ZarinpalProvider, "_verified", staticmethod(racing))
    refund = ZarinpalProvider.refund
    failed = {"n": 0}

    def flaky_refund(self, **kw):
        if not failed["n"]:
            failed["n"] += 1
            raise PaymentProviderUnavailable()
        return refund(self, **kw)

    monkeypatch.setattr(ZarinpalProvider, "refund", flaky_refund)
    with pytest.raises(Exception):  # noqa: B017 - whichever the crossing gives
        come_back(held, f"{RETURN_URL}?Authority={authority}&Status=OK")
    assert the_attempt().status == PaymentStatus.VOIDED
    for _ in range(3):
        recover_payments.call()
    assert zarinpal.payments[authority]["status"] == "REVERSED"
    assert GatewayVisit.objects.get().late_refund_reference


def test_two_starts_of_one_key_at_once_get_one_authority(zarinpal, monkeypatch):
    """A double click on Pay: two requests of one key both reach start before either has the
    authority recorded; the first recorded is the payment's."""
    from decimal import Decimal

    from payments import zarinpal_provider as zp

    provider = ZarinpalProvider()
    args = dict(
        amount=Decimal(40),
        currency="IRR",
        idempotency_key="k-1",
        return_url=RETURN_URL,
        webhook_url="http://testserver/x",
        language="fa",
    )
    original = zp.call
    state = {"nested": False}

    def racing(method, **fields):
        if method == "request" and not state["nested"]:
            state["nested"] = True
            state["page"] = provider.start(**args)
        return original(method, **fields)

    monkeypatch.setattr(zp, "call", racing)
    first = provider.start(**args)
    row = ZarinpalPayment.objects.get()
    assert first.reference == state["page"].reference == row.authority


def test_a_late_payment_is_not_taken_so_no_reverse_is_tried_past_the_window(
    zarinpal,
    held,  # noqa: F811
):
    authority = declined_then_paid_at_the_bank(zarinpal, held)
    zarinpal.too_late_to_reverse(authority)
    for _ in range(3):
        recover_payments.call()
    assert not zarinpal.sent("reverse")  # never taken: nothing to reverse, past the window or not
    assert GatewayVisit.objects.get().closed_at is not None


def test_an_api_client_passes_the_banks_cancel_and_the_try_is_declined_at_once(
    client,
    zarinpal,
    held,  # noqa: F811
):
    """POST .../payment-page/return with the fields the bank sent the buyer back with: a
    cancel there (Status=NOK) declines the try now (402, the seats still held), instead of
    409 payment_not_finished until the sweeper ends it."""
    from tests.api.helpers import post

    authority = authority_of(start(held))
    answer = post(
        client,
        f"/holds/{held.hold.pk}/payment-page/return",
        {"callback": {"Authority": authority, "Status": "NOK"}},
        token=held.token,
        key=KEY,
    )
    assert answer.status_code == 402 and answer.json()["code"] == "payment_declined"
    assert the_attempt().status == PaymentStatus.DECLINED
    assert zarinpal.payments[authority]["status"] != "VERIFIED"
