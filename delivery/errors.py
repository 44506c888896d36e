from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class NoValidTickets(DomainError):
    """A cancelled order: a PDF of void tickets could be printed and shown at a door, so none
    is made."""

    code = "no_valid_tickets"
    status = 409
    title = _("This order has no valid tickets: it was cancelled.")
