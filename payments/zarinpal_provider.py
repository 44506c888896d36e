"""ZarinPal, a Shaparak payment gateway, as a hosted-page provider (orders/redirect.py), after
its published REST API v4 (zarinpal.com/docs/paymentGateway): JSON POSTs to
<base>/pg/v4/payment/{request,verify,reverse,inquiry}.json, the buyer's page at
<base>/pg/StartPay/<authority>.

How the interface maps onto it:
- start asks request.json for an authority (merchant_id, amount, currency, description,
  callback_url = Sandali's return URL, metadata.auto_verify = false so that only Sandali
  verifies) and sends the buyer to StartPay/<authority>. ZarinPal
  takes no idempotency key, so the key's row (payments.ZarinpalPayment) is written first and
  an authority asked for once per key; an answer lost in a crash leaves an authority nobody
  was sent to, which nobody can pay.
- The buyer comes back with a GET to the return URL carrying ?Authority=...&Status=OK|NOK.
  That is only a hint (the buyer can type it): verify decides.
- verify is verify.json, which is also what captures the money: a payment never verified is
  returned to the buyer by the bank. Code 100 (verified now) or 101 (verified before):
  approved. Code -51 (no successful payment): declined if the return said Status=NOK for this
  authority (the buyer cancelled, or the bank refused the card), else not decided yet (the
  buyer may still be at the page). Anything else: the gateway is unavailable (503), nothing
  decided on a guess.
- cancel (the sweeper, once the hold's time at the page is over) verifies one last time: a
  payment made meanwhile is captured and returned (it becomes the order, or is reversed);
  otherwise the row is marked ended and Sandali never verifies that authority again, so a
  payment made at the still-open page afterwards is returned by the bank, not kept.
- refund is reverse.json, which ZarinPal allows only within 30 minutes of the payment and only
  from the server's registered IP: later, BankRefundTooLate (409), for staff to refund by
  hand. ZarinPal's API has no partial reverse: refund_part is BankPartialRefundUnsupported.
- ZarinPal sends no webhook: the return and the sweeper settle every payment.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import requests
from django.conf import settings
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext

from payments.errors import BankPartialRefundUnsupported, BankRefundTooLate
from payments.models import ZarinpalPayment
from payments.providers import HostedPayment, PaymentProviderUnavailable, PaymentResult

log = logging.getLogger(__name__)

OFFICIAL_BASE = "https://payment.zarinpal.com"
TIMEOUT_SECONDS = (5, 20)  # connect, read: a verify the bank is slow to answer is retried
CURRENCIES = frozenset({"IRR", "IRT"})  # rial, and toman (10 rials), both taken by ZarinPal

VERIFIED, ALREADY_VERIFIED, NOT_PAID = 100, 101, -51
REVERSED, REVERSE_TOO_LATE, NOT_REVERSIBLE = 100, -63, -61


def gateway_amount(amount: Decimal, currency: str) -> int:
    """The amount as ZarinPal takes it: a whole number of rials (IRR) or tomans (IRT), never
    converted (Sandali's price is already in that currency) nor rounded."""
    code = currency.upper()
    if code not in CURRENCIES:
        raise ValueError(f"ZarinPal takes only IRR or IRT, not {code}")
    if amount != amount.to_integral_value():
        raise ValueError(f"{amount} {code} is not a whole number of {code}")
    return int(amount)


def api_base() -> str:
    return (settings.ZARINPAL_API_BASE or OFFICIAL_BASE).rstrip("/")


def call(method: str, **fields) -> dict:
    """POST one API method; its `data` (with `code`) or, on refusal, its `errors` (with
    `code`). A connection failure, a 5xx or an answer that is not ZarinPal's JSON is
    PaymentProviderUnavailable. The merchant id is never logged."""
    url = f"{api_base()}/pg/v4/payment/{method}.json"
    body = {"merchant_id": settings.ZARINPAL_MERCHANT_ID, **fields}
    try:
        response = requests.post(
            url, json=body, headers={"Accept": "application/json"}, timeout=TIMEOUT_SECONDS
        )
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        log.error("ZarinPal's %s failed: %s.", method, type(error).__name__)
        raise PaymentProviderUnavailable() from None
    answer = answer if isinstance(answer, dict) else {}
    data, errors = answer.get("data"), answer.get("errors")
    for part in (data, errors):
        if isinstance(part, dict) and str(part.get("code", "")).lstrip("-").isdigit():
            # Its documentation shows the code as a number, and in places as a string.
            return {**part, "code": int(part["code"])}
    log.error("ZarinPal's %s answered HTTP %s without a code.", method, response.status_code)
    raise PaymentProviderUnavailable()


def unavailable(method: str, answer: dict) -> PaymentProviderUnavailable:
    log.error("ZarinPal's %s answered %s: %s.", method, answer["code"], answer.get("message"))
    return PaymentProviderUnavailable()


class ZarinpalProvider:
    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        """ZarinPal is paid only at its page: a synchronous charge is declined (nothing is
        charged); settings refuse SANDALI_PAYMENT_REDIRECT=0 with it in production."""
        log.warning("A synchronous charge was asked of ZarinPal; declined.")
        return PaymentResult(approved=False, reference="")

    def start(
        self,
        *,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        return_url: str,
        webhook_url: str,
        language: str,
        until: datetime | None = None,
    ) -> HostedPayment:
        """`until` is not sent: ZarinPal's request has no expiry; the sweeper's cancel ends
        the payment for Sandali when the hold's time is over (see the module's docstring)."""
        payment = self._recorded(idempotency_key, gateway_amount(amount, currency), currency)
        if not payment.authority:
            answer = call(
                "request",
                amount=payment.amount,
                currency=payment.currency,
                description=tickets_label(language),
                callback_url=return_url,
                # Sandali verifies, never ZarinPal: a gateway set to verify by itself would
                # keep a payment Sandali decided to leave (zarinpal.com/docs/paymentGateway/
                # moreFeatures/session-validation).
                metadata={"order_id": idempotency_key, "auto_verify": False},
            )
            if answer["code"] != VERIFIED or not answer.get("authority"):
                raise unavailable("request", answer)
            # Two starts of one key at once (a double click) both ask: the first authority
            # recorded is the payment's, and the other one is never used nor verified.
            ZarinpalPayment.objects.filter(pk=payment.pk, authority="").update(
                authority=answer["authority"]
            )
            payment.refresh_from_db()
        return HostedPayment(url=self.page_url(payment.authority), reference=payment.authority)

    @staticmethod
    def page_url(authority: str) -> str:
        return f"{api_base()}/pg/StartPay/{authority}"

    @staticmethod
    def _recorded(key: str, amount: int, currency: str) -> ZarinpalPayment:
        try:
            return ZarinpalPayment.objects.get_or_create(
                idempotency_key=key, defaults={"amount": amount, "currency": currency.upper()}
            )[0]
        except IntegrityError:  # recorded by a request of the same key at the same moment
            return ZarinpalPayment.objects.get(idempotency_key=key)

    def verify(
        self, *, idempotency_key: str, reference: str, callback: Mapping[str, str] | None = None
    ) -> PaymentResult | None:
        payment = ZarinpalPayment.objects.filter(idempotency_key=idempotency_key).first()
        if payment is not None and payment.ref_id:  # taken already, whatever came after
            return PaymentResult(approved=True, reference=payment.authority)
        if payment is None or not payment.authority or payment.ended:
            return None  # never sent to the page, or given up: never verified now
        approved = self._verified(payment)
        if approved is not None:
            return approved
        said = callback or {}
        if said.get("Authority") == payment.authority and said.get("Status") == "NOK":
            return PaymentResult(approved=False, reference=payment.authority)
        return None

    @staticmethod
    def _verified(payment: ZarinpalPayment) -> PaymentResult | None:
        """Verify (capture) the payment: approved, or None if the bank has no successful
        payment for the authority."""
        if payment.ref_id:
            return PaymentResult(approved=True, reference=payment.authority)
        answer = call("verify", amount=payment.amount, authority=payment.authority)
        if answer["code"] == NOT_PAID:
            return None
        if answer["code"] not in (VERIFIED, ALREADY_VERIFIED):
            raise unavailable("verify", answer)
        ZarinpalPayment.objects.filter(pk=payment.pk).update(
            ref_id=str(answer.get("ref_id", "")), card_pan=answer.get("card_pan") or ""
        )
        return PaymentResult(approved=True, reference=payment.authority)

    def cancel(self, *, idempotency_key: str) -> PaymentResult | None:
        """The hold's time at the page is over: verify one last time (a payment made meanwhile
        is taken, and becomes the order or is reversed), else end it for good."""
        return self._end(idempotency_key, last_look=True)

    def end(self, *, idempotency_key: str) -> PaymentResult | None:
        """The payment's try has ended (orders/visit_closing.py): end it without verifying, so
        a payment made there is never taken and the bank gives it back by itself; only one
        taken already (a verify that crossed the try's end) is returned, to be reversed."""
        return self._end(idempotency_key, last_look=False)

    def _end(self, key: str, *, last_look: bool) -> PaymentResult | None:
        payment = ZarinpalPayment.objects.filter(idempotency_key=key).first()
        if payment is None or not payment.authority:
            return None  # the buyer was never sent to the page
        # A verify that ran while the payment was being ended may have taken it: a taken
        # payment is reported whatever `ended` says, so that it is reversed, never kept.
        if payment.ref_id:
            return PaymentResult(approved=True, reference=payment.authority)
        approved = self._verified(payment) if last_look and not payment.ended else None
        if approved is None:
            ZarinpalPayment.objects.filter(pk=payment.pk, ref_id="").update(ended=True)
            payment.refresh_from_db()
            if payment.ref_id:  # taken by a verify at this very moment
                return PaymentResult(approved=True, reference=payment.authority)
        return approved

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        """Reverse the whole payment, once: asked again, the first reversal's reference."""
        payment = ZarinpalPayment.objects.get(authority=reference)
        done = f"reversed-{reference}"
        if payment.reversed:
            return done
        answer = call("reverse", authority=reference)
        if answer["code"] == NOT_REVERSIBLE and self._status(reference) == "REVERSED":
            pass  # reversed before, its answer lost (a crash): the same reversal
        elif answer["code"] == REVERSE_TOO_LATE:
            log.warning("ZarinPal refused to reverse %s: more than 30 minutes after.", reference)
            raise BankRefundTooLate()
        elif answer["code"] != REVERSED:
            raise unavailable("reverse", answer)
        ZarinpalPayment.objects.filter(pk=payment.pk).update(reversed=True)
        return done

    @staticmethod
    def _status(authority: str) -> str:
        return call("inquiry", authority=authority).get("status", "")

    def refund_part(self, *, reference: str, amount: Decimal, currency: str, key: str) -> str:
        raise BankPartialRefundUnsupported()


def tickets_label(language: str) -> str:
    """The payment's description on ZarinPal's page, in the buyer's language."""
    with translation.override(language or None):
        return gettext("Tickets")
