"""Stripe as a hosted-page provider (orders/redirect.py): Checkout Sessions and webhooks through
the official `stripe` library (StripeClient).

- start creates a Checkout Session in mode "payment", one line with the attempt's total in the
  currency's minor units, success and cancel URL = Sandali's return URL, the attempt's key as
  client_reference_id, metadata and Stripe's idempotency key. Its parameters are recorded
  first (payments.StripeCheckout), so the same key always sends the same request and Stripe
  answers it with the same session.
- verify retrieves the session: paid -> approved (the reference is its PaymentIntent, which a
  refund names); expired -> declined; open, or paid by a method that settles later -> None.
- read_webhook checks Stripe's signature (StripeClient.construct_event) and returns the
  session id of a checkout.session.* event; what it says is not trusted, Sandali verifies.
- cancel expires the session while it is open; if it was paid meanwhile, that payment.
- refund / refund_part create a Refund of the PaymentIntent, idempotent by key.

Stripe being down (no connection, 5xx, rate limited, a wrong key) raises
PaymentProviderUnavailable (503), never a 500. Secrets are never logged: only the kind of
error and Stripe's request id.
"""

import logging
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext

from core.dbtime import db_now
from payments.models import StripeCheckout
from payments.providers import (
    HostedPayment,
    PaymentProviderUnavailable,
    PaymentResult,
    RefundRefused,
    WebhookRefused,
)

log = logging.getLogger(__name__)

# Stripe's own list of zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): the
# amount is sent as it is. Three-decimal ones are sent in thousandths, rounded to tens as
# Stripe requires. Every other currency has two decimals (cents). Stripe charges no Iranian
# rial (IRR): a session in it is refused by Stripe and the buyer is told to try again later.
# fmt: off
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
})
# fmt: on
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])

# The languages Stripe Checkout's page is shown in (SessionCreateParams.locale of stripe 16).
# Persian is not one: a Persian buyer's page follows the browser ("auto").
# fmt: off
CHECKOUT_LOCALES = frozenset({
    "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA",
    "hi-IN", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt",
    "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
})
# fmt: on

# Stripe lets a Checkout Session expire between 30 minutes and 24 hours after it is created.
SESSION_MIN = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=1)  # Stripe's clock against the database's

SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.expired",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
    }
)
KEY_FIELD = "sandali_payment_key"


def minor_units(amount: Decimal, currency: str) -> int:
    """The amount in the currency's smallest unit, as Stripe takes it: 12.50 USD -> 1250,
    1200 JPY -> 1200, 1.234 KWD -> 1230 (Stripe wants tens). A fraction of the minor unit is
    an error, never rounded away."""
    code = currency.upper()
    exponent = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    scaled = Decimal(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {code} is not a whole number of minor units")
    units = int(scaled)
    return units - units % 10 if code in THREE_DECIMAL else units


def checkout_locale(language: str) -> str:
    """Stripe's locale for the buyer's language: the same, its base language, or "auto"."""
    if language in CHECKOUT_LOCALES:
        return language
    base = language.split("-")[0]
    return base if base in CHECKOUT_LOCALES else "auto"


def session_expiry(until: datetime | None, now: datetime) -> int:
    """When the session stops taking payments: the hold's time at the page, but never sooner
    than Stripe's 30 minutes nor later than its 24 hours. A hold kept for less than 30 minutes
    is ended by the sweeper (cancel expires the session) when its time is over; a payment made
    in the minutes between is refunded as a late payment (orders/redirect.py)."""
    earliest = now + SESSION_MIN + CLOCK_MARGIN
    latest = now + SESSION_MAX - CLOCK_MARGIN
    return int(min(max(until or earliest, earliest), latest).timestamp())


@contextmanager
def stripe_call(what: str):
    """Stripe's outages as PaymentProviderUnavailable; its other errors pass through."""
    try:
        yield
    except (
        stripe.APIConnectionError,
        stripe.APIError,
        stripe.RateLimitError,
        stripe.AuthenticationError,
        stripe.PermissionError,
    ) as error:
        log.error(
            "Stripe failed to %s: %s (HTTP %s, request %s).",
            what, type(error).__name__, error.http_status, error.request_id,
        )  # fmt: skip
        raise PaymentProviderUnavailable() from None


def stripe_client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        # Retries a dropped connection, a 5xx and a 409 (the same key sent twice at once).
        max_network_retries=2,
    )


class StripeProvider:
    def __init__(self, client: stripe.StripeClient | None = None):
        self.client = client or stripe_client()

    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        """Stripe takes payments only at its hosted page: a synchronous charge is declined
        (nothing is charged). SANDALI_PAYMENT_REDIRECT must stay on (settings refuse it)."""
        log.warning("A synchronous charge was asked of Stripe; declined.")
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
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": minor_units(amount, currency),
                        "product_data": {"name": tickets_label(language)},
                    },
                }
            ],
            "success_url": return_url,
            "cancel_url": return_url,
            "client_reference_id": idempotency_key,
            "metadata": {KEY_FIELD: idempotency_key},
            "payment_intent_data": {"metadata": {KEY_FIELD: idempotency_key}},
            "locale": checkout_locale(language),
            "expires_at": session_expiry(until, db_now()),
        }
        checkout = self._recorded(idempotency_key, params)
        if not checkout.session_id:
            try:
                checkout = self._create(checkout)
            except stripe.InvalidRequestError as error:
                if error.param != "expires_at":
                    raise
                # The recorded request waited out an outage until its expiry came too near:
                # Stripe refused it, and a refused request leaves the key free (Stripe keeps
                # no result for a request that fails validation), so send it with a new one.
                StripeCheckout.objects.filter(pk=checkout.pk).update(params=params)
                checkout.params = params
                checkout = self._create(checkout)
        return HostedPayment(url=checkout.url, reference=checkout.session_id)

    @staticmethod
    def _recorded(key: str, params: dict) -> StripeCheckout:
        """The key's recorded request, recorded now unless there is one (the first wins)."""
        try:
            return StripeCheckout.objects.get_or_create(
                idempotency_key=key, defaults={"params": params}
            )[0]
        except IntegrityError:  # recorded by a request of the same key at the same moment
            return StripeCheckout.objects.get(idempotency_key=key)

    def _create(self, checkout: StripeCheckout) -> StripeCheckout:
        with stripe_call("create a Checkout Session"):
            session = self.client.v1.checkout.sessions.create(
                checkout.params, {"idempotency_key": checkout.idempotency_key}
            )
        StripeCheckout.objects.filter(pk=checkout.pk).update(session_id=session.id, url=session.url)
        checkout.session_id, checkout.url = session.id, session.url
        return checkout

    def verify(
        self, *, idempotency_key: str, reference: str, callback: Mapping[str, str] | None = None
    ) -> PaymentResult | None:
        # The return's fields (`callback`) add nothing: Stripe's session says it all.
        with stripe_call("retrieve a Checkout Session"):
            session = self.client.v1.checkout.sessions.retrieve(reference)
        return self._outcome(session)

    def _outcome(self, session) -> PaymentResult | None:
        """How the session ended: approved, declined, or None while it may still be paid."""
        if session.payment_status == "paid":
            return PaymentResult(approved=True, reference=_intent_id(session))
        if session.status == "expired":
            return PaymentResult(approved=False, reference=session.id)
        if session.status == "complete" and session.payment_intent:
            # Completed with a method that settles later (a bank debit): failed or not yet.
            with stripe_call("retrieve a PaymentIntent"):
                intent = self.client.v1.payment_intents.retrieve(_intent_id(session))
            if intent.status in ("canceled", "requires_payment_method"):
                return PaymentResult(approved=False, reference=session.id)
        return None

    def read_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> str:
        """The session id of a verified checkout.session.* event; "" for other events (they
        are acknowledged and ignored)."""
        try:
            event = self.client.construct_event(
                body, headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
            )
        except (stripe.SignatureVerificationError, ValueError):
            raise WebhookRefused() from None
        if event.type not in SESSION_EVENTS:
            return ""
        return event.data.object["id"]

    def cancel(self, *, idempotency_key: str) -> PaymentResult | None:
        """Expire the key's session while it is open; the payment if it was made meanwhile.
        A session Stripe never made for the key, or made but never shown (its id was not
        recorded), is expired all the same: asked again with the recorded request, Stripe
        names it."""
        checkout = StripeCheckout.objects.filter(idempotency_key=idempotency_key).first()
        if checkout is None:
            return None  # never sent to Stripe
        if not checkout.session_id:
            try:
                checkout = self._create(checkout)
            except stripe.InvalidRequestError:
                return None  # Stripe never made it, and it is too late to make it now
        with stripe_call("retrieve a Checkout Session"):
            session = self.client.v1.checkout.sessions.retrieve(checkout.session_id)
            if session.status == "open":
                try:
                    session = self.client.v1.checkout.sessions.expire(session.id)
                except stripe.InvalidRequestError:  # completed meanwhile
                    session = self.client.v1.checkout.sessions.retrieve(session.id)
        outcome = self._outcome(session)
        return outcome if outcome is not None and outcome.approved else None

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        """Refund the PaymentIntent in full, once: Stripe's idempotency key repeats the first
        refund for a day; after that Stripe refuses a second one and the first is looked up."""
        with stripe_call("refund a payment"):
            try:
                refund = self.client.v1.refunds.create(
                    {"payment_intent": reference}, {"idempotency_key": f"refund-{reference}"}
                )
            except stripe.InvalidRequestError as error:
                if error.code != "charge_already_refunded":
                    raise
                refunds = self.client.v1.refunds.list({"payment_intent": reference, "limit": 1})
                return refunds.data[0].id
        return refund.id

    def refund_part(self, *, reference: str, amount: Decimal, currency: str, key: str) -> str:
        with stripe_call("refund part of a payment"):
            try:
                refund = self.client.v1.refunds.create(
                    {"payment_intent": reference, "amount": minor_units(amount, currency)},
                    {"idempotency_key": key},
                )
            except stripe.InvalidRequestError as error:
                log.warning("Stripe refused a partial refund: %s.", error.code)
                raise RefundRefused() from None
        return refund.id


def _intent_id(session) -> str:
    intent = session.payment_intent
    return intent if isinstance(intent, str) else intent.id


def tickets_label(language: str) -> str:
    """The line's name on Stripe's page, in the buyer's language."""
    with translation.override(language or None):
        return gettext("Tickets")
