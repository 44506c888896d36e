"""The checks a hold request must pass before anything is taken: the request's shape, the
performance's and the client's limits, the sale's window and the hold's state. Each raises
the domain error the API and the pages show; none writes."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from catalog.errors import InvalidSeats, TooManySeats
from catalog.selectors import SaleTerms, live_seats_of_holds
from core.sql import is_id
from core.tokens import derived_token
from reservations.areas import AreaQuantity, check_areas, places_asked
from reservations.errors import AlreadyCheckedOut, HoldExpired, SalesClosed, TooManySeatsHeld
from reservations.selectors import OwnedHold

# A request naming more seats than this is refused before any query, whatever the
# performance's own limit (which is checked too).
MAX_SEATS_PER_REQUEST = 100


def check_request(seat_ids: Sequence[int], areas: Sequence[AreaQuantity]) -> None:
    check_areas(areas)
    if len(seat_ids) + places_asked(areas) > MAX_SEATS_PER_REQUEST:
        raise TooManySeats(limit=MAX_SEATS_PER_REQUEST)
    if not seat_ids and not areas:
        raise InvalidSeats(seats=[])
    if len(set(seat_ids)) != len(seat_ids):
        repeated = sorted({s for s in seat_ids if list(seat_ids).count(s) > 1})
        raise InvalidSeats(seats=repeated)
    not_ids = [s for s in seat_ids if not is_id(s)]
    if not_ids:
        raise InvalidSeats(seats=not_ids)


def check_limit(performance: SaleTerms, *, already_held: int, adding: int) -> None:
    if already_held + adding > performance.max_seats_per_order:
        raise TooManySeats(limit=performance.max_seats_per_order)


def client_key(address: str) -> str:
    """A keyed hash of a client's address: enough to count its seats, not to recover it."""
    return derived_token(address, purpose="client") if address else ""


def check_client_cap(key: str, *, adding: int, now: datetime) -> None:
    """Refuse seats beyond SANDALI_MAX_SEATS_PER_CLIENT live seats for one client. Checked
    without a lock: two requests of one client at the same instant may overshoot it a little,
    which an abuse limit can afford."""
    cap = settings.SANDALI_MAX_SEATS_PER_CLIENT
    if not cap or not key or not adding:
        return
    held = live_seats_of_holds(
        holds_sql="SELECT id FROM reservations_hold WHERE client_key = %s", params=[key], now=now
    )
    if held + adding > cap:
        raise TooManySeatsHeld(limit=cap)


def check_sales_open(performance: SaleTerms, now: datetime) -> None:
    if not performance.sales_start <= now < performance.sales_end:
        raise SalesClosed()


def check_hold_open(hold: OwnedHold, now: datetime) -> None:
    if hold.checked_out:
        raise AlreadyCheckedOut()
    if hold.expires_at <= now:
        raise HoldExpired()


def check_quantity(quantity: int) -> None:
    if quantity > MAX_SEATS_PER_REQUEST:
        raise TooManySeats(limit=MAX_SEATS_PER_REQUEST)
    if quantity < 1:
        raise InvalidSeats(seats=[])
