""" "Send me my tickets again": a buyer who lost the e-mail gives its address and the order's
number. The answer is the same whether or not such an order exists, so the form tells nobody
which addresses have orders; the tickets go only to the address the order was made with.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.limits import check_rate, client_address
from orders.access import send_tickets_again

# Persian and Arabic-Indic digits, as a phone's keyboard may type the order's number.
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class LostTicketsForm(forms.Form):
    email = forms.EmailField(label=_("The e-mail address you bought with"))
    order = forms.CharField(label=_("Order number"), max_length=20)

    def clean_order(self):
        number = self.cleaned_data["order"].translate(DIGITS).strip().lstrip("#")
        if not number.isdigit() or not 0 < int(number) < 2**63:
            raise forms.ValidationError(_("An order number is made of digits only."))
        return int(number)


@require_http_methods(["GET", "POST"])
def lost_tickets(request):
    form = LostTicketsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_rate("ticket_requests", client_address(request))
        except DomainError as error:
            messages.error(request, error.message)
            return render(request, "web/lost_tickets.html", {"form": form}, status=429)
        send_tickets_again(email=form.cleaned_data["email"], order_id=form.cleaned_data["order"])
        messages.success(
            request,
            _(
                "If an order with this number was made with this address, its tickets are on"
                " their way to it."
            ),
        )
        return redirect("lost-tickets")
    return render(request, "web/lost_tickets.html", {"form": form})
