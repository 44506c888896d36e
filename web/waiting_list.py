"""The buyer's side of the waiting list (orders/waiting_list.py): the form the performance
page shows where seats are sold out, and the page an offer's mail links to.

The offer's secret is in the link's fragment, which the browser never sends to a server;
waiting-list-offer.js takes it out of the address bar and posts it at once (as the ticket
links do, web/ticket_links.py). Accepting grants this browser's session the offer's hold,
with the secret as the seed its token is derived from (web/session.py), and opens the
ordinary checkout page; declining passes the seats to the next entry."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from catalog.selectors import PriceCapacity
from core.errors import DomainError
from core.limits import check_rate, client_address
from orders.waiting_list import decline_offer, join_waiting_list, open_offer
from web.pages import performance_or_404
from web.session import SessionHold, remember_hold

ANY = "any"


def sold_out_choices(priced: list[PriceCapacity]) -> list[tuple[str, str]]:
    """What the join form offers: each sold-out section x ticket type, and "any seat" when
    everything is; empty while every kind has seats (then the form is not shown)."""
    sold_out = [p for p in priced if p.capacity.available == 0]
    choices = [
        (f"{p.section.pk}-{p.ticket_type_id}", f"{p.section.name} · {p.ticket_type_name}")
        for p in sold_out
    ]
    if priced and len(sold_out) == len(priced):
        choices.insert(0, (ANY, str(_("Any seat"))))
    return choices


class JoinForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    quantity = forms.IntegerField(label=_("How many seats"), min_value=1)
    kind = forms.ChoiceField(label=_("Which seats"))

    def __init__(self, *args, choices: list[tuple[str, str]], limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices
        self.fields["quantity"].max_value = limit
        self.fields["quantity"].widget.attrs.update(
            {"max": limit, "inputmode": "numeric", "value": 1}
        )


def join_form(performance, priced: list[PriceCapacity]) -> JoinForm | None:
    choices = sold_out_choices(priced)
    if not choices:
        return None
    return JoinForm(choices=choices, limit=performance.max_seats_per_order, auto_id="waiting-%s")


@require_http_methods(["POST"])
def join(request, performance_id: int):
    """The performance page's join form: on the list (or the entry updated), or the reason
    why not, back on the performance page."""
    performance = performance_or_404(performance_id)
    kind = request.POST.get("kind", "")
    form = JoinForm(request.POST, choices=[(kind, kind)], limit=performance.max_seats_per_order)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("performance", performance_id=performance_id)
    section_id = ticket_type_id = None
    if kind != ANY:
        try:
            section_id, ticket_type_id = (int(part) for part in kind.split("-"))
        except ValueError:
            section_id = ticket_type_id = 0  # refused by the service as an unknown choice
    try:
        check_rate("waiting_list_joins", client_address(request))
        joined = join_waiting_list(
            performance_id=performance_id,
            email=form.cleaned_data["email"],
            quantity=form.cleaned_data["quantity"],
            section_id=section_id,
            ticket_type_id=ticket_type_id,
            language=get_language(),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if joined.created:
            messages.success(
                request, _("You are on the waiting list. We will e-mail you when seats come free.")
            )
        else:
            messages.success(
                request, _("Your place on the waiting list is kept, with your changes.")
            )
    return redirect("performance", performance_id=performance_id)


@require_http_methods(["GET", "POST"])
def offer(request):
    """The offer mail's link: the page posts the fragment's secret at once; accepting opens the
    hold's checkout in this browser, declining passes the seats on."""
    decline = request.GET.get("decline") == "1"
    if request.method == "GET":
        return render(request, "web/waiting_offer.html", {"decline": decline})
    secret = request.POST.get("secret", "").strip()
    try:
        check_rate("ticket_links", client_address(request))
        if request.POST.get("action") == "decline":
            performance_id = decline_offer(secret=secret)
            messages.success(request, _("The seats were passed to the next on the list."))
            return redirect("performance", performance_id=performance_id)
        found = open_offer(secret=secret)
    except DomainError as error:
        context = {"error": error.message, "decline": decline}
        return render(request, "web/waiting_offer.html", context, status=error.status)
    if decline:  # asked to pass: confirm, with the secret kept in the page, not its address
        return render(request, "web/waiting_offer.html", {"confirm_decline": secret})
    remember_hold(request, found.performance_id, SessionHold(id=found.hold_id, seed=found.secret))
    return redirect("checkout", performance_id=found.performance_id)
