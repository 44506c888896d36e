"""Holds, read-only: they are made and released by buyers, through reservations/services.py."""

from django.contrib import admin
from django.db.models import BooleanField, Case, Value, When
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import Seat
from core.dbtime import DbNow
from ops.admin.catalog import PerformanceFilter
from reservations.models import Hold


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("__str__", "performance", "created_at", "expires_at", "expired")
    list_filter = (PerformanceFilter,)
    list_select_related = ("performance__event",)
    ordering = ("-created_at",)
    show_full_result_count = False
    fields = ("performance", "created_at", "expires_at", "expired", "seats")
    readonly_fields = fields

    def get_queryset(self, request):
        # Expired by the database's clock, like every other reader (DESIGN.md principle 3).
        expired = Case(
            When(expires_at__lte=DbNow(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        return (
            super()
            .get_queryset(request)
            .annotate(is_expired=expired)
            .select_related("performance__event")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("expired"), boolean=True, ordering="expires_at")
    def expired(self, obj: Hold) -> bool:
        return obj.is_expired

    @admin.display(description=_("seats"))
    def seats(self, obj: Hold) -> str:
        # Which seats a hold has is told by the seats; a sold seat no longer names its hold.
        held = Seat.objects.filter(hold=obj).select_related("section").order_by("id")
        return (
            format_html_join(", ", "{} ({})", ((seat, seat.get_status_display()) for seat in held))
            or "-"
        )
