"""The seats' admin: the list with each seat's status now, block and unblock, holding back
for a channel (ops/admin/house_seats.py), and editing
a seat's place, label, flags and wheelchair space (through the inventory, the only writer of
seats)."""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.inventory import SeatPlacement
from catalog.models import (
    Performance,
    Seat,
    SeatStatus,
    Section,
    TicketType,
)
from catalog.seat_flags import BIT_OF_FLAG, flags_of_bits
from catalog.selectors import effective_status
from catalog.services import (
    block_seats,
    check_seat_flags,
    edit_seat_layout,
    unblock_seats,
)
from core.errors import DomainError
from ops.admin.catalog import PerformanceFilter, error_message
from ops.admin.house_seats import hold_back_action


class SectionFilter(admin.SimpleListFilter):
    """The sections of the chosen performance, or every section with its performance."""

    title = _("section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        sections = Section.objects.select_related("performance__event")
        performance_id = request.GET.get(PerformanceFilter.parameter_name)
        if performance_id and performance_id.isdigit():
            return [(s.pk, s.name) for s in sections.filter(performance_id=performance_id)]
        return [(s.pk, f"{s.performance} / {s.name}") for s in sections]

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(section_id=self.value())
        return queryset


class EffectiveStatusFilter(admin.SimpleListFilter):
    """Status as buyers see it: a reservation whose hold has expired counts as available."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return SeatStatus.choices

    def queryset(self, request, queryset):
        if self.value() in SeatStatus.values:
            return queryset.filter(effective=self.value())
        return queryset


FLAG_CHOICES = [
    ("wheelchair", _("wheelchair space")),
    ("companion", _("companion seat")),
    ("restricted_view", _("restricted view")),
    ("aisle", _("aisle seat")),
]
assert {flag for flag, _label in FLAG_CHOICES} == set(BIT_OF_FLAG)


class SeatForm(forms.ModelForm):
    """The seat's flags as checkboxes; the rule about companions is the service's."""

    flags = forms.MultipleChoiceField(
        label=_("flags"),
        choices=FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A companion seat names its wheelchair space below."),
    )

    class Meta:
        model = Seat
        fields = ("row", "number", "x", "y", "ticket_type", "companion_of")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["flags"].initial = flags_of_bits(self.instance.flag_bits)

    def clean(self) -> dict:
        cleaned = super().clean()
        space = cleaned.get("companion_of")
        try:
            check_seat_flags(
                seat_id=self.instance.pk,
                flags=cleaned.get("flags", []),
                companion_of_id=space.pk if space else None,
            )
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    form = SeatForm
    raw_id_fields = ("companion_of",)
    list_display = (
        "__str__",
        "performance",
        "section",
        "row",
        "number",
        "ticket_type",
        "seat_flags",
        "seat_status",
        "channel",
        "status",
        "version",
    )
    list_filter = (PerformanceFilter, SectionFilter, EffectiveStatusFilter)
    list_select_related = ("performance__event", "section", "ticket_type", "held_back")
    search_fields = ("=row",)
    search_help_text = _("Row, exactly as printed (A, B, ... AA).")
    ordering = ("id",)
    # 20,000 seats a performance: never COUNT the whole table on each page.
    show_full_result_count = False
    fields = (
        "performance",
        "section",
        ("row", "number"),
        ("x", "y"),
        "ticket_type",
        "flags",
        "companion_of",
        "seat_status",
        "status",
        "hold",
        "hold_expires_at",
        "ticket",
        "version",
    )
    readonly_fields = (
        "performance",
        "section",
        "seat_status",
        "status",
        "hold",
        "hold_expires_at",
        "ticket",
        "version",
    )
    actions = ["block", "unblock", "hold_back"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(effective=effective_status())

    def has_add_permission(self, request):
        return False  # seats are generated per section, never typed one by one

    def save_model(self, request, obj, form, change):
        # Only the inventory writes seat rows; the form may change the layout fields alone.
        edit_seat_layout(
            seat_id=obj.pk,
            placement=SeatPlacement.of(obj),
            flags=form.cleaned_data["flags"],
            companion_of_id=obj.companion_of_id,
        )

    def delete_model(self, request, obj):
        raise PermissionDenied  # a seat leaves a layout with its section, never alone

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        object_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "ticket_type" and object_id:
            # A seat can sell only as a ticket type that has a price in its section.
            kwargs["queryset"] = TicketType.objects.filter(
                prices__section__seats=unquote(object_id)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("flags"))
    def seat_flags(self, obj: Seat) -> str:
        names = dict(FLAG_CHOICES)
        return ", ".join(str(names[flag]) for flag in flags_of_bits(obj.flag_bits))

    @admin.display(description=_("channel"))
    def channel(self, obj: Seat) -> str:
        """The channel the seat is held back for (catalog/house_seats.py), if any."""
        held_back = getattr(obj, "held_back", None)
        return held_back.channel if held_back else "-"

    @admin.display(description=_("status now"), ordering="effective")
    def seat_status(self, obj: Seat) -> str:
        return SeatStatus(obj.effective).label

    @admin.action(description=_("Block selected seats"), permissions=["change"])
    def block(self, request, queryset):
        self._per_performance(
            request,
            queryset,
            block_seats,
            lambda n: ngettext("Blocked %(count)d seat.", "Blocked %(count)d seats.", n),
        )

    @admin.action(description=_("Unblock selected seats"), permissions=["change"])
    def unblock(self, request, queryset):
        self._per_performance(
            request,
            queryset,
            unblock_seats,
            lambda n: ngettext("Unblocked %(count)d seat.", "Unblocked %(count)d seats.", n),
        )

    @admin.action(description=_("Hold back for a channel"), permissions=["change"])
    def hold_back(self, request, queryset):
        return hold_back_action(self, request, queryset)

    def _per_performance(self, request, queryset, service, done) -> None:
        """Call the service once per performance; each call is all or nothing."""
        seats_of = defaultdict(list)
        for performance_id, seat_id in queryset.values_list("performance_id", "id"):
            seats_of[performance_id].append(seat_id)
        changed = 0
        for performance_id, seat_ids in sorted(seats_of.items()):
            try:
                changed += service(performance_id=performance_id, seat_ids=seat_ids)
            except DomainError as error:
                performance = Performance.objects.select_related("event").get(pk=performance_id)
                self.message_user(request, f"{performance}: {error_message(error)}", messages.ERROR)
        if changed:
            self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)
