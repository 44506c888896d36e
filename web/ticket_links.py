"""The page a ticket link opens (/orders/open#<secret>, orders/access.py).

The secret is in the URL's fragment, which the browser keeps to itself: ticket-link.js takes it
out of the address bar at once and posts it here; this view grants the session the order and
redirects to the order's page, so the address bar, the history and every log hold nothing
secret. Without JavaScript the page asks for the secret to be pasted into a form.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.limits import check_rate, client_address
from orders.access import open_access_link
from web.session import remember_order_link


@require_http_methods(["GET", "POST"])
def open_ticket_link(request):
    if request.method == "GET":
        return render(request, "web/ticket_link.html")
    try:
        check_rate("ticket_links", client_address(request))
        order_id, link_id = open_access_link(secret=request.POST.get("secret", "").strip())
    except DomainError as error:
        # Too many tries from this address: keep the secret in the page (never in its address)
        # so the buyer can try again in a moment without the mail.
        retry = request.POST.get("secret", "") if error.status == 429 else ""
        context = {"error": error.message, "not_found": error.status == 404, "retry": retry}
        return render(request, "web/ticket_link.html", context, status=error.status)
    remember_order_link(request, order_id, link_id)
    return redirect("order", order_id=order_id, permanent=False)
