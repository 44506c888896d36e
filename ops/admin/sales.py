"""Sales at a glance and the exports, in the organizer's admin: a page per performance and
per event (linked from their admin pages), and the orders and attendees as CSV or Excel.

The figures come from backoffice/sales.py (aggregates computed by the database) and the files
from ops/export_files.py; this module checks who may see them and renders. Buyers' names,
addresses and the money are behind two permissions: viewing the performance (or event) and
viewing orders.
"""

from tempfile import SpooledTemporaryFile

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from backoffice.sales import event_sales, performance_sales
from catalog.models import Performance
from core.localformat import digits, money, when
from ops.admin.sales_chart import day_label, sales_bars
from ops.export_files import FORMATS, csv_lines, export_filename, write_xlsx
from orders.waiting_list import waiting_counts

ORDERS_PERMISSION = "orders.view_order"


def _allowed(model_admin, request, obj) -> None:
    if obj is None:
        raise Http404
    if not (
        model_admin.has_view_permission(request, obj) and request.user.has_perm(ORDERS_PERMISSION)
    ):
        raise PermissionDenied


class PerformanceSalesPages:
    """PerformanceAdmin's sales page, its export files, and the links to them on its page."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/sales/", view(self.sales_view), name="catalog_performance_sales"
            ),
            path(
                "<path:object_id>/export/<str:file_format>/",
                view(self.export_view),
                name="catalog_performance_export",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("sales"))
    def sales(self, obj: Performance) -> str:
        if obj.pk is None:
            return "-"
        return render_to_string("admin/catalog/sales_links.html", {"links": links(obj.pk)})

    def sales_view(self, request, object_id):
        performance = self.get_object(request, unquote(object_id))
        _allowed(self, request, performance)
        sales = performance_sales(performance_id=performance.pk)
        currency = sales.currency
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sales of %(performance)s") % {"performance": performance},
            "opts": self.opts,
            "original": performance,
            "chart": sales_bars(sales.by_day, currency=currency),
            "days": [
                {"day": day_label(d.day), "tickets": digits(d.tickets), "revenue": money(d.revenue)}
                for d in sales.by_day
            ],
            "prices": [
                {
                    **vars(row),
                    "price": money(row.price),
                    "revenue": money(row.revenue),
                    "refunded_amount": money(row.refunded_amount),
                    **{key: digits(getattr(row, key)) for key in PRICE_COUNTS},
                }
                for row in sales.by_price
            ],
            "totals": {
                "sold": digits(sales.sold),
                "revenue": money(sales.revenue, currency),
                "held": digits(sales.held),
                "admitted": digits(sales.admitted),
            },
            "refunds": {
                "orders": digits(sales.refunds.orders),
                "tickets": digits(sales.refunds.tickets),
                "amount": money(sales.refunds.amount, currency),
                "lost_hold_payments": digits(sales.refunds.lost_hold_payments),
                "lost_hold_amount": money(sales.refunds.lost_hold_amount, currency),
            },
            "channels": [
                {
                    "channel": row.channel,
                    **{key: digits(getattr(row, key)) for key in ("held_back", "at_desk", "sold")},
                }
                for row in sales.channels
            ],
            "currency": currency,
            "links": links(performance.pk),
            # Waiting list (orders/waiting_list.py): its counts, and its entries in the admin.
            "waiting": {
                name: digits(value)
                for name, value in vars(waiting_counts(performance_id=performance.pk)).items()
            },
            "waiting_url": reverse("admin:reservations_waitingentry_changelist")
            + f"?performance={performance.pk}",
        }
        return TemplateResponse(request, "admin/catalog/performance/sales.html", context)

    def export_view(self, request, object_id, file_format):
        performance = self.get_object(request, unquote(object_id))
        _allowed(self, request, performance)
        if file_format not in FORMATS:
            raise Http404
        filename = export_filename(performance, file_format)
        if file_format == "csv":
            response = StreamingHttpResponse(csv_lines(performance), content_type=FORMATS["csv"])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        # A zip file is written at its end (the directory), so the workbook is made whole
        # first, in a temporary file that spills to disk past a few megabytes.
        # FileResponse closes it when the response has been sent.
        file = SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        write_xlsx(performance, file)
        file.seek(0)
        return FileResponse(
            file, as_attachment=True, filename=filename, content_type=FORMATS["xlsx"]
        )


PRICE_COUNTS = ("allocated", "sold", "held", "available", "blocked", "admitted", "refunded")


def links(performance_id: int) -> dict:
    return {
        "sales": reverse("admin:catalog_performance_sales", args=[performance_id]),
        "csv": reverse("admin:catalog_performance_export", args=[performance_id, "csv"]),
        "xlsx": reverse("admin:catalog_performance_export", args=[performance_id, "xlsx"]),
        "box_office": reverse("admin:catalog_performance_box_office", args=[performance_id]),
    }


class EventSalesPages:
    """EventAdmin's sales page: each performance's totals and the event's."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.sales_view)
        return [
            path("<path:object_id>/sales/", view, name="catalog_event_sales"),
            *super().get_urls(),
        ]

    @admin.display(description=_("sales"))
    def sales(self, obj) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:catalog_event_sales", args=[obj.pk])
        return render_to_string("admin/catalog/sales_links.html", {"links": {"sales": url}})

    def sales_view(self, request, object_id):
        event = self.get_object(request, unquote(object_id))
        _allowed(self, request, event)
        sales = event_sales(event_id=event.pk)
        currency = event.currency
        rows = [
            {
                "starts_at": when(row.starts_at),
                "sales_url": reverse("admin:catalog_performance_sales", args=[row.performance_id]),
                "revenue": money(row.revenue, currency),
                "refunded_amount": money(row.refunded_amount, currency),
                **{key: digits(getattr(row, key)) for key in EVENT_COUNTS},
            }
            for row in sales.performances
        ]
        totals = {
            "revenue": money(sales.total("revenue"), currency),
            "refunded_amount": money(sales.total("refunded_amount"), currency),
            **{key: digits(sales.total(key)) for key in EVENT_COUNTS},
        }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sales of %(event)s") % {"event": event},
            "opts": self.opts,
            "original": event,
            "rows": rows,
            "totals": totals,
        }
        return TemplateResponse(request, "admin/catalog/event/sales.html", context)


EVENT_COUNTS = ("sold", "orders", "held", "admitted", "refunded")
