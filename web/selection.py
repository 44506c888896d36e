"""The buyer's current selection on the web pages: a hold reached only through the server-side
session, never through the page or a URL. Each choice is held at once through the reservation
services; these views only keep the hold in the session (web/session.py)."""

import json
from collections.abc import Callable, Sequence
from contextlib import suppress

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.errors import (
    NotEnoughPlaces,
    SeatsUnavailable,
    TooManySeats,
    UnknownArea,
)
from catalog.selectors import places_by_area
from core.dbtime import db_now
from core.errors import DomainError
from core.limits import check_rate, client_address
from core.problems import error_problem
from orders.selectors import buyer_hold
from reservations import services as hold_services
from reservations.areas import AreaQuantity
from reservations.errors import AlreadyCheckedOut, HoldExpired, HoldNotFound
from reservations.hold_checks import client_key
from reservations.services import HoldState
from web.pages import performance_or_404
from web.session import (
    SessionHold,
    forget_hold,
    hold_token,
    new_hold_seed,
    remember_hold,
    session_hold,
)
from web.waiting_room import session_hold_pass


def current_selection(request: HttpRequest, performance_id: int) -> dict:
    """The live hold of this session for the performance: seat ids, expiry, server time."""
    now = db_now()
    empty = {"hold": None, "seats": [], "expires_at": None, "now": now.isoformat()}
    remembered = session_hold(request, performance_id)
    if remembered is None:
        return empty
    try:
        view = buyer_hold(hold_id=remembered.id, token=remembered.token, now=now)
    except HoldNotFound:
        forget_hold(request, performance_id)
        return empty
    summary, hold = view.summary, view.summary.hold
    if summary.expired or view.order is not None:
        forget_hold(request, performance_id)
        return {**empty, "expired": summary.expired}
    numbered = [seat for seat in summary.seats if not seat.standing]
    return {
        "hold": hold.pk,
        "seats": [seat.id for seat in numbered],
        # What the basket names a seat by until the map can (web/static/web/seatmap-basket.js).
        "seat_details": [
            {
                "id": seat.id,
                "section": seat.section,
                "row": seat.row,
                "number": seat.number,
                "ticket_type": seat.ticket_type,
                "price": None if seat.price is None else str(seat.price),
            }
            for seat in numbered
        ],
        "areas": places_by_area(summary.seats),
        "total": str(summary.total),
        "expires_at": hold.expires_at.isoformat(),
        "now": now.isoformat(),
    }


@require_http_methods(["GET", "DELETE"])
def selection(request, performance_id: int):
    """GET: the selection; DELETE: give every seat and place of it back ("Release all")."""
    performance_or_404(performance_id)
    if request.method == "DELETE":
        remembered = session_hold(request, performance_id)
        if remembered is not None:
            # A hold gone or paid has nothing left to give back: the selection below says so.
            with suppress(HoldNotFound, AlreadyCheckedOut):
                hold_services.release_hold(hold_id=remembered.id, token=remembered.token)
            forget_hold(request, performance_id)
    return JsonResponse(current_selection(request, performance_id))


@require_http_methods(["POST", "DELETE"])
def selection_seat(request, performance_id: int, seat_id: int):
    try:
        if request.method == "POST":
            _choose(request, performance_id, seat_id=seat_id)
        else:
            _unchoose(request, performance_id, seat_id)
    except DomainError as error:
        return error_problem(error)  # the same problem+json as the API's
    return JsonResponse(current_selection(request, performance_id))


@require_http_methods(["POST", "DELETE"])
def selection_area(request, performance_id: int, area_id: int):
    """POST {"quantity": n}: n more places of the standing area; DELETE: give them all back."""
    try:
        if request.method == "POST":
            quantity = _quantity(request)
            _choose(request, performance_id, areas=[AreaQuantity(area_id, quantity)])
        else:
            remembered = session_hold(request, performance_id)
            if remembered is None:
                raise HoldNotFound()
            hold_services.release_places(
                hold_id=remembered.id, token=remembered.token, area_id=area_id
            )
    except DomainError as error:
        return error_problem(error)
    return JsonResponse(current_selection(request, performance_id))


def _quantity(request) -> int:
    try:
        quantity = json.loads(request.body or b"{}").get("quantity")
    except (ValueError, AttributeError):
        quantity = None
    if type(quantity) is not int:
        raise UnknownArea()
    return quantity


def hold_in_session(
    request: HttpRequest,
    performance_id: int,
    *,
    add: Callable[[SessionHold], HoldState],
    start: Callable[..., HoldState],
) -> HoldState:
    """Every hold request of the pages (a seat clicked, places, best available): the waiting
    room's gate, then `add(the session's hold)` while that hold is live, else
    `start(client_key=..., token=...)`, a new hold that the session remembers (with a new
    session id, web/session.py)."""
    # While the waiting room is on, this browser's pass carries its limits, not its address.
    hold_pass = session_hold_pass(request, performance_id)
    if hold_pass is None:
        address = client_address(request)
        check_rate("holds", address)
        key = client_key(address)
    else:
        key = hold_pass.client_key
    remembered = session_hold(request, performance_id)
    if remembered is not None:
        try:
            return add(remembered)
        except (HoldExpired, HoldNotFound, AlreadyCheckedOut):
            forget_hold(request, performance_id)  # a new choice starts a new hold
    seed = new_hold_seed()
    created = start(client_key=key, token=hold_token(seed))
    remember_hold(request, performance_id, SessionHold(id=created.hold.pk, seed=seed))
    return created


def _choose(
    request,
    performance_id: int,
    seat_id: int | None = None,
    areas: Sequence[AreaQuantity] = (),
) -> None:
    seat_ids = [seat_id] if seat_id is not None else []
    hold_in_session(
        request,
        performance_id,
        add=lambda held: hold_services.add_seats(
            hold_id=held.id, token=held.token, seat_ids=seat_ids, areas=areas
        ),
        start=lambda **new: hold_services.hold_seats(
            performance_id=performance_id, seat_ids=seat_ids, areas=areas, **new
        ),
    )


def _unchoose(request, performance_id: int, seat_id: int) -> None:
    remembered = session_hold(request, performance_id)
    if remembered is None:
        raise HoldNotFound()
    hold_services.release_seat(hold_id=remembered.id, token=remembered.token, seat_id=seat_id)


def messages_for_page() -> dict:
    """The texts the seat-map module shows, in the page's language. Where the page refuses
    what the server would refuse, it says what the server's error says: the error class's
    message, with its placeholders (%(limit)s) left for the module to fill."""
    return {
        "too_many": str(TooManySeats.title),
        "sold_out": _("No %(ticket_type)s seats are left in %(section)s."),
        "taken": str(SeatsUnavailable.title),
        "expired": str(HoldExpired.title),
        "released": _("Seat given back."),
        "not_enough_places": str(NotEnoughPlaces.title),
        "places_left": _("%(free)s of %(capacity)s places left"),
        "standing": _("standing"),
        "how_many": _("How many places in %(name)s"),
        "add_places": _("Add places"),
        "give_back_places": _("Give back"),
        "offline": _("Connection lost: reconnecting…"),
        "online": _("Live again."),
        "error": _("Something went wrong. Please try again."),
        "time_left": _("Time left"),
        "status": {
            "available": _("available"),
            "reserved": _("taken"),
            "sold": _("sold"),
            "blocked": _("not for sale"),
            "mine": _("your choice"),
        },
        # A seat's details before it is chosen (seatmap-details.js), and the overview's labels.
        "details": {
            "title": _("%(section)s, row %(row)s, seat %(number)s"),
            "ticket_type": _("Ticket type"),
            "price": _("Price"),
            "marks": _("Seat marks"),
            "status": _("Status"),
            "choose": _("Choose this seat"),
            "give_back": _("Give back"),
            "no_seat": _("No seat chosen yet: press an arrow key."),
            "price_range": _("%(low)s to %(high)s"),
            "seats_left": _("%(count)s seats left"),
        },
        "seat_label": _(
            "%(section)s, row %(row)s, seat %(number)s, %(ticket_type)s, %(price)s, %(status)s"
        ),
    }
