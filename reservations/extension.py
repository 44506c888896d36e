"""More time for a buyer at the payment step (issue #18 item 7): a hold may be extended once,
by its performance's `hold_extension_minutes` (0: never; at most
catalog.models.performances.MAX_HOLD_EXTENSION_MINUTES), and never after it has expired.

Lock order, as in every hold transaction: the hold row first, then its seats (the inventory's
`extend`, one UPDATE). "Expired" is decided by the database clock read after the hold's lock,
and again by the seats themselves: a seat whose expiry had passed is free, may be another
buyer's already, and is never given back; if any of the hold's seats is no longer live, the
whole extension is refused and nothing changes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from catalog import inventory
from catalog.models import Performance, Seat, SeatStatus
from core.dbtime import db_now
from reservations.errors import (
    AlreadyCheckedOut,
    HoldAlreadyExtended,
    HoldExpired,
    HoldExtensionNotOffered,
)
from reservations.models import Hold
from reservations.selectors import owned_hold


@dataclass(frozen=True)
class ExtendedHold:
    hold_id: int
    expires_at: datetime
    seats: int


def extend_hold(*, hold_id: int, token: str | None) -> ExtendedHold:
    """Give the hold its performance's extension minutes, once, while it is live; raises
    HoldNotFound (not theirs), AlreadyCheckedOut, HoldExtensionNotOffered,
    HoldAlreadyExtended or HoldExpired, and then changes nothing."""
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        if hold.checked_out:
            raise AlreadyCheckedOut()
        minutes = (
            Performance.objects.filter(pk=hold.performance_id)
            .values_list("hold_extension_minutes", flat=True)
            .get()
        )
        if not minutes:
            raise HoldExtensionNotOffered()
        if Hold.objects.filter(pk=hold.id, extended=True).exists():
            raise HoldAlreadyExtended()
        now = db_now()
        if hold.expires_at <= now:
            raise HoldExpired()
        held = Seat.objects.filter(hold_id=hold.id, status=SeatStatus.RESERVED).count()
        until = hold.expires_at + timedelta(minutes=minutes)
        if not held or inventory.extend(hold_id=hold.id, until=until, live_at=now) != held:
            raise HoldExpired()  # a seat's expiry passed: it may be someone else's now
        Hold.objects.filter(pk=hold.id).update(expires_at=until, extended=True)
        return ExtendedHold(hold_id=hold.id, expires_at=until, seats=held)


def extension_offered(*, hold_id: int) -> int:
    """The minutes the hold's buyer may still add (0: none offered, or already used): what
    the payment step offers. Extending decides again, under the hold's lock."""
    row = (
        Hold.objects.filter(pk=hold_id, extended=False, checked_out=False)
        .values_list("performance__hold_extension_minutes", flat=True)
        .first()
    )
    return row or 0


def keep_for_payment_page(*, hold_id: int, first_visit_at: datetime | None) -> datetime | None:
    """Keep a hold while its buyer is at the payment provider's page: until its performance's
    `payment_page_minutes` after the first visit began (`first_visit_at`, or now for the
    first), and never past that however often the buyer goes back, nor shortened. Returns the
    hold's expiry, or None if the hold is no longer live (a seat's expiry passed: it may be
    someone else's), and then changes nothing. Not the buyer's one extension (`extended`)."""
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold_id)  # the hold row first
        minutes = (
            Performance.objects.filter(pk=hold.performance_id)
            .values_list("payment_page_minutes", flat=True)
            .get()
        )
        now = db_now()
        held = Seat.objects.filter(hold_id=hold.id, status=SeatStatus.RESERVED).count()
        if hold.checked_out or hold.expires_at <= now or not held:
            return None
        until = (first_visit_at or now) + timedelta(minutes=minutes)
        if until <= hold.expires_at:
            return hold.expires_at
        if inventory.extend(hold_id=hold.id, until=until, live_at=now) != held:
            transaction.set_rollback(True)
            return None
        Hold.objects.filter(pk=hold.id).update(expires_at=until)
        return until
