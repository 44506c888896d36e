"""Holding seats: hold, add, release, and freeing expired holds.

Lock order, in every transaction here: the hold row first (when it exists), then seat rows.
Seats are picked with FOR UPDATE SKIP LOCKED on PostgreSQL, so a buyer never waits on a seat
that another buyer is taking and no two buyers can deadlock, whatever the overlap or order of
their seats; a seat locked by someone else counts as not free. On SQLite every write
transaction begins IMMEDIATE (settings), which serializes writers instead.

Every statement that frees a seat filters on status = 'reserved' and on the hold, so that a
late release never touches a seat that has since been sold or held by someone else.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Now

from catalog.errors import InvalidSeats, PerformanceNotFound, SeatsUnavailable, TooManySeats
from catalog.models import Performance, Seat, SeatStatus, SectionTicketType
from catalog.selectors import effectively_available
from live.publish import publish_seat_changes
from ops.metrics import HOLD_ATTEMPTS, count_outcomes
from reservations.errors import (
    AlreadyCheckedOut,
    HoldExpired,
    SalesClosed,
    SeatNotInHold,
)
from reservations.models import Hold
from reservations.selectors import HeldSeat, owned_hold, seat_prices
from sandali.dbtime import db_now
from sandali.tokens import hash_token, new_token

# A request naming more seats than this is refused before any query, whatever the
# performance's own limit (which is checked too).
MAX_SEATS_PER_REQUEST = 100


@dataclass(frozen=True)
class HoldState:
    """A hold as its buyer sees it after a change: its live seats, with prices."""

    hold: Hold
    seats: list[HeldSeat]
    currency: str
    token: str | None = None  # only when the hold was just made

    @property
    def total(self) -> Decimal:
        return sum((s.price for s in self.seats if s.price is not None), Decimal("0.00"))


@dataclass(frozen=True)
class SeatChange:
    performance_id: int
    seat_id: int
    status: str
    version: int


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def hold_seats(*, performance_id: int, seat_ids: Sequence[int]) -> HoldState:
    """Hold all of `seat_ids` for a new buyer, or none of them."""
    _check_seat_ids(seat_ids)
    with transaction.atomic():
        performance = (
            Performance.objects.select_related("event")
            .annotate(db_now=Now())
            .filter(pk=performance_id)
            .first()
        )
        if performance is None:
            raise PerformanceNotFound()
        now = performance.db_now
        _check_sales_open(performance, now)
        _check_limit(performance, already_held=0, adding=len(seat_ids))
        token = new_token()
        hold = Hold.objects.create(
            performance=performance,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=performance.hold_minutes),
        )
        seats = _take_free_seats(hold=hold, seat_ids=seat_ids, now=now)
    return HoldState(hold=hold, seats=seats, currency=performance.event.currency, token=token)


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def add_seats(*, hold_id: int, token: str | None, seat_ids: Sequence[int]) -> HoldState:
    """Add seats to a live hold, all or nothing; seats the hold already has are kept as they are."""
    _check_seat_ids(seat_ids)
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        now = db_now()
        _check_hold_open(hold, now)
        _check_sales_open(hold.performance, now)
        held = set(
            Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED).values_list("id", flat=True)
        )
        new_ids = [seat_id for seat_id in seat_ids if seat_id not in held]
        _check_limit(hold.performance, already_held=len(held), adding=len(new_ids))
        seats = (
            _take_free_seats(hold=hold, seat_ids=new_ids, now=now)
            if new_ids
            else seat_prices(Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED))
        )
    return HoldState(hold=hold, seats=seats, currency=hold.performance.event.currency)


def release_seat(*, hold_id: int, token: str | None, seat_id: int) -> HoldState:
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        _check_hold_open(hold, db_now())
        seats = seat_prices(Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED))
        released = [seat for seat in seats if seat.id == seat_id]
        if not released or not _release(Seat.objects.filter(hold=hold, id=seat_id)):
            raise SeatNotInHold(seat=seat_id)
        publish_seat_changes(_freed(hold, released), reason="released")
    kept = [seat for seat in seats if seat.id != seat_id]
    return HoldState(hold=hold, seats=kept, currency=hold.performance.event.currency)


def release_hold(*, hold_id: int, token: str | None) -> int:
    """Give back every seat of a hold; returns how many were released."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        if hasattr(hold, "order"):
            raise AlreadyCheckedOut()
        held = list(
            Seat.objects.select_for_update()
            .filter(hold=hold, status=SeatStatus.RESERVED)
            .values_list("id", "version")
        )
        released = _release(Seat.objects.filter(id__in=[i for i, _v in held], hold=hold))
        publish_seat_changes(
            ((hold.performance_id, i, SeatStatus.AVAILABLE, v + 1) for i, v in held),
            reason="released",
        )
        return released


def release_expired_holds(*, batch_size: int = 1000) -> list[SeatChange]:
    """Tidy seats whose hold has expired back to `available`. Correctness never waits for
    this (expiry is lazy); it keeps rows clean and tells watchers. Safe to run in several
    processes at once: each takes only seats no other sweeper has locked."""
    with transaction.atomic():
        now = db_now()
        expired = list(
            Seat.objects.select_for_update(skip_locked=True)
            .filter(status=SeatStatus.RESERVED, hold_expires_at__lte=now)
            .order_by("id")
            .values_list("performance_id", "id", "version")[:batch_size]
        )
        if not expired:
            return []
        _release(Seat.objects.filter(id__in=[i for _p, i, _v in expired], hold_expires_at__lte=now))
        changes = [SeatChange(p, i, SeatStatus.AVAILABLE, v + 1) for p, i, v in expired]
        publish_seat_changes(
            ((c.performance_id, c.seat_id, c.status, c.version) for c in changes),
            reason="expired",
        )
        return changes


def _freed(hold: Hold, seats: list[HeldSeat]):
    return ((hold.performance_id, s.id, SeatStatus.AVAILABLE, s.version + 1) for s in seats)


def _release(seats) -> int:
    return seats.filter(status=SeatStatus.RESERVED).update(
        status=SeatStatus.AVAILABLE, hold=None, hold_expires_at=None, version=F("version") + 1
    )


def _take_free_seats(*, hold: Hold, seat_ids: Sequence[int], now: datetime) -> list[HeldSeat]:
    """One conditional UPDATE: the seats that are free and that nobody else is taking at this
    moment (SKIP LOCKED) become this hold's; fewer than asked rolls the whole hold back.
    Returns every seat of the hold, with its price."""
    priced = SectionTicketType.objects.filter(
        section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
    )
    free = Seat.objects.select_for_update(skip_locked=True).filter(
        effectively_available(now),
        Exists(priced),
        performance_id=hold.performance_id,
        id__in=seat_ids,
    )
    taken = Seat.objects.filter(id__in=Subquery(free.values("id"))).update(
        status=SeatStatus.RESERVED,
        hold=hold,
        hold_expires_at=hold.expires_at,
        version=F("version") + 1,
    )
    seats = seat_prices(Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED))
    if taken != len(seat_ids):
        _raise_for_seats_not_taken(hold, seat_ids, {s.id for s in seats}, priced)
    publish_seat_changes(
        (
            (hold.performance_id, s.id, SeatStatus.RESERVED, s.version)
            for s in seats
            if s.id in set(seat_ids)
        ),
        reason="held",
    )
    return seats


def _raise_for_seats_not_taken(hold: Hold, seat_ids, held: set[int], priced) -> None:
    not_free = set(seat_ids) - held
    # Seats that do not exist here, or have no price (not for sale), are the request's
    # mistake (422); the rest were taken by somebody else (409).
    for_sale = Seat.objects.filter(
        Exists(priced), performance_id=hold.performance_id, id__in=not_free
    )
    invalid = not_free - set(for_sale.values_list("id", flat=True))
    if invalid:
        raise InvalidSeats(seats=sorted(invalid))
    raise SeatsUnavailable(seats=sorted(not_free))


def _check_seat_ids(seat_ids: Sequence[int]) -> None:
    if len(seat_ids) > MAX_SEATS_PER_REQUEST:
        raise TooManySeats(limit=MAX_SEATS_PER_REQUEST)
    if not seat_ids:
        raise InvalidSeats(seats=[])
    if len(set(seat_ids)) != len(seat_ids):
        repeated = sorted({s for s in seat_ids if list(seat_ids).count(s) > 1})
        raise InvalidSeats(seats=repeated)


def _check_limit(performance: Performance, *, already_held: int, adding: int) -> None:
    if already_held + adding > performance.max_seats_per_order:
        raise TooManySeats(limit=performance.max_seats_per_order)


def _check_sales_open(performance: Performance, now: datetime) -> None:
    if not performance.sales_start <= now < performance.sales_end:
        raise SalesClosed()


def _check_hold_open(hold: Hold, now: datetime) -> None:
    if hasattr(hold, "order"):
        raise AlreadyCheckedOut()
    if hold.expires_at <= now:
        raise HoldExpired()
