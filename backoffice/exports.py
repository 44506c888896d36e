"""The rows of a performance's orders and attendees export: one row per ticket, read in chunks
so that 20,000 tickets never sit in memory at once. Both formats (ops/export_files.py) and both
callers (the admin's buttons, `manage.py export_orders`) take their rows from here.

The check-in time is read through the ticket's reverse relation `checkin` (checkin.CheckIn:
the back office sits above the door).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from orders.models import OrderStatus, Ticket

CHUNK_SIZE = 2000

# The export's columns, in order: (the row's field, the heading a person reads).
COLUMNS = (
    ("order", _("order number")),
    ("ordered_at", _("ordered at")),
    ("name", _("name")),
    ("email", _("e-mail")),
    ("phone", _("phone")),
    ("section", _("section")),
    ("row", _("row")),
    ("seat", _("seat")),
    ("ticket_type", _("ticket type")),
    ("price", _("price")),
    ("currency", _("currency")),
    ("status", _("status")),
    ("checked_in_at", _("checked in at")),
)


@dataclass(frozen=True)
class AttendeeRow:
    order: int
    ordered_at: datetime
    name: str
    email: str
    phone: str
    section: str
    row: str
    seat: int
    ticket_type: str
    price: Decimal
    currency: str
    status: str  # OrderStatus: "paid", or "cancelled" for a ticket cancelled and refunded
    checked_in_at: datetime | None


TICKET_COLUMNS = (
    "order_id", "order__created_at", "order__name", "order__email", "order__phone",
    "seat__section__name", "seat__row", "seat__number", "ticket_type__name", "price",
    "order__currency", "valid", "checkin__scanned_at",
)  # fmt: skip


def attendee_rows(*, performance_id: int) -> Iterator[AttendeeRow]:
    """Every ticket of the performance (cancelled ones too, marked so), by order and seat."""
    tickets = (
        Ticket.objects.filter(order__performance_id=performance_id)
        .order_by("order_id", "seat__section__position", "seat__section_id", "seat__row", "seat_id")
        .values_list(*TICKET_COLUMNS)
    )
    for *fields, valid, checked_in_at in tickets.iterator(chunk_size=CHUNK_SIZE):
        status = OrderStatus.PAID if valid else OrderStatus.CANCELLED
        yield AttendeeRow(*fields, status=str(status), checked_in_at=checked_in_at)


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP's list: a tab
# or carriage return can hide one), so a buyer who names themself "=HYPERLINK(...)" would run it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The text with a leading apostrophe if a spreadsheet would read it as a formula;
    numbers and dates, which are never formulas, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
