"""The door's refusals, each with a stable code and a message in the request's language."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class DeviceNotRecognised(DomainError):
    code = "device_not_recognised"
    status = 401
    title = _(
        "This check-in device is not recognised or was revoked. Ask the organizer for a new "
        "device token."
    )


class PerformanceNotServed(DomainError):
    code = "performance_not_served"
    status = 403
    title = _("This check-in device does not serve this performance.")


class TicketNotFound(DomainError):
    """Also a pass whose signature does not verify: the answer never says which."""

    code = "ticket_not_found"
    status = 404
    title = _("No ticket has this code. Do not let this person in.")


class AlreadyCheckedIn(DomainError):
    code = "already_checked_in"
    status = 409
    title = _("This ticket was already used at %(time)s at %(device)s.")


class WrongPerformance(DomainError):
    code = "wrong_performance"
    status = 409
    title = _("This ticket is for another performance.")


class TicketCancelled(DomainError):
    code = "ticket_cancelled"
    status = 409
    title = _("This ticket was cancelled and lets nobody in.")
