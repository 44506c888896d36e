"""The door in the admin: check-in devices (made with a token shown once, revoked with an
action), check-ins and the conflicts offline scanning left, read-only. Devices are made and
revoked through checkin/devices.py; check-ins are written only by checkin/services.py."""

import segno
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Performance
from checkin.devices import create_device, revoke_devices
from checkin.models import CheckIn, CheckinConflict, CheckinDevice
from ops.admin.catalog import PerformanceFilter
from ops.admin.readonly import ReadOnly


@admin.register(CheckinDevice)
class CheckinDeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "served", "created_at", "revoked_at", "checkin_count")
    search_fields = ("name",)
    ordering = ("-created_at",)
    filter_horizontal = ("performances",)
    actions = ["revoke"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(checkin_count=Count("checkins", distinct=True))
            .prefetch_related("performances__event")
        )

    def get_fields(self, request, obj=None):
        return ("name", "performances") if obj is None else self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The performances a device serves are fixed with its token: revoke it and make a
        # new one rather than widening what a token already handed out opens.
        return () if obj is None else ("name", "served", "created_at", "revoked_at")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "performances":
            kwargs["queryset"] = Performance.objects.select_related("event")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        made = create_device(
            name=obj.name, performance_ids=[p.pk for p in form.cleaned_data["performances"]]
        )
        obj.pk, obj.token_hash, obj.created_at = made.device.pk, "", made.device.created_at
        obj._state.adding = False
        request.checkin_device_token = made.token

    def save_related(self, request, form, formsets, change):
        pass  # create_device set the performances

    def response_add(self, request, obj, post_url_continue=None):
        """The token, this once, with a QR code that opens the scanner with it."""
        scanner = request.build_absolute_uri(reverse("checkin"))
        token = request.checkin_device_token
        context = {
            **self.admin_site.each_context(request),
            "title": _("The token of %(device)s") % {"device": obj.name},
            "opts": self.opts,
            "device": obj,
            "token": token,
            "scanner_url": scanner,
            "qr": segno.make(f"{scanner}#token={token}", error="m").svg_inline(scale=4),
        }
        return TemplateResponse(request, "admin/checkin/checkindevice/token.html", context)

    def has_delete_permission(self, request, obj=None):
        return False  # its check-ins name it; revoke it instead

    @admin.display(description=_("performances"))
    def served(self, obj: CheckinDevice) -> str:
        return ", ".join(str(p) for p in obj.performances.all())

    @admin.display(description=_("check-ins"), ordering="checkin_count")
    def checkin_count(self, obj: CheckinDevice) -> int:
        return obj.checkin_count

    @admin.action(description=_("Revoke selected devices"), permissions=["change"])
    def revoke(self, request, queryset):
        count = revoke_devices(device_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("Revoked %(count)d device.", "Revoked %(count)d devices.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class TicketPerformanceFilter(PerformanceFilter):
    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(ticket__order__performance_id=self.value())
        return queryset


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly):
    list_display = ("ticket", "seat", "device", "scanned_at", "offline", "recorded_at")
    list_filter = (TicketPerformanceFilter, "offline", "device")
    list_select_related = ("ticket__seat__section", "device")
    search_fields = ("=ticket__code",)
    ordering = ("-scanned_at",)
    show_full_result_count = False

    @admin.display(description=_("seat"))
    def seat(self, obj: CheckIn) -> str:
        seat = obj.ticket.seat
        return f"{seat.section} {seat.row}{seat.number}"


@admin.register(CheckinConflict)
class CheckinConflictAdmin(ReadOnly):
    """What offline scanning let through: shown so that the organizer can follow it up."""

    list_display = (
        "kind", "ticket", "seat", "device", "scanned_at", "offline", "checked_in", "recorded_at",
    )  # fmt: skip
    list_filter = (PerformanceFilter, "kind", "device")
    list_select_related = ("ticket__seat__section", "ticket__checkin__device", "device")
    search_fields = ("=ticket__code",)
    ordering = ("-recorded_at",)

    @admin.display(description=_("seat"))
    def seat(self, obj: CheckinConflict) -> str:
        seat = obj.ticket.seat
        return f"{seat.section} {seat.row}{seat.number}"

    @admin.display(description=_("the ticket's check-in"))
    def checked_in(self, obj: CheckinConflict) -> str:
        checkin = getattr(obj.ticket, "checkin", None)
        if checkin is None:
            return "-"
        return f"{checkin.device} · {checkin.scanned_at:%Y-%m-%d %H:%M:%S}"
