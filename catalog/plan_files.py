"""What a seating-plan file reads as, whatever its format (pretix JSON: catalog/seating_plans.py,
CSV: catalog/seating_csv.py), and the located refusal both formats use.

Reading is pure: a file becomes sections of placed seats whose ticket types are still names,
each seat with the place in the file it came from, so that a later refusal (an unknown ticket
type, a missing price) can still point at the line or the zone, row and seat to mend.
catalog/plan_import.py turns that into a layout."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from catalog.errors import SeatingPlanInvalid
from catalog.layout_geometry import MAX_ROW_LABEL, SEAT_FLAGS, PlacedSeat
from catalog.layouts import ShapeSpec
from core.localformat import LATIN_DIGITS

# A seat's attributes in a file: its flags, and "blocked" for a kill.
BLOCKED = "blocked"
ATTRIBUTES = SEAT_FLAGS | {BLOCKED}

PLAN_PROBLEMS = {
    "not_text": _("the file is not UTF-8 text"),
    "unknown_format": _("the file is neither pretix seating-plan JSON nor CSV"),
    "bad_json": _("not valid JSON (%(error)s)"),
    "not_object": _("%(field)s must be %(kind)s"),
    "missing": _("%(field)s is missing"),
    "seat_number": _(
        'the seat number "%(value)s" is not a whole number from 1; Sandali numbers seats 1, 2, '
        "3 … (renumber the seat)"
    ),
    "row_label": _('the row "%(value)s" needs 1 to %(max)s characters'),
    "section_name": _('the section "%(value)s" needs 1 to 100 characters'),
    "unknown_category": _('the category "%(value)s" is not one of the plan\'s categories'),
    "duplicate_guid": _('seat_guid "%(value)s" is used twice'),
    "duplicate_seat": _("seat %(section)s %(row)s-%(number)s is also at %(other)s"),
    "unknown_attribute": _('unknown attribute "%(value)s" (known: %(known)s)'),
    "bad_header": _("the first line must name the columns %(columns)s"),
    "columns": _("%(count)s values where %(expected)s columns were named"),
    "not_a_number": _('%(field)s "%(value)s" is not a number'),
    "unknown_ticket_type": _(
        'the event has no ticket type "%(value)s" (it has: %(known)s); categories and ticket '
        "types are matched by name"
    ),
    "no_price": _(
        'no price for ticket type "%(ticket_type)s" in section "%(section)s": give one, e.g. '
        '"%(ticket_type)s=40" or "%(section)s:%(ticket_type)s=40"'
    ),
    "bad_price": _(
        '"%(value)s" is not a price: write "Ticket type=40" or "Section:Ticket type=40"'
    ),
    "unknown_price_name": _('"%(value)s" names no ticket type of the event and no section'),
    "no_seats": _("the plan has no seats"),
}


def where_line(line: int) -> str:
    return str(_("line %(line)s") % {"line": line})


def refuse(where: str, problem: str, **values) -> None:
    raise SeatingPlanInvalid(where=str(where), problem=str(PLAN_PROBLEMS[problem]) % values)


@dataclass(frozen=True)
class ReadSection:
    """A section as read: seats in layout coordinates whose ticket_type is a name, and for each
    seat where it is in the file."""

    name: str
    seats: list[PlacedSeat]
    places: list[str]
    offset_x: float = 0.0
    offset_y: float = 0.0


@dataclass(frozen=True)
class ReadPlan:
    name: str
    sections: list[ReadSection]
    shapes: list[ShapeSpec] | None  # None: the format carries no shapes (CSV)


def seat_number(value, where: str) -> int:
    text = str(value).strip().translate(LATIN_DIGITS)
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        refuse(where, "seat_number", value=value)
    return int(text)


def row_label(value, where: str) -> str:
    text = str(value).strip()
    if not 1 <= len(text) <= MAX_ROW_LABEL:
        refuse(where, "row_label", value=value, max=MAX_ROW_LABEL)
    return text


def section_name(value, where: str) -> str:
    text = str(value).strip()
    if not 1 <= len(text) <= 100:
        refuse(where, "section_name", value=value)
    return text


def attributes(tokens, where: str) -> tuple[bool, frozenset[str]]:
    """(blocked, flags) from attribute names; an unknown one is refused."""
    names = {token.strip() for token in tokens if token.strip()}
    for name in sorted(names - ATTRIBUTES):
        refuse(where, "unknown_attribute", value=name, known=", ".join(sorted(ATTRIBUTES)))
    return BLOCKED in names, frozenset(names - {BLOCKED})


def attribute_names(seat: PlacedSeat) -> list[str]:
    return sorted(seat.flags | ({BLOCKED} if seat.blocked else set()))


def check_unique_seats(sections: list[ReadSection]) -> None:
    """A row and number twice in a section, refused where the second one is in the file."""
    for section in sections:
        first: dict[tuple[str, int], str] = {}
        for seat, where in zip(section.seats, section.places, strict=True):
            key = (seat.row, seat.number)
            if key in first:
                refuse(
                    where,
                    "duplicate_seat",
                    section=section.name,
                    row=seat.row,
                    number=seat.number,
                    other=first[key],
                )
            first[key] = where
