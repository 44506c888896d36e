from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class HoldNotFound(DomainError):
    code = "hold_not_found"
    status = 404
    title = _("This hold does not exist, or the token does not match it.")


class HoldExpired(DomainError):
    code = "hold_expired"
    status = 410
    title = _("Your hold has expired and its seats were released. Please choose seats again.")


class HoldEmpty(DomainError):
    code = "hold_empty"
    status = 422
    title = _("This hold has no seats.")


class SeatNotInHold(DomainError):
    code = "seat_not_in_hold"
    status = 404
    title = _("This seat is not in your hold.")


class SalesClosed(DomainError):
    code = "sales_closed"
    status = 409
    title = _("Ticket sales for this performance are not open.")


class TooManySeatsHeld(DomainError):
    code = "too_many_seats_held"
    status = 429
    title = _(
        "You already hold %(limit)s seats in your holds. Buy or release some, or wait for "
        "them to expire."
    )
    retry_after = 60


class AlreadyCheckedOut(DomainError):
    code = "already_checked_out"
    status = 409
    title = _("This hold has already been paid for.")


class CompanionSeatAlone(DomainError):
    """A companion seat asked for without its wheelchair space in the same hold, where the
    organizer keeps companion seats for the wheelchair users' companions (the default)."""

    code = "companion_seat_alone"
    status = 409
    title = _(
        "A companion seat is sold only with its wheelchair space. Choose the wheelchair space "
        "first: its companion seats come with it."
    )


class WaitingRoomRequired(DomainError):
    """A hold request of a performance whose waiting room is on, without a valid pass (none,
    forged, expired, another performance's or bound to another browser or client). The API
    adds where to queue (`queue`, `queue_page`)."""

    code = "waiting_room_required"
    status = 403
    title = _("This sale has a waiting room. Please join the queue; you will be let in soon.")


class WaitingRoomPassUsedUp(DomainError):
    code = "waiting_room_pass_used_up"
    status = 429
    title = _(
        "Your pass from the waiting room allows %(limit)s seat requests, and they are used. "
        "Please join the queue again."
    )


class QueueEntryNotFound(DomainError):
    code = "queue_entry_not_found"
    status = 404
    title = _("This place in the queue does not exist.")


class PerformanceHasNoQueue(DomainError):
    code = "no_waiting_room"
    status = 409
    title = _("This sale has no waiting room now: you may choose seats at once.")


class HoldExtensionNotOffered(DomainError):
    code = "hold_extension_not_offered"
    status = 409
    title = _("More time cannot be given for this performance.")


class HoldAlreadyExtended(DomainError):
    code = "hold_already_extended"
    status = 409
    title = _("This hold has already been given more time once.")
