"""Holding seats: hold, add, release, and freeing expired holds (the periodic task
sweep_expired_holds).

Lock order, in every transaction here: the hold row first (when it exists), then seat rows;
where the performance refuses single-seat gaps, then the free seats of the rows just changed
(reservations/orphan_rule.py), SKIP LOCKED like the take, so that never waits either.
Seats are taken by one conditional UPDATE whose subquery picks them FOR UPDATE SKIP LOCKED on
PostgreSQL, so a buyer never waits on a seat that another buyer is taking and no two buyers
can deadlock, whatever the overlap or order of their seats; a seat locked by someone else
counts as not free. On SQLite every write transaction begins IMMEDIATE (settings), which
serializes writers instead.

Every statement that frees a seat filters on status = 'reserved' and on the hold, so that a
late release never touches a seat that has since been sold or held by someone else.

The statements on a buyer's path are SQL (sandali/sql.py says why); the rest is ORM.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from catalog import inventory
from catalog.errors import (
    InvalidSeats,
    PerformanceNotFound,
    SeatsUnavailable,
    UnknownArea,
)
from catalog.inventory import SeatChange, TakenSeat
from catalog.selectors import (
    PricedSeat,
    money,
    sale_terms_now,
    seats_for_sale,
    seats_of_hold,
)
from catalog.snapshots import price_list
from core.dbtime import db_now
from core.metrics import HOLD_ATTEMPTS, SWEEP_RUNS, SWEEP_SEATS_FREED, count_outcomes
from core.sql import (
    as_param,
    fetch_one,
    is_id,
)
from core.tasks import periodic_task
from core.tokens import hash_token, new_token
from reservations.areas import AreaQuantity, places_asked, take_places
from reservations.companions import companions_to_hold, take_companions
from reservations.errors import (
    AlreadyCheckedOut,
    SeatNotInHold,
)
from reservations.hold_checks import (
    check_client_cap,
    check_hold_open,
    check_limit,
    check_request,
    check_sales_open,
)
from reservations.orphan_rule import refuse_stranding_release, refuse_stranding_take
from reservations.selectors import LIST_WAITS_SQL, OwnedHold, owned_hold
from reservations.waiting_list import kept_for_waiting_list

# A hold's seats are reserved exactly while it is live: a paid hold's seats are sold (and no
# longer point to it), an expired hold's are free to others. So the common paths need not
# look for an order; only when a statement finds no seats do they ask why.


@dataclass(frozen=True)
class HoldState:
    """A hold as its buyer sees it after a change: its live seats, with prices."""

    hold: OwnedHold
    seats: list[PricedSeat]
    currency: str
    token: str | None = None  # only when the hold was just made
    together: bool | None = None  # best available: adjacent in one row (None: seats chosen)
    chosen: tuple[int, ...] = ()  # best available: the seats it chose, in id order

    @property
    def total(self) -> Decimal:
        return sum((s.price for s in self.seats if s.price is not None), Decimal("0.00"))


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def hold_seats(
    *,
    performance_id: int,
    seat_ids: Sequence[int] = (),
    areas: Sequence[AreaQuantity] = (),
    client_key: str = "",
    token: str | None = None,
) -> HoldState:
    """Hold all of `seat_ids` and every place asked for in standing `areas` for a new buyer,
    or nothing. `client_key` (a keyed hash of the client's address, see client_key()) caps
    the seats one client holds at once; places count as seats in every limit. The hold's
    token is a new random one unless the caller brings its own (the web pages derive theirs
    from a seed, so that their session table keeps no token)."""
    check_request(seat_ids, areas)
    adding = len(seat_ids) + places_asked(areas)
    with transaction.atomic():
        hold, token = new_hold(
            performance_id=performance_id, adding=adding, client_key=client_key, token=token
        )
        companions = companions_to_hold(
            terms=hold.terms,
            seat_ids=seat_ids,
            held=set(),
            now=hold.created_at,
            room=hold.terms.max_seats_per_order - adding,
        )
        taken = _take(hold=hold, seat_ids=seat_ids, areas=areas, now=hold.created_at, held=set())
        seats = priced_new_seats(hold, taken)
        if companions:
            seats = take_companions(hold=hold, companion_ids=companions, now=hold.created_at)
        # The orphan rule sees what was taken: the seats asked for and the companion seats.
        came_along = [seat.id for seat in seats if seat.id in set(companions)]
        refuse_stranding_take(hold, taken_ids=[*seat_ids, *came_along], now=hold.created_at)
    return HoldState(hold=hold, seats=seats, currency=hold.terms.currency, token=token)


def new_hold(
    *, performance_id: int, adding: int, client_key: str, token: str | None
) -> tuple[OwnedHold, str]:
    """In the caller's transaction: check the sales window and the limits for `adding` seats,
    then insert a hold with no seats yet; its created_at is the database's "now"."""
    if token is not None and len(token) < 32:
        raise ValueError("a hold token needs at least 32 characters")
    if not is_id(performance_id):
        raise PerformanceNotFound()
    found = sale_terms_now(performance_id=performance_id)
    if found is None:
        raise PerformanceNotFound()
    terms, now = found
    check_sales_open(terms, now)
    check_limit(terms, already_held=0, adding=adding)
    check_client_cap(client_key, adding=adding, now=now)
    token = new_token() if token is None else token
    expires_at = now + timedelta(minutes=terms.hold_minutes)
    token_hash = hash_token(token)
    hold_id, list_waits = fetch_one(
        f"""INSERT INTO reservations_hold
              (performance_id, token_hash, client_key, created_at, expires_at, checked_out)
            VALUES (%s, %s, %s, %s, %s, %s)
            RETURNING id, {LIST_WAITS_SQL.format(performance="performance_id")}""",
        [performance_id, token_hash, client_key, as_param(now), as_param(expires_at), False],
    )
    hold = OwnedHold(
        id=hold_id,
        token_hash=token_hash,
        client_key=client_key,
        created_at=now,
        expires_at=expires_at,
        checked_out=False,
        terms=terms,
        list_waits=bool(list_waits),
    )
    return hold, token


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def add_seats(
    *,
    hold_id: int,
    token: str | None,
    seat_ids: Sequence[int] = (),
    areas: Sequence[AreaQuantity] = (),
) -> HoldState:
    """Add seats and places of standing areas to a live hold, all or nothing; seats the hold
    already has are kept as they are (places asked for are always more places). Where the
    performance refuses single-seat gaps, seats that would leave one free seat alone are
    refused (reservations/orphan_rule.py), as they are by hold_seats."""
    check_request(seat_ids, areas)
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        now = db_now()
        check_hold_open(hold, now)
        check_sales_open(hold.terms, now)
        current = seats_of_hold(hold_id=hold.pk)
        held = {seat.id for seat in current}
        new_ids = [seat_id for seat_id in seat_ids if seat_id not in held]
        adding = len(new_ids) + places_asked(areas)
        check_limit(hold.terms, already_held=len(held), adding=adding)
        check_client_cap(hold.client_key, adding=adding, now=now)
        if adding:
            companions = companions_to_hold(
                terms=hold.terms,
                seat_ids=new_ids,
                held=held,
                now=now,
                room=hold.terms.max_seats_per_order - len(held) - adding,
            )
            _take(hold=hold, seat_ids=new_ids, areas=areas, now=now, held=held)
            if companions:
                take_companions(hold=hold, companion_ids=companions, now=now)
            current = seats_of_hold(hold_id=hold.pk)
            came_along = [seat.id for seat in current if seat.id in set(companions)]
            refuse_stranding_take(hold, taken_ids=[*new_ids, *came_along], now=now)
    return HoldState(hold=hold, seats=current, currency=hold.terms.currency)


def release_seat(*, hold_id: int, token: str | None, seat_id: int) -> HoldState:
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        if not is_id(seat_id):
            raise SeatNotInHold(seat=seat_id)
        now = db_now()
        # A wheelchair space goes with the companion seats held with it (companions.py).
        released = inventory.release(
            hold_id=hold.pk,
            seat_ids=[seat_id],
            live_at=now,
            with_companions=hold.terms.has_companions,
        )
        if seat_id not in {change.seat_id for change in released}:  # rolls its companions back
            check_hold_open(hold, now)
            raise SeatNotInHold(seat=seat_id)
        refuse_stranding_release(hold, seat_id=seat_id, now=now)
        seats = seats_of_hold(hold_id=hold.pk)
    return HoldState(hold=hold, seats=seats, currency=hold.terms.currency)


def release_places(
    *, hold_id: int, token: str | None, area_id: int, quantity: int | None = None
) -> HoldState:
    """Give back `quantity` of the hold's places in a standing area (the highest numbers), or
    all of them; SeatNotInHold when the hold has none there."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        places = [
            seat.id
            for seat in seats_of_hold(hold_id=hold.pk)
            if seat.standing and seat.section_id == area_id
        ]
        if quantity is not None and quantity < 1:
            raise UnknownArea()
        chosen = places[-quantity:] if quantity is not None else places
        released = _release(hold, only=chosen, live_only=True) if chosen else []
        if not released:
            check_hold_open(hold, db_now())
            raise SeatNotInHold(seat=area_id)
        seats = seats_of_hold(hold_id=hold.pk)
    return HoldState(hold=hold, seats=seats, currency=hold.terms.currency)


def release_hold(*, hold_id: int, token: str | None) -> int:
    """Give back every seat of a hold; returns how many were released."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        released = _release(hold)
        if not released and hold.checked_out:
            raise AlreadyCheckedOut()
        return len(released)


def release_expired_holds(*, batch_size: int = 1000) -> list[SeatChange]:
    """Tidy seats whose hold has expired back to `available`. Correctness never waits for
    this (expiry is lazy); it keeps rows clean and tells watchers. Safe to run in several
    processes at once: each takes only seats no other sweeper has locked."""
    with transaction.atomic():
        return inventory.expire(now=db_now(), batch_size=batch_size)


@periodic_task
def sweep_expired_holds() -> int:
    """Free every expired hold's seats, a batch per transaction, and tell their watchers (the
    task that ops/periodic.py schedules every SANDALI_SWEEP_INTERVAL_SECONDS); returns how
    many seats it freed."""
    freed = 0
    while batch := release_expired_holds():
        freed += len(batch)
    SWEEP_RUNS.inc()
    SWEEP_SEATS_FREED.inc(freed)
    return freed


def _release(hold: OwnedHold, only: Sequence[int] = (), *, live_only: bool = False) -> list:
    """Free the hold's reserved seats (or only some; with `live_only`, nothing once the hold
    has expired)."""
    return inventory.release(
        hold_id=hold.pk, seat_ids=only, live_at=db_now() if live_only else None
    )


def _take(
    *,
    hold: OwnedHold,
    seat_ids: Sequence[int],
    areas: Sequence[AreaQuantity],
    now: datetime,
    held: set[int],
) -> list[TakenSeat]:
    """The seats, then the places: the seats by one conditional UPDATE (those free that nobody
    else is taking at this moment, SKIP LOCKED), the places area by area
    (reservations/areas.py). Anything short raises, and the whole hold rolls back."""
    taken = []
    if seat_ids:
        taken = inventory.take(
            hold_id=hold.pk,
            performance_id=hold.performance_id,
            seat_ids=seat_ids,
            expires_at=hold.expires_at,
            now=now,
        )
        if len(taken) != len(seat_ids):
            _raise_for_seats_not_taken(hold, seat_ids, held | {seat.id for seat in taken})
    if areas:
        taken += take_places(hold, areas=areas, now=now)
    # Seats freed while buyers wait for them go to the waiting list first (waiting_list.py).
    kept = kept_for_waiting_list(hold, taken=taken)
    if kept:
        raise SeatsUnavailable(seats=kept)
    return sorted(taken, key=lambda seat: seat.id)


def priced_new_seats(hold: OwnedHold, taken: list[TakenSeat]) -> list[PricedSeat]:
    """A new hold's seats: the ones just taken, priced by the UPDATE itself and named from the
    performance's cached price list (names only; a price is never taken from it)."""
    names = price_list(performance_id=hold.performance_id)
    if any((seat.section_id, seat.ticket_type_id) not in names for seat in taken):
        return seats_of_hold(hold_id=hold.pk)  # newer than the cached list
    seats = []
    for seat in taken:
        _cached_price, section, ticket_type = names[(seat.section_id, seat.ticket_type_id)]
        seats.append(
            PricedSeat(
                seat.id,
                section,
                seat.row,
                seat.number,
                ticket_type,
                money(seat.price),
                seat.version,
                seat.ticket_type_id,
                seat.section_id,
            )  # fmt: skip
        )
    return seats


def _raise_for_seats_not_taken(hold: OwnedHold, seat_ids: Sequence[int], held: set[int]) -> None:
    not_free = sorted(set(seat_ids) - held)
    # Seats that do not exist here, or have no price (not for sale), are the request's
    # mistake (422); the rest were taken by somebody else (409).
    for_sale = seats_for_sale(performance_id=hold.performance_id, seat_ids=not_free)
    invalid = set(not_free) - for_sale
    if invalid:
        raise InvalidSeats(seats=sorted(invalid))
    raise SeatsUnavailable(seats=not_free)


def close_hold(*, hold_id: int) -> None:
    """Mark the hold checked out: called by checkout in the transaction that makes its order,
    with the hold locked. Its seats are sold by then; nothing may be added or released."""
    fetch_one(
        "UPDATE reservations_hold SET checked_out = %s WHERE id = %s RETURNING id", [True, hold_id]
    )
