"""API v1: parse, call a service or selector, render. No business logic here."""

from decimal import Decimal
from itertools import groupby
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from ninja import Header, Query, Router, Status
from ninja.security import HttpBearer

from api import schemas
from api.lean_path import raise_lean_refusal
from api.queue import PASS_HEADERS, hold_client_key, hold_performance, remember_hold_performance
from catalog import selectors as catalog_selectors
from catalog import snapshots
from core.limits import check_rate, client_address, rate_limited
from core.tokens import hash_token
from delivery import documents
from orders import checkout as order_checkout
from orders import selectors as order_selectors
from orders import waiting_list
from reservations import best_holds, extension, waiting_room
from reservations import services as hold_services
from reservations.errors import HoldExpired

router = Router()
PROBLEMS = {
    code: schemas.ProblemOut
    for code in (400, 401, 402, 403, 404, 409, 410, 413, 415, 422, 429, 500, 503)
}


class BearerToken(HttpBearer):
    """Passes the token on; whether it opens this hold or order is the service's decision."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return token or None


bearer = BearerToken()


@router.get("/events", response=list[schemas.EventOut], tags=["catalog"])
def list_events(request):
    return catalog_selectors.list_events()


@router.get(
    "/performances/{performance_id}",
    response={200: schemas.PerformanceOut, **PROBLEMS},
    tags=["catalog"],
)
def get_performance(request, performance_id: schemas.Id):
    performance = catalog_selectors.get_performance(performance_id=performance_id)
    priced = catalog_selectors.priced_capacity(
        performance=performance, capacity=snapshots.capacity(performance_id=performance_id)
    )
    sections = [
        {
            "id": section.pk,
            "name": section.name,
            "ticket_types": [
                {
                    "id": p.ticket_type_id,
                    "name": p.ticket_type_name,
                    "price": p.price,
                    "allocated": p.capacity.allocated,
                    "available": p.capacity.available,
                    "reserved": p.capacity.reserved,
                    "sold": p.capacity.sold,
                    "blocked": p.capacity.blocked,
                }
                for p in prices
            ],
        }
        for section, prices in groupby(priced, key=lambda p: p.section)
    ]
    return {
        "id": performance.pk,
        "event": performance.event,
        "starts_at": performance.starts_at,
        "sales_start": performance.sales_start,
        "sales_end": performance.sales_end,
        "hold_minutes": performance.hold_minutes,
        "hold_extension_minutes": performance.hold_extension_minutes,
        "max_seats_per_order": performance.max_seats_per_order,
        "refuse_single_seat_gaps": performance.refuse_single_seat_gaps,
        "sections": sections,
    }


@router.get(
    "/performances/{performance_id}/seats",
    response={200: schemas.SeatMapOut | schemas.SeatMapColumnsOut, **PROBLEMS},
    tags=["catalog"],
)
def get_seat_map(
    request,
    performance_id: schemas.Id,
    format: Literal["rows", "columns"] = Query(
        "rows",
        description="rows (the default): one array per seat. columns: the same seats packed "
        "by column (SeatMapColumnsOut), about a tenth of the bytes, and gzipped when the "
        "request accepts it.",
    ),
):
    """The whole map in one response, with an ETag: a client that sends it back in
    If-None-Match gets 304 while nothing changed. Each format and encoding has its own ETag."""
    raise_lean_refusal(request)  # what api/map_lean.py met answering it, if anything
    return seat_map_response(request, performance_id=performance_id, format=format)


def seat_map_response(request: HttpRequest, *, performance_id: int, format: str) -> HttpResponse:
    """The seat map's answer, for the view and the lean path (api/map_lean.py) alike."""
    encoding = "gzip" if format == "columns" and accepts_gzip(request) else "identity"
    etag, body = snapshots.seat_map_representation(
        performance_id=performance_id, format=format, encoding=encoding
    )
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body(), content_type="application/json")
        if encoding != "identity":
            response["Content-Encoding"] = encoding
    if format == "columns":
        patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether Accept-Encoding allows gzip (named, or "*", and not with q=0)."""
    weights = {}
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _, parameters = item.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[name.strip().lower()] = quality
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _hold_body(state: hold_services.HoldState, *, order: tuple[int, str] | None = None) -> dict:
    hold = state.hold
    body = {
        "id": hold.pk,
        "performance_id": hold.performance_id,
        "status": "checked_out" if order else "active",
        "expires_at": hold.expires_at,
        "seats": state.seats,
        "areas": catalog_selectors.places_by_area(state.seats),
        "total": state.total,
        "currency": state.currency,
        "order_id": order[0] if order else None,
    }
    if state.token:
        body["token"] = state.token
    if state.together is not None:
        body["together"] = state.together
    return body


def _areas_in(areas) -> list[hold_services.AreaQuantity]:
    return [hold_services.AreaQuantity(a.area, a.quantity) for a in areas or ()]


@router.post(
    "/performances/{performance_id}/holds",
    response={201: schemas.NewHoldOut, **PROBLEMS},
    tags=["holds"],
    openapi_extra={"parameters": PASS_HEADERS},
)
def create_hold(request, performance_id: schemas.Id, body: schemas.NewHoldIn):
    key = hold_client_key(request, performance_id=performance_id)
    best = body.best_available
    if best is None:
        created = hold_services.hold_seats(
            performance_id=performance_id,
            seat_ids=body.seats or (),
            areas=_areas_in(body.areas),
            client_key=key,
        )
    else:
        created = best_holds.hold_best_available(
            performance_id=performance_id,
            quantity=best.quantity,
            ticket_type_id=best.ticket_type,
            section_id=best.section,
            accessible=best.accessible,
            max_price=None if best.max_price is None else Decimal(best.max_price),
            together=best.together,
            client_key=key,
        )
    remember_hold_performance(created.hold.pk, performance_id)
    return Status(201, _hold_body(created))


@router.get(
    "/holds/{hold_id}", response={200: schemas.HoldOut, **PROBLEMS}, auth=bearer, tags=["holds"]
)
def get_hold(request, hold_id: schemas.Id):
    view = order_selectors.buyer_hold(hold_id=hold_id, token=request.auth)
    if view.gone:
        raise HoldExpired()
    summary = view.summary
    state = hold_services.HoldState(
        hold=summary.hold, seats=summary.seats, currency=summary.currency
    )
    return _hold_body(state, order=view.order)


@router.post(
    "/holds/{hold_id}/extension",
    response={200: schemas.HoldOut, **PROBLEMS},
    auth=bearer,
    tags=["holds"],
)
def extend_hold(request, hold_id: schemas.Id):
    """More time, once, before the hold expires, if the performance offers it (its
    `hold_extension_minutes`): the hold with its new `expires_at`. 409
    `hold_extension_not_offered` or `hold_already_extended`; 410 `hold_expired`."""
    extension.extend_hold(hold_id=hold_id, token=request.auth)
    return get_hold(request, hold_id)


@router.post(
    "/holds/{hold_id}/seats",
    response={200: schemas.HoldOut, **PROBLEMS},
    auth=bearer,
    tags=["holds"],
    openapi_extra={"parameters": PASS_HEADERS},
)
def add_seats(request, hold_id: schemas.Id, body: schemas.AdditionIn):
    hold_client_key(request, hold_id=hold_id)
    added = hold_services.add_seats(
        hold_id=hold_id, token=request.auth, seat_ids=body.seats or (), areas=_areas_in(body.areas)
    )
    return _hold_body(added)


@router.delete(
    "/holds/{hold_id}/seats/{seat_id}",
    response={200: schemas.HoldOut, **PROBLEMS},
    auth=bearer,
    tags=["holds"],
)
def release_seat(request, hold_id: schemas.Id, seat_id: schemas.Id):
    return _hold_body(
        hold_services.release_seat(hold_id=hold_id, token=request.auth, seat_id=seat_id)
    )


@router.delete(
    "/holds/{hold_id}/areas/{area_id}",
    response={200: schemas.HoldOut, **PROBLEMS},
    auth=bearer,
    tags=["holds"],
)
def release_places(
    request, hold_id: schemas.Id, area_id: schemas.Id, quantity: schemas.Quantity = None
):
    """Give back `quantity` places of the standing area (the hold's last ones), or all."""
    return _hold_body(
        hold_services.release_places(
            hold_id=hold_id, token=request.auth, area_id=area_id, quantity=quantity
        )
    )


@router.delete("/holds/{hold_id}", response={204: None, **PROBLEMS}, auth=bearer, tags=["holds"])
def release_hold(request, hold_id: schemas.Id):
    hold_services.release_hold(hold_id=hold_id, token=request.auth)
    return Status(204, None)


@router.post(
    "/holds/{hold_id}/checkout",
    response={201: schemas.NewOrderOut, **PROBLEMS},
    auth=bearer,
    tags=["orders"],
)
def checkout(
    request,
    hold_id: schemas.Id,
    body: schemas.CheckoutIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    # Whether the room is on matters only when there is a per-address limit to skip.
    if rate_limited("checkouts") and not waiting_room.room_on(
        performance_id=hold_performance(hold_id)
    ):
        check_rate("checkouts", client_address(request))  # a pass carries the limits if on
    # Keyed by the hold and the token offered, so that strangers guessing at a hold's id fill
    # their own bucket, never the buyer's.
    check_rate("checkouts_per_hold", f"{hold_id}:{hash_token(request.auth)[:16]}")
    result = order_checkout.checkout(
        hold_id=hold_id,
        token=request.auth,
        idempotency_key=idempotency_key,
        name=body.name,
        email=body.email,
        phone=body.phone,
        payment_token=body.payment_token,
        language=get_language(),  # Accept-Language (LocaleMiddleware): the mails' language
    )
    return Status(201, _order_body(result.order, result.tickets, token=result.token))


@router.get(
    "/orders/{order_id}", response={200: schemas.OrderOut, **PROBLEMS}, auth=bearer, tags=["orders"]
)
def get_order(request, order_id: schemas.Id):
    order = order_selectors.owned_order(order_id=order_id, token=request.auth)
    return _order_body(order, order_selectors.order_tickets(order=order))


PDF_RESPONSE = {
    "description": "The order's valid tickets, one page each, in the request's language",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get(
    "/orders/{order_id}/tickets.pdf",
    response=PROBLEMS,
    auth=bearer,
    tags=["orders"],
    openapi_extra={"responses": {200: PDF_RESPONSE}},
)
def get_tickets_pdf(request, order_id: schemas.Id):
    """The tickets to print or show at the door, each with its QR code; 409 no_valid_tickets
    for a cancelled order."""
    order = order_selectors.owned_order(order_id=order_id, token=request.auth)
    pdf = documents.tickets_pdf(order_id=order.pk, language=get_language())
    filename = documents.tickets_filename(order_id=order.pk)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _order_body(order, ticket_views, **extra) -> dict:
    tickets = [
        {
            "code": ticket.code,
            "seat": {
                "id": ticket.seat_id,
                "section": ticket.section,
                "row": ticket.row,
                "number": ticket.number,
            },
            "ticket_type": ticket.ticket_type,
            "price": ticket.price,
            "valid": ticket.valid,
        }
        for ticket in ticket_views
    ]
    return {
        "id": order.pk,
        "performance_id": order.performance_id,
        "status": order.status,
        "name": order.name,
        "email": order.email,
        "total": order.total,
        "currency": order.currency,
        "created_at": order.created_at,
        "tickets": tickets,
        **extra,
    }


# Waiting list (orders/waiting_list.py).
@router.post(
    "/performances/{performance_id}/waiting-list",
    response={200: schemas.WaitingListOut, 201: schemas.WaitingListOut, **PROBLEMS},
    tags=["waiting list"],
)
def join_waiting_list(request, performance_id: schemas.Id, body: schemas.WaitingListIn):
    check_rate("waiting_list_joins", client_address(request))
    joined = waiting_list.join_waiting_list(
        performance_id=performance_id,
        email=body.email,
        quantity=body.quantity,
        section_id=body.section,
        ticket_type_id=body.ticket_type,
        language=get_language(),
    )
    body_out = {
        "entry": joined.entry_id,
        "position": joined.position,
        "updated": not joined.created,
    }
    return Status(201 if joined.created else 200, body_out)
