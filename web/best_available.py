"""Best available from the buyer's page: "4 seats together, up to 12.50". The server chooses
and holds them through the page's session, with the guarantees of a click on a seat
(web/selection.py): CSRF and Origin (Django's CSRF check), the holds rate limit, a new session
id with a new hold, and seats added to the session's hold when it has one. The page sends it
under the seat map's Web Lock (web/static/web/seatmap-requests.js)."""

import json
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from catalog.errors import InvalidSeatChoice
from core.errors import DomainError
from core.problems import error_problem
from reservations import best_holds
from reservations.hold_checks import MAX_SEATS_PER_REQUEST
from reservations.services import HoldState
from web.pages import performance_or_404
from web.selection import current_selection, hold_in_session


@dataclass(frozen=True)
class BestAsked:
    """What the page's form asks for: how many, a price ceiling, wheelchair spaces (with their
    companion seats), side by side only."""

    quantity: int
    max_price: Decimal | None = None
    accessible: bool = False
    together: bool = False


@require_POST
def selection_best(request, performance_id: int):
    """POST {"quantity", "max_price"?, "accessible"?, "together"?}: the selection as after a
    click, with `chosen` (the seats just held, for the map to show) and `together`."""
    performance_or_404(performance_id)
    try:
        held = _hold_best(request, performance_id, _asked(request.body))
    except DomainError as error:
        return error_problem(error)  # the same problem+json as the API's
    body = current_selection(request, performance_id)
    return JsonResponse({**body, "chosen": list(held.chosen), "together": held.together})


def _asked(raw: bytes) -> BestAsked:
    try:
        body = json.loads(raw or b"{}")
        quantity, ceiling = body.get("quantity"), body.get("max_price")
        accessible, together = body.get("accessible", False), body.get("together", False)
    except (ValueError, AttributeError):
        raise InvalidSeatChoice() from None
    if type(quantity) is not int or not 1 <= quantity <= MAX_SEATS_PER_REQUEST:
        raise InvalidSeatChoice()
    if type(accessible) is not bool or type(together) is not bool:
        raise InvalidSeatChoice()
    return BestAsked(quantity, _price(ceiling), accessible, together)


def _price(ceiling) -> Decimal | None:
    """A ceiling as the page sends it, the string of a price ("12.50"); null or "" for none."""
    if ceiling in (None, ""):
        return None
    try:
        price = Decimal(ceiling) if isinstance(ceiling, str) and len(ceiling) <= 16 else None
        if price is None or not price.is_finite() or price < 0 or price != round(price, 2):
            raise InvalidSeatChoice()
    except InvalidOperation:
        raise InvalidSeatChoice() from None
    return price


def _hold_best(request, performance_id: int, asked: BestAsked) -> HoldState:
    """Added to the session's hold if it is still live; else a new hold, and a new session id."""
    return hold_in_session(
        request,
        performance_id,
        add=lambda held: best_holds.add_best_available(
            hold_id=held.id, token=held.token, **asdict(asked)
        ),
        start=lambda **new: best_holds.hold_best_available(
            performance_id=performance_id, **new, **asdict(asked)
        ),
    )
