"""The box office desk in the organizer's admin: a page per performance with its live seat map,
where staff click seats to hold them for the customer in front of them and sell them (cash,
card terminal, complimentary with a reason); then the tickets printed as PDF or e-mailed, and
the next customer. backoffice/box_office.py does the holding and selling; this module checks
who may and renders; ops/admin/desk_selection.py keeps the desk's hold in the admin's session
and answers the map's requests. Staff need the permission to view the performance and
`orders.sell_at_desk`; anybody else gets 403 (`desk_not_allowed`, saying why).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from backoffice.box_office import (
    Customer,
    DeskPayment,
    sell_at_desk,
)
from backoffice.errors import DeskNotAllowed, DeskNotOnSale
from catalog.buyer_choices import ticket_type_styles
from catalog.models import Performance, SectionKind
from catalog.selectors import published
from catalog.snapshots import price_list
from core.dbtime import db_now
from core.errors import DomainError
from core.localformat import digits, money
from core.problems import error_problem
from core.publish import performance_socket_path
from delivery.documents import tickets_filename, tickets_pdf
from ops.admin.desk_selection import (
    area_request,
    forget_desk_hold,
    seat_request,
    selection_request,
    session_desk_hold,
)
from orders.access import resend_tickets
from orders.history import describe
from orders.models import DeskMethod, Order
from orders.selectors import order_tickets
from reservations.errors import HoldNotFound

DESK_PERMISSION = "orders.sell_at_desk"


def desk_allowed(model_admin, request, performance) -> None:
    if performance is None:
        raise Http404
    if not (
        model_admin.has_view_permission(request, performance)
        and request.user.has_perm(DESK_PERMISSION)
    ):
        raise DeskNotAllowed()


def desk_on_sale(performance) -> bool:
    """Published and within its sales window, by the database's clock: what the sale checks."""
    now = db_now()
    return (
        Performance.objects.filter(pk=performance.pk).filter(published(now)).exists()
        and performance.sales_start <= now < performance.sales_end
    )


def refusing(model_admin, view, *, as_json: bool):
    """The view, answering staff without the desk's permission with 403 and why: as
    problem+json for the map's requests, as an admin page for the pages."""

    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DeskNotAllowed as error:
            if as_json:
                return error_problem(error)
            context = {
                **model_admin.admin_site.each_context(request),
                "title": _("Box office"),
                "message": error.message,
            }
            return TemplateResponse(
                request, "admin/catalog/performance/desk_refused.html", context, status=403
            )

    return answer


# ---- the sale's form ---------------------------------------------------------------------


class DeskSaleForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("payment"), choices=DeskMethod.choices, widget=forms.RadioSelect,
        initial=DeskMethod.CASH,
    )  # fmt: skip
    reference = forms.CharField(
        label=gettext_lazy("card terminal reference (optional)"), max_length=200, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("reason for complimentary tickets"), max_length=200, required=False
    )
    name = forms.CharField(label=gettext_lazy("name (optional)"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("e-mail (optional)"), required=False)
    phone = forms.CharField(label=gettext_lazy("phone (optional)"), max_length=40, required=False)

    def payment(self) -> DeskPayment:
        data = self.cleaned_data
        method = data["method"]
        note = data["reason"] if method == DeskMethod.COMPLIMENTARY else data["reference"]
        return DeskPayment(method, note)

    def customer(self) -> Customer:
        data = self.cleaned_data
        return Customer(data["name"], data["email"], data["phone"], get_language() or "en")


# ---- the pages ---------------------------------------------------------------------------


class BoxOfficePages:
    """PerformanceAdmin's box office: the desk's page, its selection's JSON, the sale's page,
    its PDF and e-mail."""

    def get_urls(self):
        def view(method, *, as_json=False):
            return self.admin_site.admin_view(refusing(self, method, as_json=as_json))

        base = "<path:object_id>/box-office/"
        return [
            path(base, view(self.box_office_view), name="catalog_performance_box_office"),
            path(f"{base}selection/", view(self.desk_selection_view, as_json=True),
                 name="catalog_performance_desk_selection"),
            path(f"{base}selection/seats/<int:seat_id>/", view(self.desk_seat_view, as_json=True),
                 name="catalog_performance_desk_seat"),
            path(f"{base}selection/areas/<int:area_id>/", view(self.desk_area_view, as_json=True),
                 name="catalog_performance_desk_area"),
            path(f"{base}sold/<int:order_id>/", view(self.desk_sold_view),
                 name="catalog_performance_desk_sold"),
            path(f"{base}sold/<int:order_id>/tickets.pdf", view(self.desk_pdf_view),
                 name="catalog_performance_desk_pdf"),
            *super().get_urls(),
        ]  # fmt: skip

    def _desk_performance(self, request, object_id) -> Performance:
        performance = self.get_object(request, unquote(object_id))
        desk_allowed(self, request, performance)
        return performance

    def box_office_view(self, request, object_id):
        performance = self._desk_performance(request, object_id)
        form = DeskSaleForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            held = session_desk_hold(request, performance.pk)
            try:
                if held is None:
                    raise HoldNotFound()
                sale = sell_at_desk(
                    hold=held,
                    payment=form.payment(),
                    customer=form.customer(),
                    actor=request.user.username,
                )
            except DomainError as failure:
                error = failure.message
            else:
                forget_desk_hold(request, performance.pk)
                self.log_addition(
                    request, sale.order, [{"added": {"name": "box office sale", "object": ""}}]
                )
                return HttpResponseRedirect(
                    reverse("admin:catalog_performance_desk_sold",
                            args=[performance.pk, sale.order.pk])
                )  # fmt: skip
        on_sale = desk_on_sale(performance)
        currency = performance.event.currency
        prices = price_list(performance_id=performance.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Box office: %(performance)s") % {"performance": performance},
            "opts": self.opts,
            "original": performance,
            "form": form,
            "error": error,
            "not_on_sale": None if on_sale else DeskNotOnSale().message,
            "config": _map_config(performance),
            "areas": performance.sections.filter(kind=SectionKind.STANDING).order_by("position"),
            "prices": [
                {"section": section, "ticket_type": ticket_type, "price": money(price, currency)}
                for price, section, ticket_type in prices.values()
            ],
        }
        return TemplateResponse(request, "admin/catalog/performance/box_office.html", context)

    def desk_selection_view(self, request, object_id):
        """GET: the desk's selection; DELETE: every seat of it back on sale (next customer)."""
        performance = self._desk_performance(request, object_id)
        return selection_request(request, performance)

    def desk_seat_view(self, request, object_id, seat_id):
        performance = self._desk_performance(request, object_id)
        return seat_request(request, performance, seat_id)

    def desk_area_view(self, request, object_id, area_id):
        performance = self._desk_performance(request, object_id)
        return area_request(request, performance, area_id)

    def _desk_order(self, request, object_id, order_id) -> Order:
        performance = self._desk_performance(request, object_id)
        # The desk's own sales only: a clerk with the desk's permission may not read the
        # buyers' online orders (their names, addresses and ticket codes) by trying ids.
        desk_orders = Order.objects.filter(performance=performance).exclude(desk_method="")
        order = desk_orders.filter(pk=order_id).first()
        if order is None:
            raise Http404
        return order

    def desk_sold_view(self, request, object_id, order_id):
        order = self._desk_order(request, object_id, order_id)
        if request.method == "POST":  # "E-mail the tickets"
            if order.email and resend_tickets(order_id=order.pk, actor=request.user.username):
                self.message_user(
                    request,
                    _("The tickets are on their way to %(email)s.") % {"email": order.email},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, _("This order has no e-mail address to send to."), messages.ERROR
                )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sold: %(order)s") % {"order": order},
            "opts": self.opts,
            "original": order.performance,
            "order": order,
            "method": DeskMethod(order.desk_method).label if order.desk_method else "",
            "total": money(order.total, order.currency),
            "tickets": [
                {
                    "seat": _("%(section)s, row %(row)s, seat %(number)s")
                    % {"section": t.section, "row": t.row, "number": digits(t.number)},
                    "ticket_type": t.ticket_type,
                    "price": money(t.price, order.currency),
                    "code": t.code,
                }
                for t in order_tickets(order=order)
            ],
            "history": [describe(event) for event in order.history.all()],
        }
        return TemplateResponse(request, "admin/catalog/performance/desk_sold.html", context)

    def desk_pdf_view(self, request, object_id, order_id):
        order = self._desk_order(request, object_id, order_id)
        try:
            pdf = tickets_pdf(order_id=order.pk, language=get_language())
        except DomainError as error:
            raise Http404(error.message) from error
        filename = tickets_filename(order_id=order.pk)
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


def _map_config(performance: Performance) -> dict:
    base = reverse("admin:catalog_performance_box_office", args=[performance.pk])
    return {
        "performance": performance.pk,
        "maxSeats": performance.max_seats_per_order,
        "styles": ticket_type_styles(event_id=performance.event_id),
        "sections": list(performance.sections.order_by("position").values("id", "name")),
        "urls": {
            "seats": reverse("api:get_seat_map", kwargs={"performance_id": performance.pk})
            + "?format=columns",
            "selection": f"{base}selection/",
            "socket": performance_socket_path(performance.pk),
        },
        "text": {
            "online": _("Live again."),
            "offline": _("Connection lost: reconnecting…"),
            "taken": _("Somebody else has just taken a seat you chose. Please choose another."),
            "error": _("Something went wrong. Please try again."),
            "expired": _("The desk's hold has expired and its seats were released."),
            "seat": _("%(section)s, row %(row)s, seat %(number)s"),
            "seats_left": _("%(count)s seats left"),
            "status": {
                "available": _("available"),
                "reserved": _("held by someone else"),
                "sold": _("sold"),
                "blocked": _("not for sale"),
                "mine": _("held at the desk"),
            },
        },
        "shapes": performance.shapes,  # the stage and labels, drawn behind the seats
    }
