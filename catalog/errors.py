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
    title = _("Somebody else has just taken a seat you chose. Please choose another.")


class TooManySeats(DomainError):
    code = "too_many_seats"
    status = 422
    title = _("You can choose at most %(limit)s seats in one order.")


class WouldStrandSeat(DomainError):
    """A buyer's own choice that would leave one free seat alone in its row, refused where
    the performance asks for it (reservations/orphan_rule.py); `seat` is its id."""

    code = "would_strand_seat"
    status = 409
    title = _(
        "This choice would leave seat %(number)s of row %(row)s alone, and nobody could sit "
        "beside anyone there. Please include it, or choose seats that leave no single seat."
    )


class NotEnoughSeats(DomainError):
    """Best available: fewer seats are free for the buyer's choice than asked for."""

    code = "not_enough_seats"
    status = 409
    title = _("Fewer than %(quantity)s seats are left for this choice.")


class NotEnoughSeatsAtPrice(DomainError):
    """Best available with a price ceiling: fewer seats are free at that price or less than
    asked for; `price` is the ceiling with its currency."""

    code = "not_enough_seats_at_price"
    status = 409
    title = _("Fewer than %(quantity)s seats are left at %(price)s or less.")


class NoSeatsTogether(DomainError):
    """Best available asked for seats side by side (`together`): enough seats are free for
    the choice, but no `quantity` of them stand side by side in one row."""

    code = "no_seats_together"
    status = 409
    title = _("No %(quantity)s seats side by side are left for this choice.")


class InvalidSeatChoice(DomainError):
    """A best-available request of the pages that is not one: a quantity that is not a whole
    number from 1 to 100, or a price ceiling that is not an amount."""

    code = "invalid_seat_choice"
    status = 422
    title = _("Ask for a number of seats, and a price ceiling as an amount.")


class UnknownSeatChoice(DomainError):
    """Best available for a ticket type or section that this performance does not sell: a
    wrong request, not a sold-out one."""

    code = "unknown_seat_choice"
    status = 422
    title = _("This performance sells no such ticket type or section.")


class InvalidLayout(DomainError):
    """An organizer's layout that cannot be sold. Each refusal below says, in the reader's
    language, what is wrong; catch InvalidLayout to catch them all."""

    code = "invalid_layout"
    status = 422
    title = _("The seat layout is not valid.")


class LayoutSizeInvalid(InvalidLayout):
    code = "layout_size_invalid"
    title = _(
        "Rows, seats per row and spacing must be more than zero, and a section can have at "
        "most %(max_seats)s seats."
    )


class SectionHasSeats(InvalidLayout):
    code = "section_has_seats"
    title = _("This section already has seats.")


class RowRangeOutsideRows(InvalidLayout):
    code = "row_range_outside_rows"
    title = _("Rows %(first)s to %(last)s do not fit in this section's rows 1 to %(rows)s.")


class RowInTwoRanges(InvalidLayout):
    code = "row_in_two_ranges"
    title = _("Row %(row)s is in two row ranges.")


class RowsWithoutTicketType(InvalidLayout):
    code = "rows_without_ticket_type"
    title = _("Row %(row)s is in no row range: every row needs a ticket type.")


class TicketTypesWithoutPrice(InvalidLayout):
    code = "ticket_types_without_price"
    title = _("These ticket types have no price in this section: %(ticket_types)s.")


class SalesEndBeforeStart(InvalidLayout):
    code = "sales_end_before_start"
    title = _("Ticket sales must end after they start.")


class CompanionWithoutWheelchair(InvalidLayout):
    """A seat edited into a companion seat with no wheelchair space of its performance, or a
    wheelchair space edited out while companion seats still belong to it."""

    code = "companion_without_wheelchair"
    title = _(
        "A companion seat must belong to a wheelchair space of the same performance, and a "
        "wheelchair space keeps its flag while companion seats belong to it."
    )


class LayoutRefused(InvalidLayout):
    """A venue layout's specs with problems that keep it from being sold; `problems` lists
    them all (catalog.layout_geometry.LayoutProblem: code, section, row, number, message)."""

    code = "layout_refused"
    title = _("The layout cannot be sold: %(count)s problems, the first: %(first)s")


class SeatingPlanInvalid(InvalidLayout):
    """An imported seating-plan file (pretix JSON or CSV) that cannot become a layout: `where`
    locates the problem in the file (a line, or a zone, row and seat), `problem` says what."""

    code = "seating_plan_invalid"
    title = _("The seating plan cannot be imported: %(where)s: %(problem)s")


class PerformanceHasSeats(InvalidLayout):
    code = "performance_has_seats"
    title = _(
        "Performance %(performance)s already has seats; a seating plan only fills a "
        "performance that has none."
    )


class NotEnoughPlaces(DomainError):
    """A standing area has fewer free places than asked for; `area` names it and `left` says
    how many it has."""

    code = "not_enough_places"
    status = 409
    title = _("Only %(left)s places are left in %(name)s.")


class UnknownArea(DomainError):
    """A standing area that this performance does not have (or a section of numbered seats
    given as one), a quantity below one, or an area named twice: a wrong request."""

    code = "unknown_area"
    status = 422
    title = _(
        "This performance has no such standing area, or the quantity is not a number of places."
    )


class LayoutDocumentInvalid(InvalidLayout):
    """A designer's layout document of the wrong shape: `where` names the part (e.g.
    "sections[2].seats[14].number"), `fault` says what is wrong with it (a stable code:
    not_number, not_text, ...), and the section's and seat's indexes are given apart."""

    code = "layout_document_invalid"
    title = _("The layout could not be read: %(where)s is not valid.")


class LayoutChangedElsewhere(InvalidLayout):
    """The layout was saved by somebody else after this document of it was read."""

    code = "layout_changed_elsewhere"
    status = 409
    title = _(
        "Somebody else saved this layout after you opened it. Reload it to see their changes; "
        "yours are not saved."
    )


class LayoutDocumentTooLarge(InvalidLayout):
    code = "layout_document_too_large"
    status = 413
    title = _("The layout is larger than %(limit)s bytes.")


class NothingToSell(DomainError):
    """Publishing a performance with no seat and no standing place that is not blocked."""

    code = "nothing_to_sell"
    status = 409
    title = _("This performance has no seats or standing places to sell yet.")


class UnpricedSeats(DomainError):
    """Publishing a performance some of whose seats have a ticket type with no price in their
    section; `seats` names a few of them, `count` says how many there are."""

    code = "unpriced_seats"
    status = 409
    title = _(
        "%(count)s seats have a ticket type with no price in their section (%(seats)s): "
        "price it, or change their ticket type, before publishing."
    )


class ChannelNameInvalid(DomainError):
    """House seats are held back for a channel named in a few plain words."""

    code = "channel_name_invalid"
    status = 422
    title = _("Name the channel in at most %(limit)s characters, such as “sponsors” or “press”.")


class ChannelHasNoSeats(DomainError):
    code = "channel_has_no_seats"
    status = 404
    title = _("No seats of this performance are held back for the channel “%(channel)s”.")


class SeatsNotHeldBack(DomainError):
    """The desk asked for seats that are not held back for the channel, or are in a live
    hold or sold already; `seats` are their ids."""

    code = "seats_not_held_back"
    status = 409
    title = _("Some of the chosen seats are not held back for “%(channel)s”, or are taken.")
