"""The words of the panel around the seat map (web/static/web/seatmap-panel.js and
seatmap-basket.js), in the page's language: best available, the filters and the basket."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalog.errors import InvalidSeatChoice


def panel_words() -> dict:
    return {
        "held_best": _("%(count)s seats held for you: %(seats)s"),
        "row_seats": _("%(section)s, row %(row)s, seats %(numbers)s"),
        "rows_separator": pgettext("between the rows of a list of seats", "; "),
        "quantity_invalid": str(InvalidSeatChoice.title),
        "released_all": _("Everything is given back."),
        "seat_name": _("%(section)s, row %(row)s, seat %(number)s"),
        "seat_line": _("%(seat)s · %(ticket_type)s · %(price)s"),
        "area_line": _("%(name)s × %(quantity)s"),
    }
