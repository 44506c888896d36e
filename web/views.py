"""The buyer's pages. They render; the reservation and order services do the work."""

import segno
from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from catalog.buyer_choices import has_wheelchair_spaces, ticket_type_styles
from catalog.models import SectionKind
from catalog.selectors import list_events, priced_capacity
from catalog.snapshots import capacity
from core.errors import DomainError
from core.limits import check_rate, client_address
from core.publish import performance_socket_path
from delivery.documents import tickets_filename, tickets_pdf
from delivery.errors import NoValidTickets
from orders.access import link_is_open
from orders.checkout import checkout as checkout_order
from orders.passes import ticket_pass
from orders.selectors import (
    buyer_hold,
    latest_order_id,
    order_by_id,
    order_tickets,
    owned_order,
)
from reservations.errors import HoldExpired
from reservations.extension import extend_hold, extension_offered
from reservations.waiting_room import room_on
from web.access import access_words
from web.panel import panel_words
from web.payment_pages import (
    buyer_given,
    paid_meanwhile,
    pays_by_redirect,
    send_to_payment_page,
)
from web.selection import current_selection, messages_for_page, performance_or_404
from web.session import (
    checkout_key,
    forget_hold,
    remember_order,
    session_hold,
    session_order_ids,
    session_order_link,
    session_order_token,
)
from web.waiting_list import join_form
from web.waiting_room import must_queue


def home(request):
    return render(request, "web/home.html", {"events": list_events()})


def performance_page(request, performance_id: int):
    performance = performance_or_404(performance_id)
    if must_queue(request, performance_id):
        return redirect("queue", performance_id=performance_id)
    priced = priced_capacity(
        performance=performance, capacity=capacity(performance_id=performance_id)
    )
    here = {"performance_id": performance.pk}
    styles = ticket_type_styles(event_id=performance.event_id)
    # The prices of numbered seats, for best available's ceiling and the price filter.
    seat_prices = sorted({p.price for p in priced if p.section.kind != SectionKind.STANDING})
    wheelchair = has_wheelchair_spaces(performance_id=performance.pk)
    config = {
        "performance": performance.pk,
        "maxSeats": performance.max_seats_per_order,
        "currency": performance.event.currency,
        "prices": [
            {
                "section": p.section.pk,
                "sectionName": p.section.name,
                "ticketType": p.ticket_type_id,
                "ticketTypeName": p.ticket_type_name,
                "price": str(p.price),
                "style": styles.get(p.ticket_type_id, 0),  # one colour and shape per event
            }
            for p in priced
        ],
        "urls": {
            # The seats packed by column and gzipped (seatmap-wire.js reads them).
            "seats": reverse("api:get_seat_map", kwargs=here) + "?format=columns",
            # seatmap.js adds "/seats/<id>" for one seat: the route named "selection-seat".
            "selection": reverse("selection", kwargs=here),
            "checkout": reverse("checkout", kwargs=here),
            "best": reverse("selection-best", kwargs=here),
            "socket": performance_socket_path(performance.pk),
        },
        "messages": messages_for_page(),
        "access": access_words(),
        "panel": panel_words(),
        "shapes": performance.shapes,  # the stage and labels, drawn behind the seats
    }
    # A stage drawn from the layout takes the place of the page's generic one.
    drawn_stage = any(shape.get("kind") == "stage" for shape in performance.shapes)
    areas = list(dict.fromkeys(p.section for p in priced if p.section.kind == SectionKind.STANDING))
    context = {
        "performance": performance,
        "priced": priced,
        "config": config,
        "drawn_stage": drawn_stage,
        "areas": areas,
        "seat_prices": seat_prices,
        "wheelchair": wheelchair,
        "waiting_form": join_form(performance, priced),  # where seats are sold out
    }
    return render(request, "web/performance.html", context)


class TelInput(forms.TextInput):
    input_type = "tel"  # a phone's keypad; Django has no widget of its own for it


class CheckoutForm(forms.Form):
    # Autocomplete hints let the browser fill in what it knows (WHATWG autofill tokens).
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean(self):
        cleaned = super().clean()
        for field in ("name", "phone"):
            if "\x00" in cleaned.get(field, ""):
                self.add_error(field, _("This field contains a character that is not allowed."))
        return cleaned


@require_http_methods(["GET", "POST"])
def checkout(request, performance_id: int):
    performance = performance_or_404(performance_id)
    if pays_by_redirect() and (paid := paid_meanwhile(request, performance_id)) is not None:
        return paid  # back after paying at the provider's page, settled meanwhile
    selection = current_selection(request, performance_id)
    remembered = session_hold(request, performance_id)
    # Seats or standing places (a waiting list's offer may be places alone).
    if not (selection["seats"] or selection.get("areas")) or remembered is None:
        bought = _last_order_here(request, performance_id)
        if request.method == "POST" and bought is not None:
            # The form sent again after it was paid (back, then Pay): show what was bought.
            return redirect("order", order_id=bought)
        if selection.get("expired"):
            messages.error(request, HoldExpired().message)
        else:
            messages.warning(request, _("Choose your seats first."))
        return redirect("performance", performance_id=performance_id)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            try:
                if not room_on(performance_id=performance_id):  # else the pass's limits
                    check_rate("checkouts", client_address(request))
                if pays_by_redirect():
                    return send_to_payment_page(
                        request, performance_id, remembered, buyer=form.cleaned_data
                    )
                key = checkout_key(request, performance_id)
                result = checkout_order(
                    hold_id=remembered.id,
                    token=remembered.token,
                    idempotency_key=key,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    language=get_language(),  # the page's: the mails are written in it
                )
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("checkout", performance_id=performance_id)
            # A new session id with the order: a cookie planted earlier cannot open it.
            remember_order(request, result.order.pk, hold=remembered, idempotency_key=key)
            forget_hold(request, performance_id)
            return redirect("order", order_id=result.order.pk)
    else:
        form = CheckoutForm(initial=buyer_given(request, performance_id))
    summary = buyer_hold(hold_id=remembered.id, token=remembered.token).summary
    context = {
        "performance": performance,
        "form": form,
        "summary": summary,
        "selection": selection,
        "expires_at": selection["expires_at"],
        "server_now": selection["now"],
        "extension_minutes": extension_offered(hold_id=remembered.id),
        "pays_by_redirect": pays_by_redirect(),
    }
    return render(request, "web/checkout.html", context)


@require_http_methods(["POST"])
def extend_checkout(request, performance_id: int):
    """The payment step's "more time": once per hold, before it expires (the service
    decides); back to the payment step with its new countdown, or with the refusal."""
    performance_or_404(performance_id)
    remembered = session_hold(request, performance_id)
    if remembered is not None:
        try:
            extend_hold(hold_id=remembered.id, token=remembered.token)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You have more time: the countdown shows how much."))
    return redirect("checkout", performance_id=performance_id)


def _last_order_here(request, performance_id: int) -> int | None:
    """The newest order this browser bought for the performance, if any."""
    ids = session_order_ids(request)
    return latest_order_id(order_ids=ids, performance_id=performance_id) if ids else None


def browser_order(request, order_id: int):
    """The order, if this browser may see it: it bought it (its session derives the order's
    token; the token is never in a URL), or a ticket link of the order, not revoked since,
    was opened in it. Http404 otherwise."""
    try:
        link_id = session_order_link(request, order_id)
        if link_id is not None and link_is_open(link_id=link_id, order_id=order_id):
            return order_by_id(order_id=order_id)
        return owned_order(order_id=order_id, token=session_order_token(request, order_id))
    except DomainError:
        raise Http404 from None


def order_page(request, order_id: int):
    """The order and its tickets, for a browser that may see them (browser_order)."""
    order = browser_order(request, order_id)
    tickets = [
        {
            "ticket": ticket,
            "qr": segno.make(
                ticket_pass(performance_id=order.performance_id, code=ticket.code), error="m"
            ).svg_inline(scale=3, border=2),
        }
        for ticket in order_tickets(order=order)
    ]
    has_valid_tickets = any(item["ticket"].valid for item in tickets)
    context = {"order": order, "tickets": tickets, "has_valid_tickets": has_valid_tickets}
    return render(request, "web/order.html", context)


def order_tickets_pdf(request, order_id: int):
    """The order's tickets as a PDF to print, for a browser that may see them, in the page's
    language. A cancelled order has none: back to the order page, which says why."""
    order = browser_order(request, order_id)
    try:
        pdf = tickets_pdf(order_id=order.pk, language=get_language())
    except NoValidTickets as error:
        messages.error(request, error.message)
        return redirect("order", order_id=order.pk)
    filename = tickets_filename(order_id=order.pk)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
