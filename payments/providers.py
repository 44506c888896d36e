"""Payment providers behind one small interface, and the built-in test provider.

Checkout calls a provider only between its own transactions, never inside one: no lock is held
while the provider answers, and a charge is never rolled back by a database error. Charges are
idempotent by key, which is what lets a checkout cut short by a crash be finished later
(orders/services.py, orders/recovery.py)."""

import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.module_loading import import_string

from payments.models import Charge


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
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


class TestPaymentProvider:
    """Approves at once, or declines when the payment token says "decline". Its ledger is the
    payments.Charge table. SANDALI_TEST_PAYMENT_SECONDS delays each answer after the charge is
    recorded, as a slow network would: the fault test uses it to kill processes mid-payment."""

    DECLINE = "decline"

    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        try:
            with _alone():
                charge = Charge.objects.create(
                    idempotency_key=idempotency_key,
                    amount=amount,
                    currency=currency,
                    approved=payment_token != self.DECLINE,
                    reference=f"test-{secrets.token_hex(8)}",
                )
        except IntegrityError:  # charged before with this key
            charge = Charge.objects.get(idempotency_key=idempotency_key)
        time.sleep(settings.SANDALI_TEST_PAYMENT_SECONDS)
        return PaymentResult(approved=charge.approved, reference=charge.reference)

    def cancel(self, *, idempotency_key: str) -> PaymentResult | None:
        try:
            with _alone():
                Charge.objects.create(
                    idempotency_key=idempotency_key,
                    amount=0,
                    currency="",
                    approved=False,
                    cancelled=True,
                    reference=f"test-cancelled-{secrets.token_hex(8)}",
                )
                return None
        except IntegrityError:  # a charge, or a cancellation, came first
            charge = Charge.objects.get(idempotency_key=idempotency_key)
        if charge.cancelled:
            return None
        return PaymentResult(approved=charge.approved, reference=charge.reference)

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        Charge.objects.filter(reference=reference, approved=True, refund_reference="").update(
            refund_reference=f"test-refund-{secrets.token_hex(8)}"
        )
        charge = Charge.objects.get(reference=reference, approved=True)
        return charge.refund_reference


def _alone():
    """Sandali calls the provider outside its transactions, where one INSERT commits by itself;
    inside one (a test's), a savepoint keeps a duplicate key from breaking it."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


@cache
def payment_provider() -> PaymentProvider:
    return import_string(settings.SANDALI_PAYMENT_PROVIDER)()
