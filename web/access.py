"""The words of the seat map's accessible seats (web/static/web/seatmap-access.js), in the
page's language: each flag's name, as its mark's legend and in each seat's aria-label."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def access_words() -> dict:
    return {
        "flags": {
            "wheelchair": _("wheelchair space"),
            "companion": _("companion seat"),
            "restricted_view": _("restricted view"),
            "aisle": _("aisle seat"),
        },
        "filter": _("Wheelchair spaces"),
        # Between the seat's label and each attribute, as the label's own parts are joined.
        "separator": pgettext("between the parts of a seat's label", ", "),
    }
