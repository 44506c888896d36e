"""The test provider's hosted page: a payment page on the local server, so that the redirect
flow (orders/redirect.py) runs end to end on the embedded default, with no network.

It behaves as a real gateway does on the points that matter to Sandali: the buyer is sent to
/pay/test/<reference>/ (the reference is the only thing in the URL), pays or cancels there, and
is sent back to the return URL, which carries nothing; the provider then posts a webhook,
signed with SANDALI_TEST_PAYMENT_WEBHOOK_SECRET, in a thread of its own (as a real one does,
from elsewhere, at its own pace). The charge is the Charge of the payment's idempotency key,
the same ledger as the synchronous charge: a key the sweeper cancelled cannot be paid here.
"""

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from payments.models import Charge, HostedTestPayment
from payments.providers import HostedPayment, TestPaymentProvider, WebhookRefused

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandali-Test-Signature"
WEBHOOK_TRIES = 3


def start(
    *,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    return_url: str,
    webhook_url: str,
    language: str,
    until: datetime | None = None,
) -> HostedPayment:
    """The payment of this key at the hosted page, made now unless there is one. It has no
    expiry of its own (`until`): the sweeper ends it when the hold's time there is over."""
    checkout, _created = HostedTestPayment.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "reference": f"tc_{secrets.token_hex(12)}",
            "amount": amount,
            "currency": currency,
            "language": language,
            "return_url": return_url,
            "webhook_url": webhook_url,
        },
    )
    url = reverse("test-gateway", kwargs={"reference": checkout.reference})
    return HostedPayment(url=url, reference=checkout.reference)


def checkout_of(reference: str) -> HostedTestPayment | None:
    return HostedTestPayment.objects.filter(reference=reference).first()


@dataclass(frozen=True)
class PageOutcome:
    """What the buyer's click did: paid (or declined), or refused because the payment had been
    ended (the sweeper cancelled its key); and where the buyer goes next."""

    approved: bool
    ended: bool
    return_url: str


def pay(checkout: HostedTestPayment) -> PageOutcome:
    return _answer(checkout, approved=True)


def cancel(checkout: HostedTestPayment) -> PageOutcome:
    return _answer(checkout, approved=False)


def _answer(checkout: HostedTestPayment, *, approved: bool) -> PageOutcome:
    """Record the buyer's answer in the ledger, then notify Sandali as a gateway does. A
    payment is final (a second click reads it); a decline is not: as at a real gateway, the
    page takes another card, in this tab or another, until the payment is ended there (the
    sweeper's cancel, after which the key is refused)."""
    key = checkout.idempotency_key
    recorded, _reference, cancelled = TestPaymentProvider._record(
        key, checkout.amount, checkout.currency, approved=approved
    )
    if approved and not recorded and not cancelled:
        Charge.objects.filter(idempotency_key=key, approved=False, cancelled=False).update(
            approved=True
        )
        charge = Charge.objects.get(idempotency_key=key)  # or ended there just now
        recorded, cancelled = charge.approved, charge.cancelled
    if not cancelled:
        send_webhook(checkout)
    return PageOutcome(approved=recorded, ended=cancelled, return_url=checkout.return_url)


def signature(body: bytes) -> str:
    secret = settings.SANDALI_TEST_PAYMENT_WEBHOOK_SECRET.encode()
    return "v1=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_body(reference: str) -> bytes:
    return json.dumps({"type": "payment.updated", "reference": reference}).encode()


def read_webhook(*, body: bytes, headers: Mapping[str, str]) -> str:
    """The payment reference a correctly signed webhook names."""
    given = headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given.encode(), signature(body).encode()):
        raise WebhookRefused()
    try:
        reference = json.loads(body)["reference"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRefused() from None
    if not isinstance(reference, str) or not reference:
        raise WebhookRefused()
    return reference


def send_webhook(checkout: HostedTestPayment) -> None:
    """Post the signed webhook to Sandali from a thread, tried a few times: the buyer's answer
    does not wait for it, and it may arrive before or after the buyer is back.
    SANDALI_TEST_PAYMENT_WEBHOOKS off sends none (a gateway whose webhooks are lost)."""
    if not settings.SANDALI_TEST_PAYMENT_WEBHOOKS:
        return
    body = webhook_body(checkout.reference)
    request = urllib.request.Request(
        checkout.webhook_url,
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature(body)},
        method="POST",
    )

    def deliver():
        for attempt in range(WEBHOOK_TRIES):
            try:
                with urllib.request.urlopen(request, timeout=10):
                    return
            except Exception:  # noqa: BLE001 - a lost webhook is what the sweeper is for
                time.sleep(0.5 * 2**attempt)
        log.warning("The test provider's webhook for %s was not delivered.", checkout.reference)

    threading.Thread(target=deliver, name="test-provider-webhook", daemon=True).start()
