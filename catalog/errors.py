from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class PerformanceNotFound(DomainError):
    code = "performance_not_found"
    status = 404
    title = _("This performance does not exist.")


class InvalidSeats(DomainError):
    code = "invalid_seats"
    status = 422
    title = _("Some of the chosen seats are not seats of this performance, or are repeated.")


class SeatsUnavailable(DomainError):
    code = "seats_unavailable"
    status = 409
    title = _("Some of the chosen seats have just been taken. Please choose others.")


class TooManySeats(DomainError):
    code = "too_many_seats"
    status = 422
    title = _("You can choose at most %(limit)s seats in one order.")


class InvalidLayout(DomainError):
    code = "invalid_layout"
    status = 422
    title = _("The seat layout is not valid: %(reason)s")
