"""Payment providers behind one small interface. The built-in test provider approves at
once, or declines when the checkout's payment token says "decline"."""

import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str


class PaymentProvider(Protocol):
    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult: ...

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str: ...


class TestPaymentProvider:
    DECLINE = "decline"

    def charge(
        self, *, amount: Decimal, currency: str, idempotency_key: str, payment_token: str
    ) -> PaymentResult:
        approved = payment_token != self.DECLINE
        return PaymentResult(approved=approved, reference=f"test-{secrets.token_hex(8)}")

    def refund(self, *, reference: str, amount: Decimal, currency: str) -> str:
        return f"test-refund-{secrets.token_hex(8)}"


@cache
def payment_provider() -> PaymentProvider:
    return import_string(settings.SANDALI_PAYMENT_PROVIDER)()
