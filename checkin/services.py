"""Letting tickets in: one scan at a time online, or a scanner's offline scans uploaded later.

A ticket has at most one CheckIn row (UNIQUE on the ticket), written only here: two gates that
scan it at the same instant both INSERT, the database keeps one, and the other gate is told
it was already used. First scan wins, by when it was scanned, across devices and uploads: an
offline scan at 19:40 uploaded after an online one at 19:41 becomes the check-in, and the
19:41 scan becomes a conflict. Every scan that let somebody in although the ticket did not
allow it (a second use, a cancelled ticket, another show's ticket) is recorded as a
CheckinConflict for the organizer.

Lock order: the ticket's row (an online scan: against a cancellation in progress), then its
check-in row (FOR UPDATE); each scan is its own transaction.
Time: the database's clock for online scans; an offline scan's time is the device's clock,
corrected by the offset between the device's clock and the database's when it uploads.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.timezone import localtime

from checkin.devices import Device
from checkin.errors import (
    AlreadyCheckedIn,
    PerformanceNotServed,
    TicketCancelled,
    TicketNotFound,
    WrongPerformance,
)
from checkin.models import CheckIn, CheckinConflict, ConflictKind
from checkin.selectors import (
    CheckedIn,
    TicketAtDoor,
    checkin_of,
    earlier_scan,
    ticket_at_door,
    ticket_at_door_by_id,
    ticket_still_valid,
)
from core.dbtime import DbNow, db_now, now_sql
from core.errors import DomainError
from core.sql import as_datetime, as_param, fetch_one


@dataclass(frozen=True)
class Admission:
    """A ticket let in, and the check-in that lets it in."""

    ticket: TicketAtDoor
    checked_in: CheckedIn


def check_in(
    *, device: Device, text: str, performance_id: int | None = None, local_id: str = ""
) -> Admission:
    """Let in the ticket a scanned pass or typed code names, now (online). `performance_id`,
    when given, is the show at this door; else any show the device serves. Raises
    TicketNotFound, WrongPerformance, TicketCancelled, or AlreadyCheckedIn (with when and
    where). The same scan sent again (same device and local_id) gets the same admission."""
    if performance_id is not None and performance_id not in device.performance_ids:
        raise PerformanceNotServed()
    ticket = ticket_at_door(text)
    if ticket.performance_id not in device.performance_ids or performance_id not in (
        None,
        ticket.performance_id,
    ):
        raise WrongPerformance()
    if not ticket.valid:
        raise TicketCancelled()
    earlier = earlier_scan(device_id=device.id, local_id=local_id) if local_id else None
    if earlier is not None and earlier.ticket_id != ticket.id:
        local_id = ""  # the scanner used this id for another ticket: not the same scan
    with transaction.atomic():
        if not ticket_still_valid(ticket_id=ticket.id, code=ticket.code):  # cancelled or moved
            raise TicketCancelled()
        checked_in = _insert_checkin(device, ticket, scanned_at=None, local_id=local_id)
        if checked_in is None:
            existing = checkin_of(ticket_id=ticket.id)
            if not _same_scan(existing, device, local_id):
                raise already_checked_in(existing)
            checked_in = existing
    return Admission(ticket=ticket, checked_in=checked_in)


def already_checked_in(checked_in: CheckedIn) -> AlreadyCheckedIn:
    return AlreadyCheckedIn(
        time=f"{localtime(checked_in.scanned_at):%H:%M}",
        device=checked_in.device,
        checked_in_at=checked_in.scanned_at.isoformat(),
    )


@dataclass(frozen=True)
class OfflineScan:
    text: str
    scanned_at: datetime  # by the device's clock
    local_id: str


@dataclass(frozen=True)
class ScanOutcome:
    """What Sandali recorded for one uploaded scan: admitted (it is the ticket's check-in) or
    the error a scan made online would have met. `conflict` says a CheckinConflict was recorded
    for it: the scanner let somebody in whom the door should have refused."""

    local_id: str
    ticket: TicketAtDoor | None
    checked_in: CheckedIn | None
    error: DomainError | None = None
    conflict: bool = False

    @property
    def result(self) -> str:
        return self.error.code if self.error else "admitted"


def upload_scans(
    *, device: Device, scans: Sequence[OfflineScan], sent_at: datetime | None = None
) -> list[ScanOutcome]:
    """Record the scans a device admitted while offline, earliest first; one outcome per scan,
    in the order sent. `sent_at` is the device's clock when it sent them: the difference from
    the database's clock corrects every scan's time (a scan is never later than now)."""
    now = db_now()
    skew = now - sent_at if sent_at else timedelta(0)
    outcomes: dict[str, ScanOutcome] = {}
    for scan in sorted(scans, key=lambda scan: scan.scanned_at):
        if scan.local_id in outcomes:
            continue
        try:
            at = min(scan.scanned_at + skew, now)
        except OverflowError:  # a clock gone wild (year 1 or 9999): never later than now
            at = now if skew > timedelta(0) else scan.scanned_at
        try:
            outcomes[scan.local_id] = _record_offline_scan(device, scan, at)
        except IntegrityError:
            # The same upload, sent twice at once, recorded this scan meanwhile: read it back.
            outcomes[scan.local_id] = _record_offline_scan(device, scan, at)
    return [outcomes[scan.local_id] for scan in scans]


def _record_offline_scan(device: Device, scan: OfflineScan, at: datetime) -> ScanOutcome:
    with transaction.atomic():
        earlier = earlier_scan(device_id=device.id, local_id=scan.local_id)
        if earlier is not None:
            return _outcome_again(scan.local_id, earlier.ticket_id, earlier.conflict)
        try:
            ticket = ticket_at_door(scan.text)
        except TicketNotFound as error:
            return ScanOutcome(scan.local_id, None, None, error)
        if ticket.performance_id not in device.performance_ids:
            _conflict(ConflictKind.WRONG_PERFORMANCE, ticket, device, scan, at)
            return ScanOutcome(scan.local_id, ticket, None, WrongPerformance(), conflict=True)
        if not ticket.valid:
            _conflict(ConflictKind.CANCELLED_ADMITTED, ticket, device, scan, at)
            return ScanOutcome(scan.local_id, ticket, None, TicketCancelled(), conflict=True)
        checked_in = _insert_checkin(device, ticket, scanned_at=at, local_id=scan.local_id)
        if checked_in is not None:
            return ScanOutcome(scan.local_id, ticket, checked_in)
        existing = checkin_of(ticket_id=ticket.id, for_update=True)
        if existing.scanned_at <= at:  # the ticket's check-in came first: this is the second use
            _conflict(ConflictKind.USED_TWICE, ticket, device, scan, at)
            error = already_checked_in(existing)
            return ScanOutcome(scan.local_id, ticket, existing, error, conflict=True)
        # This scan came first: it becomes the check-in, the one recorded before a conflict.
        _move_checkin_to_conflict(ticket, existing)
        moved = _move_checkin(existing, device, at=at, local_id=scan.local_id)
        return ScanOutcome(scan.local_id, ticket, moved, conflict=True)


def _outcome_again(local_id: str, ticket_id: int, conflict: str) -> ScanOutcome:
    """The outcome of a scan already recorded, as it stands now."""
    ticket = ticket_at_door_by_id(ticket_id)
    checked_in = checkin_of(ticket_id=ticket_id)
    errors = {
        ConflictKind.USED_TWICE: lambda: already_checked_in(checked_in),
        ConflictKind.CANCELLED_ADMITTED: TicketCancelled,
        ConflictKind.WRONG_PERFORMANCE: WrongPerformance,
    }
    error = errors[conflict]() if conflict else None
    return ScanOutcome(local_id, ticket, checked_in, error, conflict=bool(conflict))


def _same_scan(checked_in: CheckedIn, device: Device, local_id: str) -> bool:
    return bool(local_id) and (checked_in.device_id, checked_in.local_id) == (device.id, local_id)


def _insert_checkin(
    device: Device, ticket: TicketAtDoor, *, scanned_at: datetime | None, local_id: str
) -> CheckedIn | None:
    """The ticket's check-in, unless it has one already (then None): one INSERT that the
    UNIQUE constraint on the ticket lets through once, however many gates send it at once."""
    now = now_sql()
    scanned = "%s" if scanned_at else now
    params = [as_param(scanned_at)] if scanned_at else []
    row = fetch_one(
        f"""INSERT INTO checkin_checkin
                (ticket_id, device_id, scanned_at, recorded_at, offline, local_id)
            VALUES (%s, %s, {scanned}, {now}, %s, %s)
            ON CONFLICT (ticket_id) DO NOTHING
            RETURNING id, scanned_at""",
        [ticket.id, device.id, *params, scanned_at is not None, local_id],
    )
    if row is None:
        return None
    return CheckedIn(
        row[0], device.id, device.name, as_datetime(row[1]), scanned_at is not None, local_id
    )


def _conflict(kind: str, ticket: TicketAtDoor, device: Device, scan: OfflineScan, at) -> None:
    CheckinConflict.objects.create(
        ticket_id=ticket.id,
        performance_id=ticket.performance_id,
        kind=kind,
        device_id=device.id,
        scanned_at=at,
        recorded_at=DbNow(),
        offline=True,
        local_id=scan.local_id,
    )


def _move_checkin_to_conflict(ticket: TicketAtDoor, existing: CheckedIn) -> None:
    CheckinConflict.objects.create(
        ticket_id=ticket.id,
        performance_id=ticket.performance_id,
        kind=ConflictKind.USED_TWICE,
        device_id=existing.device_id,
        scanned_at=existing.scanned_at,
        recorded_at=DbNow(),
        offline=existing.offline,
        local_id=existing.local_id,
    )


def _move_checkin(existing: CheckedIn, device: Device, *, at: datetime, local_id: str):
    CheckIn.objects.filter(pk=existing.id).update(
        device_id=device.id, scanned_at=at, recorded_at=DbNow(), offline=True, local_id=local_id
    )
    return CheckedIn(existing.id, device.id, device.name, at, True, local_id)
