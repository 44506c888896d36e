from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class OrderNotFound(DomainError):
    code = "order_not_found"
    status = 404
    title = _("This order does not exist, or the token does not match it.")


class PaymentDeclined(DomainError):
    code = "payment_declined"
    status = 402
    title = _("The payment was declined. Your seats are still held; you may try again.")


class OrderNotCancellable(DomainError):
    code = "order_not_cancellable"
    status = 409
    title = _("This order has already been cancelled.")


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    status = 422
    title = _("A checkout needs an Idempotency-Key header of 1 to 200 characters.")


class PaymentInProgress(DomainError):
    code = "payment_in_progress"
    status = 409
    title = _("A payment for this hold is already under way. Wait for it to finish.")
    retry_after = 5


class PaymentUnavailable(DomainError):
    code = "payment_unavailable"
    status = 503
    title = _(
        "The payment could not be confirmed yet. Please send the same checkout again in a "
        "moment to finish it; you will not be charged twice."
    )
    retry_after = 5


class PaymentRefunded(DomainError):
    code = "payment_refunded"
    status = 409
    title = _(
        "Your seats ran out or changed before the payment went through, so nothing was sold "
        "and the payment is refunded. Please choose seats again."
    )


class PaymentNotFinished(DomainError):
    """Back from the provider's page, but the provider has no answer for the payment yet."""

    code = "payment_not_finished"
    status = 409
    title = _(
        "Your payment is not finished. Go back to the payment page to pay, or wait a moment "
        "and look again: your seats are held meanwhile."
    )
    retry_after = 5
