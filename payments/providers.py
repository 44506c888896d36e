"""Payment providers behind one small interface, and the built-in test provider.

Checkout calls a provider only between its own transactions, never inside one: no lock is held
while the provider answers, and a charge is never rolled back by a database error. Charges are
idempotent by key, which is what lets a checkout cut short by a crash be finished later
(orders/checkout.py, orders/recovery.py)."""

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.dbtime import now_sql
from core.errors import DomainError
from core.sql import fetch_one
from payments.models import Charge, PartialRefund


class RefundRefused(DomainError):
    """The provider refuses a refund: more than is left of the charge."""

    code = "refund_refused"
    status = 409
    title = _("The payment provider refused the refund: it is more than is left of the payment.")


class WebhookRefused(DomainError):
    """A webhook whose signature does not verify, or that names no payment: never acted on."""

    code = "webhook_refused"
    status = 400
    title = _("The payment notification could not be verified.")


class PaymentProviderUnavailable(DomainError):
    """The provider could not be reached, or answered with an error of its own: nothing is
    decided on a guess; the buyer, the webhook's sender or the sweeper asks again later."""

    code = "payment_provider_unavailable"
    status = 503
    retry_after = 5
    title = _("The payment provider cannot be reached right now. Please try again in a moment.")


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str


@dataclass(frozen=True)
class HostedPayment:
    """A payment started at the provider's hosted page: where to send the buyer, and the
    provider's own reference of it (a Checkout Session's id, a bank gateway's token)."""

    url: str
    reference: str


class PaymentProvider(Protocol):
    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        """Charge once per key: the same key again returns the first result, charging nothing."""

    def cancel(self, *, idempotency_key: str) -> PaymentResult | None:
        """Make sure nothing is ever charged with this key: the charge already made with it
        if there is one, else None, and a charge sent with the key later is declined."""

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        """Refund a charge in full, once: refunding it again returns the first refund's
        reference."""

    def refund_part(self, *, reference: str, amount: Decimal, currency: str, key: str) -> str:
        """Refund `amount` of a charge, once per key: the same key again returns the first
        refund's reference. Raises RefundRefused beyond what is left of the charge."""


class RedirectPaymentProvider(PaymentProvider, Protocol):
    """A provider whose buyer pays on the provider's own page (orders/redirect.py). Also
    implements cancel and refund: cancel ends a payment that the buyer never finished.

    Stripe Checkout: start creates a Checkout Session (idempotency key = the key, the amount in
    minor units, success and cancel URL = return_url, locale = language) and returns its url
    and id; verify retrieves the session (payment_status "paid": approved; status "expired":
    declined; "open": None); read_webhook is stripe.Webhook.construct_event and the session id
    of a checkout.session.* event; cancel expires the session (if it completed meanwhile,
    retrieve it and return the payment). A Shaparak-style bank gateway: start asks the bank
    for a token (the reference) and sends the buyer to its page with it; verify is the
    server-to-server "verify" call, which is also what keeps the money (an unverified payment
    is returned by the bank); the return's fields are only a hint, passed to verify, which
    declines on a "cancelled" there when the bank has no payment; cancel verifies one last
    time and otherwise never verifies again; refund is "reverse"
    (payments/zarinpal_provider.py). Such a provider also has `end(idempotency_key)`: end a
    payment whose try has ended without taking it (orders/visit_closing.py), returning only
    one taken already."""

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
        """Start, once per key, the payment at the provider's page: the same key again returns
        the same payment. `until` is when the hold's time at the page ends (a provider that
        can, stops taking the payment then)."""

    def verify(
        self, *, idempotency_key: str, reference: str, callback: Mapping[str, str] | None = None
    ) -> PaymentResult | None:
        """Ask the provider, server to server, how the payment ended: approved, declined (the
        buyer cancelled, the card was refused) or None while the buyer may still pay.
        `callback` is what the buyer's return carried (its query and form fields), or None
        when the webhook or the sweeper asks: a hint only, since the buyer can type it. A
        bank gateway that knows of a cancel at its page only from the return's fields reads
        it there, and only to decline (never to approve)."""

    def read_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> str:
        """The reference of the payment a webhook is about, once its signature verifies;
        raises WebhookRefused otherwise. What it says happened is not trusted: the caller
        verifies."""


class TestPaymentProvider:
    """Approves at once, or declines when the payment token says "decline". Its ledger is the
    payments.Charge table: a key's first answer is final for a charge; at the hosted page a
    decline is not (the buyer may pay there after all) until cancel ends the key.
    SANDALI_TEST_PAYMENT_SECONDS delays each answer after the charge is recorded, as a slow
    network would: the fault test uses it to kill processes mid-payment."""

    DECLINE = "decline"

    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        approved, reference, _cancelled = self._record(
            idempotency_key, amount, currency, approved=payment_token != self.DECLINE
        )
        time.sleep(settings.SANDALI_TEST_PAYMENT_SECONDS)
        return PaymentResult(approved=approved, reference=reference)

    def cancel(self, *, idempotency_key: str) -> PaymentResult | None:
        approved, reference, cancelled = self._record(
            idempotency_key, Decimal(0), "", approved=False, cancelled=True
        )
        if not approved and not cancelled:
            # Declined at the hosted page, which takes another card until it is ended: end it
            # (one statement: a payment made there at this moment is either before or refused).
            ended = Charge.objects.filter(
                idempotency_key=idempotency_key, approved=False, cancelled=False
            ).update(cancelled=True)
            if not ended:  # paid there, or ended by another cancel, just now
                approved = Charge.objects.get(idempotency_key=idempotency_key).approved
        return None if cancelled else PaymentResult(approved=approved, reference=reference)

    @staticmethod
    def _record(key: str, amount: Decimal, currency: str, *, approved: bool, cancelled=False):
        """The ledger's entry for the key, made now unless there is one: (approved, reference,
        cancelled). One SQL statement, as it sits on every checkout's path (and commits by
        itself outside a transaction); ON CONFLICT makes a repeated key a read, not an error."""
        row = fetch_one(
            f"""INSERT INTO payments_charge (idempotency_key, amount, currency, approved,
                  reference, refund_reference, cancelled, created_at)
                VALUES (%s, %s, %s, %s, %s, '', %s, {now_sql()})
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING approved, reference, cancelled""",
            [key, amount, currency, approved, f"test-{secrets.token_hex(8)}", cancelled],
        )
        return row or fetch_one(
            "SELECT approved, reference, cancelled FROM payments_charge WHERE idempotency_key = %s",
            [key],
        )

    # The hosted page (payments/test_gateway.py holds its rules, web/test_gateway.py its page).
    def start(self, **payment) -> HostedPayment:
        from payments import test_gateway  # the page imports this module

        return test_gateway.start(**payment)

    def verify(
        self, *, idempotency_key: str, reference: str, callback: Mapping[str, str] | None = None
    ) -> PaymentResult | None:
        row = fetch_one(
            "SELECT approved, reference FROM payments_charge WHERE idempotency_key = %s",
            [idempotency_key],
        )
        return None if row is None else PaymentResult(approved=row[0], reference=row[1])

    def read_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> str:
        from payments import test_gateway

        return test_gateway.read_webhook(body=body, headers=headers)

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        Charge.objects.filter(reference=reference, approved=True, refund_reference="").update(
            refund_reference=f"test-refund-{secrets.token_hex(8)}"
        )
        charge = Charge.objects.get(reference=reference, approved=True)
        return charge.refund_reference

    def refund_part(self, *, reference: str, amount: Decimal, currency: str, key: str) -> str:
        with transaction.atomic():
            charge = Charge.objects.select_for_update().get(reference=reference, approved=True)
            done = PartialRefund.objects.filter(idempotency_key=key).first()
            if done is not None:
                return done.reference
            given_back = charge.partial_refunds.aggregate(total=Sum("amount"))["total"] or 0
            if charge.refund_reference or given_back + amount > charge.amount:
                raise RefundRefused()
            return PartialRefund.objects.create(
                charge=charge,
                idempotency_key=key,
                amount=amount,
                reference=f"test-refund-{secrets.token_hex(8)}",
            ).reference


@cache
def payment_provider() -> PaymentProvider:
    return import_string(settings.SANDALI_PAYMENT_PROVIDER)()
