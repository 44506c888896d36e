"""What a bank gateway refuses that Stripe and the test provider do not
(payments/zarinpal_provider.py)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class BankRefundTooLate(DomainError):
    """ZarinPal reverses a payment only within 30 minutes of it; a later refund is made by
    hand from the merchant's panel."""

    code = "bank_refund_too_late"
    status = 409
    title = _(
        "The bank gateway can give this payment back only within 30 minutes of it: refund it "
        "by hand from the gateway's panel."
    )


class BankPartialRefundUnsupported(DomainError):
    """ZarinPal's API reverses a whole payment, never part of one."""

    code = "bank_partial_refund_unsupported"
    status = 409
    title = _("The bank gateway cannot give back part of a payment: refund it by hand.")
