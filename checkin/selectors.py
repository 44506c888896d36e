"""Reading the door: the ticket a scan names, its check-in, the check-in list a device takes
offline, and how many are in, counted from the rows at each read."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q

from catalog.models import Performance
from checkin.errors import TicketNotFound
from checkin.models import CheckIn, CheckinConflict, CheckinDevice
from core.signing import b64url, public_key
from orders.models import Ticket
from orders.passes import InvalidPass, read_pass


@dataclass(frozen=True)
class TicketAtDoor:
    id: int
    code: str
    valid: bool
    performance_id: int
    event: str
    starts_at: datetime
    section: str
    row: str
    number: int
    ticket_type: str


TICKET_AT_DOOR = (
    "id", "code", "valid", "order__performance_id", "order__performance__event__name",
    "order__performance__starts_at", "seat__section__name", "seat__row", "seat__number",
    "ticket_type__name",
)  # fmt: skip


def ticket_at_door(text: str) -> TicketAtDoor:
    """The ticket a scanned pass or a typed code names. TicketNotFound for a pass whose
    signature does not verify as for a code no ticket has: the answer never says which."""
    try:
        scanned = read_pass(text)
    except InvalidPass:
        raise TicketNotFound() from None
    ticket = _ticket(code=scanned.code)
    if ticket is None or scanned.performance_id not in (None, ticket.performance_id):
        # (A pass signed for another show than its order's was never issued.)
        raise TicketNotFound()
    return ticket


def ticket_still_valid(*, ticket_id: int, code: str) -> bool:
    """Whether the ticket is still valid under the code that was scanned, its row locked
    until the caller's transaction ends: a cancellation or a move to another seat (which gives
    the ticket a new code) that has not yet committed is waited for, and one that comes later
    waits for this check-in (it writes the same row)."""
    rows = Ticket.objects.filter(pk=ticket_id, code=code).select_for_update(no_key=True)
    return bool(rows.values_list("valid", flat=True).first())


def ticket_at_door_by_id(ticket_id: int) -> TicketAtDoor:
    return _ticket(pk=ticket_id)


def _ticket(**where) -> TicketAtDoor | None:
    row = Ticket.objects.filter(**where).values_list(*TICKET_AT_DOOR).first()
    return TicketAtDoor(*row) if row else None


@dataclass(frozen=True)
class CheckedIn:
    """A ticket's check-in: which device let it in, and when."""

    id: int
    device_id: int
    device: str
    scanned_at: datetime
    offline: bool
    local_id: str


def checkin_of(*, ticket_id: int, for_update: bool = False) -> CheckedIn | None:
    rows = CheckIn.objects.filter(ticket_id=ticket_id)
    if for_update:
        # The row alone, then read it: locked with its device joined, a row that another
        # transaction moved to another device meanwhile would fail PostgreSQL's recheck of
        # the join and be skipped as if it did not exist.
        rows.select_for_update().values_list("pk").first()
    row = rows.values_list(
        "pk", "device_id", "device__name", "scanned_at", "offline", "local_id"
    ).first()
    return CheckedIn(*row) if row else None


@dataclass(frozen=True)
class EarlierScan:
    """What became of a scan this device already sent (an upload sent again)."""

    ticket_id: int
    conflict: str  # "" when the scan is the ticket's check-in, else the conflict's kind


def earlier_scan(*, device_id: int, local_id: str) -> EarlierScan | None:
    found = CheckIn.objects.filter(device_id=device_id, local_id=local_id).values_list(
        "ticket_id", flat=True
    )
    for ticket_id in found:
        return EarlierScan(ticket_id=ticket_id, conflict="")
    conflicts = CheckinConflict.objects.filter(device_id=device_id, local_id=local_id)
    for ticket_id, kind in conflicts.values_list("ticket_id", "kind"):
        return EarlierScan(ticket_id=ticket_id, conflict=kind)
    return None


def code_hash(code: str) -> str:
    """How the check-in list names a ticket: the SHA-256 of its code, so that the list on a
    lost phone lets nobody type a ticket's code at another door."""
    return hashlib.sha256(code.encode()).hexdigest()


LIST_COLUMNS = (
    "hash", "section", "row", "number", "ticket_type", "valid", "checked_in_at", "checked_in_by",
)  # fmt: skip


def checkin_list_version(*, performance_id: int) -> str:
    """A version of the performance's check-in list, from one aggregate query: it changes when
    a ticket is sold or cancelled, and when a check-in is made or moved to an earlier scan."""
    figures = Ticket.objects.filter(order__performance_id=performance_id).aggregate(
        tickets=Count("id"),
        valid=Count("id", filter=Q(valid=True)),
        newest=Max("id"),
        checkins=Count("checkin"),
        changed=Max("checkin__recorded_at"),
    )
    signature = f"{performance_id}:{sorted(figures.items())}:{b64url(public_key())}"
    return hashlib.sha256(signature.encode()).hexdigest()[:32]


def checkin_list(*, performance_id: int) -> list[tuple]:
    """Every ticket of the performance as a row of LIST_COLUMNS, cancelled ones included (so
    that an offline scanner refuses them)."""
    rows = (
        Ticket.objects.filter(order__performance_id=performance_id)
        .order_by("id")
        .values_list(
            "code",
            "seat__section__name",
            "seat__row",
            "seat__number",
            "ticket_type__name",
            "valid",
            "checkin__scanned_at",
            "checkin__device__name",
        )  # fmt: skip
    )
    return [(code_hash(code), *rest) for code, *rest in rows]


@dataclass(frozen=True)
class DoorCount:
    performance_id: int
    section: str
    expected: int  # valid tickets
    admitted: int  # valid tickets with a check-in


def door_counts(*, performance_ids=None) -> list[DoorCount]:
    """Admitted / expected per performance and section, in one grouped query over tickets."""
    tickets = Ticket.objects.filter(valid=True)
    if performance_ids is not None:
        tickets = tickets.filter(order__performance_id__in=performance_ids)
    rows = (
        tickets.values_list("order__performance_id", "seat__section__name")
        .annotate(expected=Count("id"), admitted=Count("checkin"))
        .order_by("order__performance_id", "seat__section__position", "seat__section__name")
    )
    return [DoorCount(*row) for row in rows]


def conflict_counts(*, performance_ids=None) -> list[tuple[int, str, int]]:
    """(performance id, kind, how many) of the recorded conflicts."""
    conflicts = CheckinConflict.objects.all()
    if performance_ids is not None:
        conflicts = conflicts.filter(performance_id__in=performance_ids)
    rows = conflicts.values_list("performance_id", "kind").annotate(n=Count("id"))
    return list(rows.order_by("performance_id", "kind"))


def performances_at_the_door():
    """The performances some device that is not revoked may check in: those whose door is
    watched (the metrics report these, so their labels do not grow with every past show)."""
    return CheckinDevice.performances.through.objects.filter(
        checkindevice__revoked_at__isnull=True
    ).values("performance_id")


@dataclass(frozen=True)
class DoorPerformance:
    id: int
    event: str
    starts_at: datetime


def door_performances(*, performance_ids) -> list[DoorPerformance]:
    rows = (
        Performance.objects.filter(pk__in=performance_ids)
        .order_by("starts_at", "id")
        .values_list("pk", "event__name", "starts_at")
    )
    return [DoorPerformance(*row) for row in rows]
