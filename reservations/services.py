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

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from catalog.errors import InvalidSeats, SeatsUnavailable, TooManySeats
from catalog.models import Performance, Seat, SeatStatus, SectionTicketType
from catalog.selectors import effectively_available, get_performance
from live.publish import publish_seat_changes
from ops.metrics import HOLD_ATTEMPTS, count_outcomes
from reservations.errors import (
    AlreadyCheckedOut,
    HoldExpired,
    SalesClosed,
    SeatNotInHold,
)
from reservations.models import Hold
from reservations.selectors import owned_hold
from sandali.dbtime import db_now
from sandali.tokens import hash_token, new_token

# A request naming more seats than this is refused before any query, whatever the
# performance's own limit (which is checked too).
MAX_SEATS_PER_REQUEST = 100


@dataclass(frozen=True)
class NewHold:
    hold: Hold
    token: str


@dataclass(frozen=True)
class SeatChange:
    performance_id: int
    seat_id: int
    status: str
    version: int


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def hold_seats(*, performance_id: int, seat_ids: Sequence[int]) -> NewHold:
    """Hold all of `seat_ids` for a new buyer, or none of them."""
    _check_seat_ids(seat_ids)
    with transaction.atomic():
        now = db_now()
        performance = get_performance(performance_id=performance_id)
        _check_sales_open(performance, now)
        _check_limit(performance, already_held=0, adding=len(seat_ids))
        token = new_token()
        hold = Hold.objects.create(
            performance=performance,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=performance.hold_minutes),
        )
        _take_free_seats(performance_id=performance.pk, seat_ids=seat_ids, hold=hold, now=now)
    return NewHold(hold=hold, token=token)


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def add_seats(*, hold_id: int, token: str | None, seat_ids: Sequence[int]) -> Hold:
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
        if new_ids:
            _take_free_seats(
                performance_id=hold.performance_id, seat_ids=new_ids, hold=hold, now=now
            )
    return hold


def release_seat(*, hold_id: int, token: str | None, seat_id: int) -> Hold:
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        _check_hold_open(hold, db_now())
        released = _release(Seat.objects.filter(hold=hold, id=seat_id))
        if not released:
            raise SeatNotInHold(seat=seat_id)
        publish_seat_changes([seat_id], reason="released")
    return hold


def release_hold(*, hold_id: int, token: str | None) -> int:
    """Give back every seat of a hold; returns how many were released."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        if hasattr(hold, "order"):
            raise AlreadyCheckedOut()
        held = Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED)
        ids = list(held.values_list("id", flat=True))
        released = _release(Seat.objects.filter(id__in=ids, hold=hold))
        publish_seat_changes(ids, reason="released")
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
            .values_list("id", flat=True)[:batch_size]
        )
        if not expired:
            return []
        _release(Seat.objects.filter(id__in=expired, hold_expires_at__lte=now))
        return [SeatChange(*row) for row in publish_seat_changes(expired, reason="expired")]


def _release(seats) -> int:
    return seats.filter(status=SeatStatus.RESERVED).update(
        status=SeatStatus.AVAILABLE, hold=None, hold_expires_at=None, version=F("version") + 1
    )


def _take_free_seats(
    *, performance_id: int, seat_ids: Sequence[int], hold: Hold, now: datetime
) -> None:
    priced = SectionTicketType.objects.filter(
        section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
    )
    free = list(
        Seat.objects.select_for_update(skip_locked=True)
        .filter(
            effectively_available(now),
            Exists(priced),
            performance_id=performance_id,
            id__in=seat_ids,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(free) != len(seat_ids):
        not_free = set(seat_ids) - set(free)
        # Seats that do not exist here, or have no price (not for sale), are the request's
        # mistake (422); the rest were taken by somebody else (409).
        for_sale = Seat.objects.filter(
            Exists(priced), performance_id=performance_id, id__in=not_free
        )
        invalid = not_free - set(for_sale.values_list("id", flat=True))
        if invalid:
            raise InvalidSeats(seats=sorted(invalid))
        raise SeatsUnavailable(seats=sorted(not_free))
    Seat.objects.filter(id__in=free).update(
        status=SeatStatus.RESERVED,
        hold=hold,
        hold_expires_at=hold.expires_at,
        version=F("version") + 1,
    )
    publish_seat_changes(free, reason="held")


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
