"""The waiting list's refusals (orders/waiting_list.py), each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class NotSoldOut(DomainError):
    code = "waiting_list_not_sold_out"
    status = 409
    title = _("Seats of this kind are still on sale: choose them on the seat map.")


class AlreadyOffered(DomainError):
    code = "already_on_waiting_list"
    status = 409
    title = _(
        "This address is already on the waiting list and seats are held for it: see the "
        "e-mail we sent."
    )


class WaitingQuantityOutOfRange(DomainError):
    code = "waiting_list_quantity"
    status = 422
    title = _("Ask for between 1 and %(limit)s seats.")


class WaitingEmailInvalid(DomainError):
    code = "waiting_list_email_invalid"
    status = 422
    title = _("Enter a valid e-mail address.")


class OfferNotFound(DomainError):
    code = "waiting_list_offer_not_found"
    status = 404
    title = _("This offer does not exist, or it was already used or declined.")


class OfferExpired(DomainError):
    code = "waiting_list_offer_expired"
    status = 410
    title = _("This offer has expired and its seats were offered to the next on the list.")
