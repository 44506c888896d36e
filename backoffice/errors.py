from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class TicketNotFound(DomainError):
    code = "unknown_ticket"
    status = 404
    title = _("This ticket does not exist.")


class TicketNotMovable(DomainError):
    code = "ticket_not_movable"
    status = 409
    title = _("Only a valid ticket of a paid order can be moved.")


class TicketAlreadyUsed(DomainError):
    code = "ticket_already_used"
    status = 409
    title = _("This ticket has been checked in at the door; it can no longer be changed.")


class SeatNotFound(DomainError):
    code = "seat_not_found"
    status = 404
    title = _("The performance has no such seat.")


class SameSeat(DomainError):
    code = "same_seat"
    status = 422
    title = _("The ticket is already for this seat.")


class PriceDiffers(DomainError):
    code = "price_differs"
    status = 409
    title = _("The new seat has another price than the ticket; choose a seat at the same price.")


class SeatNotFree(DomainError):
    code = "seat_not_free"
    status = 409
    title = _("The new seat is held, sold or blocked; choose another.")


class NoTicketsChosen(DomainError):
    code = "no_tickets_chosen"
    status = 422
    title = _("Choose one or more valid tickets of this order.")


class DeskNotOnSale(DomainError):
    code = "desk_not_on_sale"
    status = 409
    title = _("This performance is not on sale: publish it and sell within its sales window.")


class ComplimentaryNeedsReason(DomainError):
    code = "complimentary_needs_reason"
    status = 422
    title = _("Complimentary tickets need a reason.")


class UnknownDeskMethod(DomainError):
    code = "unknown_desk_method"
    status = 422
    title = _("Choose how the customer pays: cash, card terminal or complimentary.")


class DeskNotAllowed(DomainError):
    code = "desk_not_allowed"
    status = 403
    title = _("You may not sell at the box office desk: ask an administrator for the permission.")


class DeskHoldOpen(DomainError):
    code = "desk_hold_open"
    status = 409
    title = _(
        "The desk already has seats chosen for this performance: sell them or give them back "
        "(“Next customer”) before taking a channel's seats."
    )


class NoChannelSeatsChosen(DomainError):
    code = "no_channel_seats_chosen"
    status = 422
    title = _("Choose one or more of the channel's seats.")
