"""The waiting list's entries, read-only (orders/waiting_list.py writes them), searchable by
address, with one action: taking entries off the list, after a confirmation that names them
(an entry with seats offered gives them back, to the next entry)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ops.admin.catalog import PerformanceFilter
from orders.waiting_list import remove_entry
from reservations.models import ON_THE_LIST, WaitingEntry


@admin.register(WaitingEntry)
class WaitingEntryAdmin(admin.ModelAdmin):
    list_display = (
        "email", "performance", "kind", "quantity", "status", "created_at", "offered_seats",
        "offered_at", "ended_at",
    )  # fmt: skip
    list_filter = (PerformanceFilter, "status")
    list_select_related = ("performance__event", "section", "ticket_type")
    search_fields = ("email",)
    ordering = ("performance_id", "created_at", "id")
    show_full_result_count = False
    fields = (
        "performance", "email", "kind", "quantity", "language", "status", "created_at",
        "hold", "offered_at", "offered_seats", "ended_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("remove_from_list",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_remove_permission(self, request) -> bool:
        """Staff allowed to change entries may take them off (nobody edits one by hand)."""
        return request.user.has_perm("reservations.change_waitingentry")

    @admin.display(description=_("which seats"))
    def kind(self, obj: WaitingEntry) -> str:
        if obj.section_id is None:
            return str(_("Any seat"))
        return f"{obj.section.name} · {obj.ticket_type.name}"

    @admin.action(description=_("Remove from the waiting list"), permissions=["remove"])
    def remove_from_list(self, request, queryset):
        entries = list(queryset.filter(status__in=ON_THE_LIST).select_related("performance"))
        if request.POST.get("confirmed") == "yes":
            removed = sum(remove_entry(entry_id=entry.pk) for entry in entries)
            self.message_user(
                request,
                ngettext(
                    "%(count)d entry taken off the waiting list.",
                    "%(count)d entries taken off the waiting list.",
                    removed,
                )
                % {"count": removed},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Remove from the waiting list?"),
            "opts": self.opts,
            "entries": entries,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reservations/remove_waiting_entries.html", context)
