"""Venue layouts in the organizer's admin: read and edit them, open them in the designer
(ops/designer.py), make a performance from one through catalog/layouts.py, and export or
import its seating plan as a file (ops/admin/plan_files.py)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.layout_copies import create_performance_from_layout
from catalog.models import LayoutSeat, LayoutSection, LayoutSectionPrice, LayoutShape, VenueLayout
from core.dbtime import db_now
from core.errors import DomainError
from ops.admin.catalog import error_message
from ops.admin.forms import CopyLayoutForm
from ops.admin.plan_files import plan_file_urls
from ops.admin.publishing import rendered_in_zone


class LayoutSectionInline(admin.TabularInline):
    model = LayoutSection
    fields = ("name", "position", "offset_x", "offset_y", "rotation")
    extra = 0
    show_change_link = True


class LayoutShapeInline(admin.TabularInline):
    model = LayoutShape
    fields = ("kind", "text", "geometry")
    extra = 0


@admin.register(VenueLayout)
class VenueLayoutAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "seat_count", "designer_link")
    readonly_fields = ("designer_link", "plan_files")
    list_select_related = ("event",)
    list_filter = ("event",)
    search_fields = ("name", "event__name")
    inlines = [LayoutSectionInline, LayoutShapeInline]
    actions = ["create_performance"]

    def get_urls(self):
        return plan_file_urls(self) + super().get_urls()

    @admin.display(description=_("seating plan"))
    def plan_files(self, obj: VenueLayout | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        links = [
            ("admin:catalog_venuelayout_export_pretix", _("Export as pretix JSON")),
            ("admin:catalog_venuelayout_export_csv", _("Export as CSV")),
            ("admin:catalog_venuelayout_import_plan", _("Import plan")),
        ]
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)),
            *(part for name, label in links for part in (reverse(name, args=[obj.pk]), label)),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(seat_total=Count("sections__seats"))

    @admin.display(description=_("seats"), ordering="seat_total")
    def seat_count(self, obj: VenueLayout) -> int:
        return obj.seat_total

    @admin.display(description=_("designer"))
    def designer_link(self, obj: VenueLayout) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("designer", kwargs={"layout_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Open in the designer"))

    @admin.action(description=_("Create a performance from this layout"), permissions=["add"])
    def create_performance(self, request, queryset):
        if len(selected := list(queryset.select_related("event")[:2])) != 1:
            self.message_user(request, _("Choose exactly one layout."), messages.ERROR)
            return None
        layout = selected[0]
        # The new performance's times are typed in its event's zone.
        return rendered_in_zone(
            layout.event.time_zone, lambda: self._create_performance(request, layout)
        )

    def _create_performance(self, request, layout: VenueLayout):
        if "apply" in request.POST:
            form = CopyLayoutForm(request.POST)
            if form.is_valid():
                try:
                    performance = create_performance_from_layout(layout=layout, **form.cleaned_data)
                except DomainError as error:
                    self.message_user(request, error_message(error), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("Created %(performance)s from the layout %(layout)s.")
                        % {"performance": performance, "layout": layout},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:catalog_performance_change", args=[performance.pk])
                    )
        else:
            month = db_now() + timedelta(days=30)
            form = CopyLayoutForm(
                initial={"starts_at": month, "sales_start": db_now(), "sales_end": month}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("A performance from %(layout)s") % {"layout": layout},
            "opts": self.opts,
            "original": layout,
            "action": "create_performance",
            "form": form,
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/catalog/venuelayout/create_performance.html", context
        )


class LayoutSectionPriceInline(admin.TabularInline):
    model = LayoutSectionPrice
    extra = 0


@admin.register(LayoutSection)
class LayoutSectionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "layout",
        "kind",
        "capacity",
        "position",
        "offset_x",
        "offset_y",
        "rotation",
    )
    list_select_related = ("layout",)
    list_filter = ("layout",)
    inlines = [LayoutSectionPriceInline]


@admin.register(LayoutSeat)
class LayoutSeatAdmin(admin.ModelAdmin):
    """Seats one by one, to mend a label or a flag; whole rows are laid out by the specs."""

    list_display = (
        "section",
        "row",
        "number",
        "x",
        "y",
        "ticket_type",
        "blocked",
        "flags",
        "companion_of",
    )
    list_select_related = ("section__layout", "ticket_type")
    list_filter = ("section__layout", "blocked")
    list_per_page = 200
    search_fields = ("row",)
