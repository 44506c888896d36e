"""Orders, read-only, with their history and three actions: cancel and refund
(orders/cancellation.py), send the tickets again, and revoke the ticket links sent to the
buyer (orders/access.py) — the destructive ones after a confirmation page; moving a ticket to
another seat (ops/admin/order_changes.py); the outbox's mails, read-only."""

from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from ops.admin.catalog import PerformanceFilter, error_message
from ops.admin.order_changes import cancel_tickets_view, confirmation_page, move_ticket_view
from ops.admin.readonly import ReadOnly
from orders.access import resend_tickets, revoke_access_links
from orders.cancellation import cancel_order
from orders.history import describe
from orders.models import Order, OrderEvent, OrderMail, OrderStatus, PaymentAttempt, Ticket


class TicketInline(admin.TabularInline):
    model = Ticket
    fields = ("code", "seat", "ticket_type", "price", "valid")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seat__section", "ticket_type")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(admin.TabularInline):
    model = OrderEvent
    fields = ("at", "actor", "what")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("what"))
    def what(self, event: OrderEvent) -> str:
        return describe(event)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "performance",
        "name",
        "email",
        "total",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status", "desk_method", PerformanceFilter)
    list_select_related = ("performance__event",)
    search_fields = ("name", "email", "=payment_reference", "=tickets__code")
    ordering = ("-created_at",)
    show_full_result_count = False
    fields = (
        "performance",
        "status",
        ("name", "email", "phone"),
        ("total", "currency"),
        "payment_reference",
        "refund_reference",
        ("desk_method", "sold_by", "desk_note"),
        ("created_at", "cancelled_at"),
        "hold",
        "idempotency_key",
        "changes",
    )
    readonly_fields = (
        "performance",
        "status",
        "name",
        "email",
        "phone",
        "total",
        "currency",
        "payment_reference",
        "refund_reference",
        "desk_method",
        "sold_by",
        "desk_note",
        "created_at",
        "cancelled_at",
        "hold",
        "idempotency_key",
        "changes",
    )
    inlines = [TicketInline, HistoryInline]
    actions = ["cancel", "send_tickets_again", "revoke_ticket_links"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("performance__event")

    def get_urls(self):
        move = self.admin_site.admin_view(lambda r, object_id: move_ticket_view(self, r, object_id))
        cancel = self.admin_site.admin_view(
            lambda r, object_id: cancel_tickets_view(self, r, object_id)
        )
        return [
            path("<int:object_id>/move-ticket/", move, name="orders_order_move_ticket"),
            path("<int:object_id>/cancel-tickets/", cancel, name="orders_order_cancel_tickets"),
            *super().get_urls(),
        ]

    @admin.display(description=_("changes"))
    def changes(self, order: Order) -> str:
        if order.status != OrderStatus.PAID:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:orders_order_move_ticket", args=[order.pk]),
            _("Move a ticket to another seat"),
            reverse("admin:orders_order_cancel_tickets", args=[order.pk]),
            _("Cancel some tickets (partial refund)"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # An order is never edited by hand; the change permission only allows the
        # cancel action on the list, so each order's page is a view-only page.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # orders are the record of payments; cancel them instead

    @admin.action(description=_("Cancel selected orders (refund)"), permissions=["change"])
    def cancel(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return confirmation_page(
                self, request, queryset, action="cancel",
                question=_("Cancel and refund these orders?"),
                consequence=_(
                    "Each paid order is refunded in full, its tickets stop opening the door, its "
                    "seats go back on sale, and its buyer is told by e-mail. This cannot be undone."
                ),
            )  # fmt: skip
        cancelled = 0
        for order_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                cancel_order(order_id=order_id, actor=request.user.username)
            except DomainError as error:
                self.message_user(
                    request, f"{_('order')} {order_id}: {error_message(error)}", messages.ERROR
                )
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled and refunded %(count)d order.",
                    "Cancelled and refunded %(count)d orders.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Send the tickets of selected orders again (e-mail)"), permissions=["change"]
    )
    def send_tickets_again(self, request, queryset):
        """A buyer on the phone who cannot find the mail: the tickets, with a new link, go
        again to the order's own address (a cancelled order has none to send)."""
        paid = [
            order_id
            for order_id in queryset.values_list("id", flat=True)
            if resend_tickets(order_id=order_id, actor=request.user.username)
        ]
        self.message_user(
            request,
            ngettext(
                "The tickets of %(count)d order are on their way.",
                "The tickets of %(count)d orders are on their way.",
                len(paid),
            )
            % {"count": len(paid)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Revoke the ticket links of selected orders"), permissions=["change"]
    )
    def revoke_ticket_links(self, request, queryset):
        """A buyer whose mail was forwarded or read by someone else: every link sent so far
        stops opening the order, in every browser that opened one."""
        if request.POST.get("confirmed") != "yes":
            return confirmation_page(
                self, request, queryset, action="revoke_ticket_links",
                question=_("Revoke the ticket links of these orders?"),
                consequence=_(
                    "Every link sent so far stops opening the tickets, in every browser that "
                    "opened one. The buyer can ask for the tickets again from the tickets page."
                ),
            )  # fmt: skip
        revoked = sum(
            revoke_access_links(order_id=order_id, actor=request.user.username)
            for order_id in queryset.values_list("id", flat=True)
        )
        self.message_user(
            request,
            ngettext("Revoked %(count)d ticket link.", "Revoked %(count)d ticket links.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnly):
    """Every payment, as a record: where refunds of payments for lost holds are reported."""

    list_display = (
        "__str__",
        "hold",
        "status",
        "amount",
        "currency",
        "refund_reason",
        "order",
        "created_at",
        "updated_at",
    )
    list_filter = ("status", "refund_reason")
    search_fields = ("=provider_reference", "=refund_reference", "email")
    ordering = ("-created_at",)
    show_full_result_count = False


@admin.register(OrderMail)
class OrderMailAdmin(ReadOnly):
    """The outbox, read-only: what was sent to whom and when, and what is still being tried
    (with the mail server's last answer). Sending is the worker's (orders/outbox.py)."""

    list_display = (
        "created_at", "kind", "order", "payment_attempt", "status", "attempts",
        "next_attempt_at", "sent_at", "last_error",
    )  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("=order__id", "order__email", "payment_attempt__email")
    ordering = ("-created_at",)
    list_select_related = ("order", "payment_attempt")
