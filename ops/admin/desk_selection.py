"""The box office desk's selection (ops/admin/box_office.py's map): the desk's hold kept in the
admin's session, and the map's requests that hold and give back seats and standing places
through backoffice/box_office.py, answered with the selection as JSON (the shape of the
buyer's, web/selection.py) or problem+json.

The desk's hold is reached as the buyer pages reach theirs (web/session.py): the session keeps
a random seed, never the token, which is derived from it with SECRET_KEY.
"""

import json
import secrets

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backoffice.box_office import (
    DeskHold,
    choose_places,
    choose_seat,
    clear_selection,
    give_back_places,
    give_back_seat,
)
from catalog.errors import UnknownArea
from core.dbtime import db_now
from core.errors import DomainError
from core.localformat import digits, money
from core.problems import error_problem
from core.tokens import derived_token
from orders.selectors import buyer_hold
from reservations.errors import HoldNotFound

SESSION_KEY = "box_office"


# ---- the desk's hold in the session ------------------------------------------------------


def desk_token(seed: str) -> str:
    """The token of the desk's hold kept by `seed`. A staff hold made elsewhere (the house
    seats of a channel) is handed to the desk by making it with desk_token(seed) and passing
    the seed to remember_desk_hold: the desk then sells it like any hold it chose itself."""
    return derived_token(seed, purpose="desk-hold")


def session_desk_hold(request, performance_id: int) -> DeskHold | None:
    entry = request.session.get(SESSION_KEY, {}).get(str(performance_id))
    if not entry:
        return None
    return DeskHold(entry["id"], desk_token(entry["seed"]))


def remember_desk_hold(request, performance_id: int, hold_id: int, seed: str) -> None:
    holds = request.session.get(SESSION_KEY, {})
    holds[str(performance_id)] = {"id": hold_id, "seed": seed}
    request.session[SESSION_KEY] = holds


def forget_desk_hold(request, performance_id: int) -> None:
    holds = request.session.get(SESSION_KEY, {})
    if holds.pop(str(performance_id), None) is not None:
        request.session[SESSION_KEY] = holds


def desk_selection(request, performance_id: int) -> dict:
    """The desk's live hold: seat ids and details, total, expiry, the server's time (the shape
    of the buyer's selection, web/selection.py)."""
    now = db_now()
    empty = {"seats": [], "seat_details": [], "total": "", "expires_at": None}
    held = session_desk_hold(request, performance_id)
    if held is None:
        return {**empty, "now": now.isoformat()}
    try:
        view = buyer_hold(hold_id=held.id, token=held.token, now=now)
    except HoldNotFound:
        view = None
    if view is None or view.summary.expired or view.order is not None:
        forget_desk_hold(request, performance_id)
        return {**empty, "now": now.isoformat(), "expired": bool(view and view.summary.expired)}
    summary = view.summary
    return {
        "seats": [seat.id for seat in summary.seats],
        "seat_details": [
            {
                "id": seat.id,
                "label": seat_label(seat),
                "ticket_type": seat.ticket_type,
                "price": money(seat.price, summary.currency) if seat.price is not None else "",
            }
            for seat in summary.seats
        ],
        "total": money(summary.total, summary.currency),
        "expires_at": summary.hold.expires_at.isoformat(),
        "now": now.isoformat(),
    }


def seat_label(seat) -> str:
    if seat.standing:
        return f"{seat.section} ({_('standing')})"
    return _("%(section)s, row %(row)s, seat %(number)s") % {
        "section": seat.section, "row": seat.row, "number": digits(seat.number),
    }  # fmt: skip


@require_http_methods(["GET", "DELETE"])
def selection_request(request, performance):
    if request.method == "DELETE":
        held = session_desk_hold(request, performance.pk)
        if held is not None:
            clear_selection(hold=held)
            forget_desk_hold(request, performance.pk)
    return JsonResponse(desk_selection(request, performance.pk))


@require_http_methods(["POST", "DELETE"])
def seat_request(request, performance, seat_id: int):
    held = session_desk_hold(request, performance.pk)
    try:
        if request.method == "DELETE":
            if held is None:
                raise HoldNotFound()
            give_back_seat(hold=held, seat_id=seat_id)
        else:
            seed = secrets.token_urlsafe(32)
            state = choose_seat(
                performance_id=performance.pk,
                seat_id=seat_id,
                hold=held,
                new_token=desk_token(seed),
            )
            if held is None or state.hold.pk != held.id:  # a new hold: the session keeps it
                remember_desk_hold(request, performance.pk, state.hold.pk, seed)
    except DomainError as error:
        return error_problem(error)
    return JsonResponse(desk_selection(request, performance.pk))


@require_http_methods(["POST", "DELETE"])
def area_request(request, performance, area_id: int):
    """POST {"quantity": n}: n more places of a standing area; DELETE: all of them back."""
    held = session_desk_hold(request, performance.pk)
    try:
        if request.method == "DELETE":
            if held is None:
                raise HoldNotFound()
            give_back_places(hold=held, area_id=area_id)
        else:
            seed = secrets.token_urlsafe(32)
            state = choose_places(
                performance_id=performance.pk,
                area_id=area_id,
                quantity=_quantity(request),
                hold=held,
                new_token=desk_token(seed),
            )
            if held is None or state.hold.pk != held.id:
                remember_desk_hold(request, performance.pk, state.hold.pk, seed)
    except DomainError as error:
        return error_problem(error)
    return JsonResponse(desk_selection(request, performance.pk))


def _quantity(request) -> int:
    try:
        quantity = json.loads(request.body or b"{}").get("quantity")
    except (ValueError, AttributeError):
        quantity = None
    if type(quantity) is not int:
        raise UnknownArea()
    return quantity
