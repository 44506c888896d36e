"""The test payment provider's own ledger: what a real provider keeps on its side.

The provider writes it outside Sandali's transactions (it is called only between them), so a
crash or a rollback in Sandali cannot undo a charge, just as with a real provider. The fault
test reads it to prove that every charge ended as an order or a refund."""

from django.db import models


class Charge(models.Model):
    idempotency_key = models.CharField(max_length=300, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    approved = models.BooleanField()
    reference = models.CharField(max_length=100, unique=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    # A key cancelled before any charge: a charge sent with it later is refused.
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class PartialRefund(models.Model):
    """Part of a charge given back (some tickets of an order cancelled), once per key."""

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="partial_refunds")
    idempotency_key = models.CharField(max_length=300, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class HostedTestPayment(models.Model):
    """A payment session at the test provider's hosted page (payments/test_gateway.py): what
    a real provider keeps of a Checkout Session or a bank gateway's token. Its reference is the
    only thing of it in a URL; the charge itself is the Charge of the same idempotency key."""

    reference = models.CharField(max_length=100, unique=True)
    idempotency_key = models.CharField(max_length=300, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=8)
    return_url = models.URLField(max_length=500)
    webhook_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class StripeCheckout(models.Model):
    """A Checkout Session asked of Stripe (payments/stripe_provider.py), once per idempotency
    key. Its parameters are kept so that the same key always sends the same request: Stripe
    then answers with the first session (its idempotent replay) instead of refusing a
    request whose expires_at moved, and a crash between Stripe's answer and this row can be
    repaired by asking again (cancel does)."""

    idempotency_key = models.CharField(max_length=300, unique=True)
    params = models.JSONField()
    session_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.session_id or self.idempotency_key


class ZarinpalPayment(models.Model):
    """A payment asked of ZarinPal (payments/zarinpal_provider.py), once per idempotency key:
    the amount and currency as sent (verify must send the same), the authority ZarinPal gave,
    and what became of it. ZarinPal's request takes no idempotency key, so this row is what
    makes the same key the same payment."""

    idempotency_key = models.CharField(max_length=300, unique=True)
    amount = models.BigIntegerField()  # in `currency`'s whole units, as ZarinPal takes it
    currency = models.CharField(max_length=3)  # IRR (rial) or IRT (toman)
    authority = models.CharField(max_length=64, blank=True, db_index=True)
    ref_id = models.CharField(max_length=64, blank=True)  # the bank's reference, once verified
    card_pan = models.CharField(max_length=32, blank=True)  # masked by ZarinPal
    ended = models.BooleanField(default=False)  # never to be verified: the bank returns it
    reversed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.authority or self.idempotency_key
