"""The organizer's admin: events, performances, sections, prices and seats.

Every change of state goes through catalog/services.py and every capacity figure comes from
catalog/selectors.py; this module only shows them and turns domain errors into messages.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.layout_copies import copy_performance_layout
from catalog.models import (
    Event,
    Performance,
    Section,
    SectionTicketType,
    TicketType,
)
from catalog.selectors import priced_capacity
from catalog.services import generate_section_seats
from core.errors import DomainError
from ops.admin.box_office import BoxOfficePages
from ops.admin.channel_sale import ChannelSalePages
from ops.admin.door_counts import door_table
from ops.admin.forms import CopyLayoutForm, GenerateSeatsForm
from ops.admin.house_seats import HouseSeatsPages
from ops.admin.publishing import PublishingAdminMixin, local_time, rendered_in_zone
from ops.admin.sales import EventSalesPages, PerformanceSalesPages


def error_message(error: DomainError) -> str:
    """The error's message, naming the seats it is about when it names any."""
    seats = error.details.get("seats")
    if not seats:
        return error.message
    shown = ", ".join(str(seat) for seat in seats[:20]) + (" …" if len(seats) > 20 else "")
    return f"{error.message} ({_('seats')}: {shown})"


CAPACITY_FIGURES = ("allocated", "available", "reserved", "sold", "blocked")


def capacity_table(performance: Performance, *, section: Section | None = None) -> str:
    """Each price of the performance with its live capacity, from one grouped query."""
    rows = [
        {**vars(row), "figures": [getattr(row.capacity, f) for f in CAPACITY_FIGURES]}
        for row in priced_capacity(performance=performance)
        if section is None or row.section.pk == section.pk
    ]
    totals = [sum(row["figures"][i] for row in rows) for i in range(len(CAPACITY_FIGURES))]
    context = {"rows": rows, "totals": totals, "currency": performance.event.currency}
    return render_to_string("admin/catalog/capacity_table.html", context)


class PerformanceFilter(admin.SimpleListFilter):
    """Performances named with their event, read in one query (the stock related filter
    would read each performance's event one by one)."""

    title = _("performance")
    parameter_name = "performance"

    def lookups(self, request, model_admin):
        return [(p.pk, str(p)) for p in Performance.objects.select_related("event")]

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(performance_id=self.value())
        return queryset


class TicketTypeInline(admin.TabularInline):
    model = TicketType
    extra = 1


@admin.register(Event)
class EventAdmin(EventSalesPages, admin.ModelAdmin):
    list_display = ("name", "venue", "currency", "time_zone")
    readonly_fields = ("sales",)
    search_fields = ("name", "venue")
    inlines = [TicketTypeInline]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("name", "position")
    extra = 1
    show_change_link = True


@admin.register(Performance)
class PerformanceAdmin(
    PublishingAdminMixin,
    PerformanceSalesPages,
    BoxOfficePages,
    HouseSeatsPages,
    ChannelSalePages,
    admin.ModelAdmin,
):
    list_display = ("__str__", "event", "sales_opens", "published")
    list_filter = ("event",)
    list_select_related = ("event",)
    date_hierarchy = "starts_at"
    inlines = [SectionInline]
    # Published only through the publish action, which checks there is something to sell.
    readonly_fields = ("capacity", "house_seats", "door", "sales", "published_at")
    actions = ["copy_layout", "publish"]
    fieldsets = [
        (
            None,
            {
                "fields": (
                    "event",
                    "starts_at",
                    ("sales_start", "sales_end"),
                    "published_at",
                    ("hold_minutes", "hold_extension_minutes", "max_seats_per_order"),
                    "payment_page_minutes",
                    "refuse_single_seat_gaps",
                    "companions_sell_alone",
                )
            },
        ),
        (
            _("Waiting room"),
            {
                "fields": ("waiting_room", ("waiting_room_rate", "waiting_room_threshold")),
                "description": _(
                    "It opens when the sale starts. With 0 admissions per minute, Sandali "
                    "lets in SANDALI_WAITING_ROOM_RATE buyers a minute (3600 unless set)."
                ),
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [
            *self.fieldsets,
            (_("Capacity"), {"fields": ("capacity",)}),
            (_("House seats"), {"fields": ("house_seats",)}),
            (_("At the door"), {"fields": ("door",)}),
            (_("Sales"), {"fields": ("sales",)}),
        ]

    @admin.display(description=_("capacity"))
    def capacity(self, obj: Performance) -> str:
        return capacity_table(obj)

    @admin.display(description=_("check-ins"))
    def door(self, obj: Performance) -> str:
        return door_table(obj)

    @admin.display(description=_("sales start"), ordering="sales_start")
    def sales_opens(self, obj: Performance) -> str:
        return local_time(obj.sales_start, obj.event.time_zone)

    @admin.display(description=_("published"), ordering="published_at")
    def published(self, obj: Performance) -> str:
        return self.publication(obj)

    @admin.action(description=_("Copy layout to a new performance"), permissions=["add"])
    def copy_layout(self, request, queryset):
        if len(selected := list(queryset.select_related("event")[:2])) == 1:
            # The copy's times are typed, and the original's shown, in the event's zone.
            zone = selected[0].event.time_zone
            return rendered_in_zone(zone, lambda: self._copy_layout(request, queryset))
        return self._copy_layout(request, queryset)

    def _copy_layout(self, request, queryset):
        if len(selected := list(queryset.select_related("event")[:2])) != 1:
            self.message_user(request, _("Choose exactly one performance to copy."), messages.ERROR)
            return None
        performance = selected[0]
        if "apply" in request.POST:
            form = CopyLayoutForm(request.POST)
            if form.is_valid():
                try:
                    copy = copy_performance_layout(performance=performance, **form.cleaned_data)
                except DomainError as error:
                    self.message_user(request, error_message(error), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _(
                            "Created %(copy)s with the layout of %(original)s: its blocked seats"
                            " blocked, every other seat free."
                        )
                        % {"copy": copy, "original": performance},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:catalog_performance_change", args=[copy.pk])
                    )
        else:
            week = timedelta(days=7)
            form = CopyLayoutForm(
                initial={
                    "starts_at": performance.starts_at + week,
                    "sales_start": performance.sales_start + week,
                    "sales_end": performance.sales_end + week,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy the layout of %(performance)s") % {"performance": performance},
            "opts": self.opts,
            "original": performance,
            "action": "copy_layout",
            "form": form,
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/performance/copy_layout.html", context)


class SectionTicketTypeInline(admin.TabularInline):
    model = SectionTicketType
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        object_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "ticket_type" and object_id:
            # Only the ticket types of this section's event can be priced here.
            kwargs["queryset"] = TicketType.objects.filter(
                event__performances__sections=unquote(object_id)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "performance", "kind", "position")
    list_filter = (PerformanceFilter,)
    list_select_related = ("performance__event",)
    search_fields = ("name",)
    fields = ("performance", "name", "position", "capacity")
    inlines = [SectionTicketTypeInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "performance":
            kwargs["queryset"] = Performance.objects.select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("capacity"))
    def capacity(self, obj: Section) -> str:
        if obj.pk is None:
            return "-"
        seats = reverse("admin:catalog_seat_changelist")
        return format_html(
            '{}<p><a href="{}?performance={}&amp;section={}">{}</a></p>',
            capacity_table(obj.performance, section=obj),
            seats,
            obj.performance_id,
            obj.pk,
            _("Show the seats of this section"),
        )

    def get_urls(self):
        generate = self.admin_site.admin_view(self.generate_seats_view)
        return [
            path(
                "<path:object_id>/generate-seats/",
                generate,
                name="catalog_section_generate_seats",
            ),
            *super().get_urls(),
        ]

    def generate_seats_view(self, request, object_id):
        section = self.get_object(request, unquote(object_id))
        if section is None:
            raise Http404
        if not self.has_change_permission(request, section):
            raise PermissionDenied
        if request.method == "POST":
            form = GenerateSeatsForm(request.POST, section=section)
            if form.is_valid():
                try:
                    # The form's fields are the service's arguments, row ranges parsed.
                    count = generate_section_seats(section=section, **form.cleaned_data)
                except DomainError as error:
                    self.message_user(request, error_message(error), messages.ERROR)
                except IntegrityError:
                    # The service creates the seats in one transaction, so none was kept.
                    self.message_user(
                        request,
                        _("This section already has seats at some of these places."),
                        messages.ERROR,
                    )
                else:
                    self.message_user(
                        request,
                        ngettext("Created %(count)d seat.", "Created %(count)d seats.", count)
                        % {"count": count},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:catalog_section_change", args=[section.pk])
                    )
        else:
            form = GenerateSeatsForm(section=section)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Generate the seats of %(section)s") % {"section": section},
            "opts": self.opts,
            "original": section,
            "form": form,
            "prices": section.prices.select_related("ticket_type").order_by("ticket_type__name"),
            "currency": section.performance.event.currency,
        }
        return TemplateResponse(request, "admin/catalog/section/generate_seats.html", context)

    def get_queryset(self, request):
        # The capacity panel and the page titles name the performance and its event.
        return super().get_queryset(request).select_related("performance__event")

    def get_readonly_fields(self, request, obj=None):
        # Its seats belong to its performance: a section never moves to another one.
        return ("performance", "capacity") if obj else ("capacity",)
