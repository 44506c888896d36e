"""Visits to the provider's hosted page (orders/redirect.py), read-only: where a payment made
after its try had ended, and refunded, is reported (late refund reference), and when the
sweeper closed the visit at the provider (orders/visit_closing.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ops.admin.readonly import ReadOnly
from orders.models import GatewayVisit


class LateRefundFilter(admin.SimpleListFilter):
    title = _("refund reference")
    parameter_name = "late_refund"

    def lookups(self, request, model_admin):
        return [("yes", _("refunded late payments"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(late_refund_reference="")
        return queryset


@admin.register(GatewayVisit)
class GatewayVisitAdmin(ReadOnly):
    list_display = (
        "reference", "attempt", "tries", "until", "late_refund_reference", "closed_at",
        "created_at",
    )  # fmt: skip
    list_filter = (LateRefundFilter,)
    search_fields = ("=reference", "=late_refund_reference", "attempt__email")
    ordering = ("-created_at",)
    list_select_related = ("attempt",)
    show_full_result_count = False
