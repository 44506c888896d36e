"""The admin's pages for changing a paid order (backoffice/order_changes.py does the change):
moving a ticket to another seat, cancelling some of its tickets (after a confirmation that
names them and the refund), and the confirmation asked before a destructive action."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice.order_changes import cancel_tickets, move_ticket, seat_label
from catalog.models import Seat, Section
from core.errors import DomainError
from orders.models import Order, OrderStatus


class MoveTicketForm(forms.Form):
    ticket = forms.TypedChoiceField(label=_("ticket"), coerce=int)
    section = forms.TypedChoiceField(label=_("new section"), coerce=int)
    row = forms.CharField(label=_("new row"), max_length=10)
    number = forms.IntegerField(label=_("new seat number"), min_value=1)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        tickets = order.tickets.filter(valid=True).select_related("seat__section")
        self.fields["ticket"].choices = [
            (t.pk, f"{t.code} — {seat_label(t.seat)}") for t in tickets.order_by("seat_id")
        ]
        sections = Section.objects.filter(performance_id=order.performance_id).order_by("name")
        self.fields["section"].choices = [(s.pk, s.name) for s in sections]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        seat = Seat.objects.filter(
            performance_id=self.order.performance_id,
            section_id=data["section"],
            row=data["row"].strip(),
            number=data["number"],
        ).first()
        if seat is None:
            raise forms.ValidationError(_("The performance has no such seat."))
        data["seat_id"] = seat.pk
        return data


def _order_to_change(model_admin, request, object_id) -> Order:
    order = Order.objects.select_related("performance__event").filter(pk=object_id).first()
    if order is None:
        raise Http404
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    return order


def move_ticket_view(model_admin, request, object_id):
    order = _order_to_change(model_admin, request, object_id)
    form = MoveTicketForm(request.POST or None, order=order)
    if request.method == "POST" and order.status == OrderStatus.PAID and form.is_valid():
        data = form.cleaned_data
        try:
            moved = move_ticket(
                ticket_id=data["ticket"], to_seat_id=data["seat_id"], actor=request.user.username
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(
                request,
                _("Moved: the new ticket %(code)s is for %(seat)s; the buyer is sent the tickets.")
                % {"code": moved.code, "seat": seat_label(moved.seat)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Move a ticket of %(order)s") % {"order": order},
        "opts": model_admin.opts,
        "original": order,
        "form": form,
        "paid": order.status == OrderStatus.PAID,
    }
    return TemplateResponse(request, "admin/orders/order/move_ticket.html", context)


class CancelTicketsForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(
        label=_("tickets to cancel"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        tickets = order.tickets.filter(valid=True).select_related("seat__section")
        self.fields["tickets"].choices = [
            (t.pk, f"{t.code} — {seat_label(t.seat)} — {t.price} {order.currency}")
            for t in tickets.order_by("seat_id")
        ]


def cancel_tickets_view(model_admin, request, object_id):
    order = _order_to_change(model_admin, request, object_id)
    form = CancelTicketsForm(request.POST or None, order=order)
    confirming = False
    if request.method == "POST" and order.status == OrderStatus.PAID and form.is_valid():
        chosen = form.cleaned_data["tickets"]
        if request.POST.get("confirmed") != "yes":
            confirming = True  # the same page again, naming the tickets and the refund
        else:
            try:
                cancel_tickets(order_id=order.pk, ticket_ids=chosen, actor=request.user.username)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                model_admin.message_user(
                    request,
                    _("Cancelled and refunded; the buyer is sent the tickets that remain."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
    chosen_tickets = (
        order.tickets.filter(pk__in=form.cleaned_data["tickets"], valid=True) if confirming else []
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Cancel tickets of %(order)s") % {"order": order},
        "opts": model_admin.opts,
        "original": order,
        "form": form,
        "paid": order.status == OrderStatus.PAID,
        "confirming": confirming,
        "chosen": chosen_tickets,
        "refund": sum(t.price for t in chosen_tickets),
    }
    return TemplateResponse(request, "admin/orders/order/cancel_tickets.html", context)


def confirmation_page(model_admin, request, queryset, *, action: str, question, consequence):
    """The page an action shows before it does anything that cannot be undone: the orders it
    will act on, what will happen, and a button that posts the action again, confirmed."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": question,
        "consequence": consequence,
        "opts": model_admin.opts,
        "orders": queryset.select_related("performance__event").order_by("id"),
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/orders/order/confirm_action.html", context)
