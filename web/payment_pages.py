"""The buyer's side of paying at the provider's hosted page (orders/redirect.py): sending the
buyer there, their return, the provider's webhook, and the test provider's own page.

The return URL carries nothing: the session says whose hold and which checkout it is, and the
provider is asked how the payment went. Anybody may load another buyer's return URL; it can
only make Sandali ask the provider about this browser's own checkout, and never shows or grants
another buyer's order (the order's token is derived from the session's own hold and key).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.problems import error_problem
from orders.checkout import CheckoutResult
from orders.errors import PaymentDeclined, PaymentNotFinished
from orders.redirect import (
    buyer_of_checkout,
    receive_webhook,
    return_from_page,
    start_payment,
)
from payments import test_gateway
from payments.providers import (
    PaymentProviderUnavailable,
    TestPaymentProvider,
    WebhookRefused,
    payment_provider,
)
from web.session import (
    SessionHold,
    checkout_key,
    existing_checkout_key,
    forget_hold,
    remember_order,
    session_hold,
)


def pays_by_redirect() -> bool:
    """The page sends its buyer to the provider's page when the provider has one."""
    return settings.SANDALI_PAYMENT_REDIRECT and hasattr(payment_provider(), "start")


def send_to_payment_page(request, performance_id: int, hold: SessionHold, buyer: dict):
    """Start (or resume) the payment at the provider's page: a redirect there, or to the order
    if it was paid meanwhile. Raises what checkout raises."""
    key = checkout_key(request, performance_id)
    page = start_payment(
        hold_id=hold.id,
        token=hold.token,
        idempotency_key=key,
        return_url=request.build_absolute_uri(
            reverse("checkout-return", kwargs={"performance_id": performance_id})
        ),
        webhook_url=request.build_absolute_uri(reverse("payment-webhook")),
        language=translation.get_language(),
        **buyer,
    )
    if page.url is not None:
        return redirect(page.url)
    return _to_order(request, performance_id, hold, key, page.result)


def _to_order(request, performance_id: int, hold: SessionHold, key: str, result: CheckoutResult):
    # A new session id with the order: a cookie planted earlier cannot open it.
    remember_order(request, result.order.pk, hold=hold, idempotency_key=key)
    forget_hold(request, performance_id)
    return redirect("order", order_id=result.order.pk)


def paid_meanwhile(request, performance_id: int):
    """The order page, if this session's checkout was paid at the provider's page while the
    buyer was away (the webhook or the sweeper settled it); else None."""
    hold = session_hold(request, performance_id)
    key = existing_checkout_key(request, performance_id)
    if hold is None or key is None:
        return None
    try:
        result = return_from_page(hold_id=hold.id, token=hold.token, idempotency_key=key)
    except DomainError:
        return None
    return _to_order(request, performance_id, hold, key, result)


def buyer_given(request, performance_id: int) -> dict:
    """What the buyer typed for this checkout before going to the provider's page, so that
    paying again after a cancel there does not ask for it again."""
    hold = session_hold(request, performance_id)
    key = existing_checkout_key(request, performance_id)
    if hold is None or key is None:
        return {}
    try:
        return buyer_of_checkout(hold_id=hold.id, token=hold.token, idempotency_key=key)
    except DomainError:
        return {}


@require_http_methods(["GET", "POST"])  # a gateway may come back with a POST (Shaparak does)
@csrf_exempt  # what it reads of the request is only a hint: the session and provider decide
def checkout_return(request, performance_id: int):
    """The buyer back from the provider's page: the order, or why not. The fields the page
    sent back (ZarinPal's ?Authority=...&Status=NOK) go to the provider as a hint only."""
    hold = session_hold(request, performance_id)
    key = existing_checkout_key(request, performance_id)
    if hold is None or key is None:
        return redirect("checkout", performance_id=performance_id)
    callback = {**request.GET.dict(), **request.POST.dict()}
    try:
        result = return_from_page(
            hold_id=hold.id, token=hold.token, idempotency_key=key, callback=callback
        )
    except (PaymentDeclined, PaymentNotFinished, PaymentProviderUnavailable) as error:
        messages.warning(request, error.message)  # the seats are still held: pay again
        return redirect("checkout", performance_id=performance_id)
    except DomainError as error:
        messages.error(request, error.message)
        forget_hold(request, performance_id)
        return redirect("performance", performance_id=performance_id)
    return _to_order(request, performance_id, hold, key, result)


@require_http_methods(["POST"])
@csrf_exempt  # the provider's server posts it; its signature is checked instead
def payment_webhook(request):
    if not hasattr(payment_provider(), "read_webhook"):
        raise Http404  # a provider without webhooks
    try:
        receive_webhook(body=request.body, headers=request.headers)
    except (WebhookRefused, PaymentProviderUnavailable) as error:
        return error_problem(error)  # 400: never sent again; 503: the provider retries
    return HttpResponse(status=204)


def _test_checkout(reference: str):
    if not isinstance(payment_provider(), TestPaymentProvider):
        raise Http404
    checkout = test_gateway.checkout_of(reference)
    if checkout is None:
        raise Http404
    return checkout


@require_http_methods(["GET", "POST"])
def test_gateway_page(request, reference: str):
    """The test provider's hosted page: Pay or Cancel, in the buyer's language; then back to
    Sandali's return URL (and the webhook, from the provider's side)."""
    checkout = _test_checkout(reference)
    with translation.override(checkout.language):
        if request.method == "POST":
            pay = request.POST.get("action") == "pay"
            outcome = (test_gateway.pay if pay else test_gateway.cancel)(checkout)
            if not outcome.ended:
                return redirect(outcome.return_url)
        else:
            outcome = None
        context = {"checkout": checkout, "ended": outcome is not None and outcome.ended}
        return render(request, "web/test_gateway.html", context)
