"""Forms of the organizer's admin pages. They only parse what the organizer typed; every rule
about layouts and performances is checked by the services in catalog/services.py."""

import re

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Section, TicketType
from catalog.services import RowRange

# "1-5 VIP", "6 - 20 Normal", or one row: "21 Student". The name may contain spaces.
ROW_RANGE_LINE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s+(\S.*?)\s*$")


class GenerateSeatsForm(forms.Form):
    rows = forms.IntegerField(label=_("Rows"), min_value=1)
    seats_per_row = forms.IntegerField(label=_("Seats per row"), min_value=1)
    row_ranges = forms.CharField(
        label=_("Ticket type of each row range"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40, "placeholder": "1-5 VIP\n6-20 Normal"}),
        help_text=_(
            "One range a line: first row, a dash, last row, then a ticket type name, as in "
            '"1-5 VIP". Rows are counted from 1 (row A); every row needs exactly one range.'
        ),
    )
    origin_x = forms.FloatField(label=_("X of the first seat"), initial=0)
    origin_y = forms.FloatField(label=_("Y of the first row"), initial=0)
    spacing = forms.FloatField(
        label=_("Spacing between seats"),
        initial=1,
        validators=[MinValueValidator(0.01)],
    )

    def __init__(self, *args, section: Section, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.section = section

    def clean_row_ranges(self) -> list[RowRange]:
        ticket_types = {
            t.name: t for t in TicketType.objects.filter(event__performances__sections=self.section)
        }
        by_folded_name = {name.casefold(): t for name, t in ticket_types.items()}
        ranges = []
        errors = []
        for number, line in enumerate(self.cleaned_data["row_ranges"].splitlines(), start=1):
            if not line.strip():
                continue
            match = ROW_RANGE_LINE.match(line)
            if match is None:
                errors.append(
                    _('Line %(line)s: write a range as "first-last ticket type", e.g. "1-5 VIP".')
                    % {"line": number}
                )
                continue
            first, last, name = match.groups()
            ticket_type = ticket_types.get(name) or by_folded_name.get(name.casefold())
            if ticket_type is None:
                errors.append(
                    _(
                        'Line %(line)s: this event has no ticket type "%(name)s" '
                        "(it has: %(names)s)."
                    )
                    % {"line": number, "name": name, "names": ", ".join(sorted(ticket_types))}
                )
                continue
            ranges.append(RowRange(int(first), int(last or first), ticket_type))
        if errors:
            raise forms.ValidationError(errors)
        if not ranges:
            raise forms.ValidationError(_("Give at least one row range."))
        return ranges


class CopyLayoutForm(forms.Form):
    starts_at = forms.SplitDateTimeField(label=_("Starts at"), widget=AdminSplitDateTime)
    sales_start = forms.SplitDateTimeField(label=_("Sales start"), widget=AdminSplitDateTime)
    sales_end = forms.SplitDateTimeField(label=_("Sales end"), widget=AdminSplitDateTime)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Made while the event's zone is active (ops/admin/publishing.py rendered_in_zone).
        zone = {"zone": timezone.get_current_timezone_name()}
        for field in self.fields.values():
            field.help_text = _("In the event's time zone: %(zone)s.") % zone

    def clean(self) -> dict:
        cleaned = super().clean()
        sales_start, sales_end = cleaned.get("sales_start"), cleaned.get("sales_end")
        if sales_start and sales_end and sales_end <= sales_start:
            # The database refuses such a performance (sales_window_ordered); say it here.
            self.add_error("sales_end", _("Sales must end after they start."))
        return cleaned


class ImportPlanForm(forms.Form):
    file = forms.FileField(
        label=_("Seating plan"),
        help_text=_("A pretix seating-plan JSON or a CSV (section, row, number, x, y, "
                    "ticket_type, attributes)."),
    )  # fmt: skip
    prices = forms.CharField(
        label=_("Prices"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "cols": 40, "placeholder": "Normal=40\nBalcony:Normal=25"}
        ),
        help_text=_(
            'One a line: "Ticket type=40" for every section or "Section:Ticket type=40" for one. '
            "Sections and ticket types the layout already prices keep their prices."
        ),
    )
    pixels_per_seat = forms.FloatField(
        label=_("Pixels per seat (pretix)"),
        required=False,
        min_value=0.01,
        help_text=_("How wide a seat is in a pretix plan; empty: its seats' diameter."),
    )
