from django.utils.translation import gettext_lazy as _

from sandali.errors import DomainError


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
