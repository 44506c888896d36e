"""The provider's hosted page through the API (orders/redirect.py), so that an API client can
sell with a provider that takes payments only at its own page (Stripe):

    POST /holds/{id}/payment-page         start, or resume, the payment: 200 {"payment_url"}
                                          while it is open, or the order (201) once settled
    POST /holds/{id}/payment-page/return  the buyer is back: the order once the provider
                                          confirms it (201, then 200), 409 payment_not_finished
                                          while it is open, or checkout's errors

Both take the hold's token (Bearer) and the checkout's Idempotency-Key, as the checkout does;
the same key is the same payment. The return URL is the client's (its own page or app link):
it must be http(s), and in production https on the site itself or an origin listed in
SANDALI_ALLOWED_ORIGINS, so that Sandali and its provider never send a buyer, fresh from
paying, to a site nobody vetted (an open redirect, and a phishing page's best bait).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Header, Router, Status

from api import schemas
from api.errors import PaymentPageNotOffered, ReturnUrlNotAllowed
from api.queue import hold_performance
from api.v1 import PROBLEMS, _order_body, bearer
from core.limits import check_rate, client_address, rate_limited
from core.tokens import hash_token
from orders import redirect
from payments.providers import payment_provider
from reservations import waiting_room
from reservations.selectors import owned_hold

router = Router(tags=["orders"])


def allowed_return_url(url: str) -> bool:
    """http(s) with a host and no user name or password; in production https, and the
    origin (scheme, host, port) the site's own (SANDALI_PUBLIC_URL) or a listed one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return False
    if not settings.PRODUCTION:
        return True
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    allowed = {o.lower().rstrip("/") for o in settings.SANDALI_ALLOWED_ORIGINS}
    own = urlsplit(settings.SANDALI_PUBLIC_URL)
    allowed.add(f"{own.scheme}://{own.netloc}".lower())
    return parts.scheme == "https" and origin in allowed


def _limit(request, hold_id: int) -> None:
    """The checkout's rate limits (api/v1.py checkout): starting a payment is a checkout."""
    if rate_limited("checkouts") and not waiting_room.room_on(
        performance_id=hold_performance(hold_id)
    ):
        check_rate("checkouts", client_address(request))
    check_rate("checkouts_per_hold", f"{hold_id}:{hash_token(request.auth)[:16]}")


def _order(result, status: int | None = None):
    body = _order_body(result.order, result.tickets, token=result.token)
    return Status(status or (201 if result.created else 200), body)


@router.post(
    "/holds/{hold_id}/payment-page",
    response={200: schemas.PaymentPageOut, 201: schemas.NewOrderOut, **PROBLEMS},
    auth=bearer,
)
def start_payment_page(
    request,
    hold_id: schemas.Id,
    body: schemas.PaymentPageIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Pay at the provider's page: 200 `payment_url` (send the buyer there; the same key
    again gives the same page while it is open), or, once the payment is settled, the order
    (201) as the checkout answers it. After a decline there, the same key starts a new try.
    422 `return_url_not_allowed`; 409 `payment_page_not_offered` (a provider without a page);
    and the checkout's errors."""
    if not allowed_return_url(body.return_url):
        raise ReturnUrlNotAllowed()
    _limit(request, hold_id)
    owned_hold(hold_id=hold_id, token=request.auth)  # another's token: 404, as for checkout
    if not settings.SANDALI_PAYMENT_REDIRECT or not hasattr(payment_provider(), "start"):
        raise PaymentPageNotOffered()
    page = redirect.start_payment(
        hold_id=hold_id,
        token=request.auth,
        idempotency_key=idempotency_key,
        name=body.name,
        email=body.email,
        phone=body.phone,
        language=get_language(),  # Accept-Language: the provider's page and the mails
        return_url=body.return_url,
        webhook_url=request.build_absolute_uri(reverse("payment-webhook")),
    )
    if page.url is None:
        return _order(page.result, 201)
    return Status(200, {"payment_url": request.build_absolute_uri(page.url)})


@router.post(
    "/holds/{hold_id}/payment-page/return",
    response={200: schemas.NewOrderOut, 201: schemas.NewOrderOut, **PROBLEMS},
    auth=bearer,
)
def return_from_payment_page(
    request,
    hold_id: schemas.Id,
    body: schemas.PaymentReturnIn | None = None,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """The buyer is back: Sandali asks the provider (with `callback`, the fields the buyer
    came back with, for a gateway that says a cancel only there). The order (201 the first time, 200
    after); 409 `payment_not_finished` while the payment is open (send the buyer back to
    `payment_url`, or ask again); 402 `payment_declined` (the seats are still held: start
    again with the same key); 409 `payment_refunded`; 410 `hold_expired`."""
    if not idempotency_key:
        raise redirect.IdempotencyKeyRequired()
    result = redirect.return_from_page(
        hold_id=hold_id,
        token=request.auth,
        idempotency_key=idempotency_key,
        callback=body.callback if body is not None else None,
    )
    return _order(result)
