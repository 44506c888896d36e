"""The inventory: the only code that writes seat rows (DESIGN.md principle 8).

Every change of a seat's status (take, release, expire, sell, unsell, block, unblock) and each
of the audit's repairs is one UPDATE that bumps each changed seat's `version` and returns the
seats as they now are; the changes reach watchers after commit (core/publish.py). Creating a
layout's seats is the one INSERT. A test fails if any other module writes the seat table
(tests/seat_writes.py, shown to work in tests/catalog/test_inventory.py).

Who may take a seat is decided by two rules, written once, here, in SQL and in the ORM side by
side (a property test checks that they select the same seats):
- FREE: available, or reserved by a hold whose expiry has passed (lazy expiry: nothing waits
  for the sweeper) — what a hold or a block may take;
- LIVE: reserved by a hold whose expiry has not passed.
"Now" is the database's clock (core/dbtime.py), never an app server's.

The statements of taking, releasing and selling are built by pure functions
(catalog/seat_statements.py: `take_statement`, `release_statement`, `sell_statement`) that
need no database connection: the inventory runs them through Django, and the benchmark's bare
client (bench/limit.py) sends the very same text through psycopg, so that the limit Sandali is
measured against can never drift from it.

Locks: seats are taken FOR UPDATE SKIP LOCKED on PostgreSQL, so a buyer never waits on a seat
another buyer is taking and no two buyers deadlock; a seat locked by someone else counts as
not free. Every statement that frees a seat filters on status = 'reserved' (and on the hold),
so a late release never touches a seat that has since been sold or held by someone else.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from catalog.models import PLACE_ROW, Seat, SeatStatus

# The rules and statement builders are the inventory's own, kept in catalog/seat_statements.py
# only for size: callers name them through the inventory (inventory.FREE_SQL, ...).
from catalog.seat_statements import FREE_SQL as FREE_SQL
from catalog.seat_statements import (
    HELD_BACK_SQL,
    SEATS,
    TAKE_PLACES_SQL,
    Statement,
    back_to_channel,
    free,
    release_statement,
    sell_statement,
    take_held_back_statement,
    take_statement,
    write_statement,
)
from catalog.seat_statements import LIVE_SQL as LIVE_SQL
from catalog.seat_statements import free_sql as free_sql
from catalog.seat_statements import lapsed_to_channel as lapsed_to_channel
from catalog.seat_statements import live as live
from catalog.seat_statements import live_sql as live_sql
from core.dbtime import DbNow
from core.publish import publish_area_counts, publish_seat_changes
from core.sql import as_param, fetch_all, in_list, lock


@dataclass(frozen=True, order=True)
class SeatChange:
    """A seat as a write left it: what watchers are told."""

    performance_id: int
    seat_id: int
    status: str
    version: int


@dataclass(frozen=True)
class TakenSeat:
    """A seat just taken by a hold, with what the hold shows of it."""

    id: int
    version: int
    section_id: int
    ticket_type_id: int
    row: str
    number: int
    price: Decimal | None


def _update(assignments: str, condition: str, params: Sequence, *, reason: str):
    return _run(write_statement(assignments, condition, params), reason=reason)


def _run(statement: Statement, *, reason: str) -> list[SeatChange]:
    """Run a seat write and publish the seats it changed (after commit)."""
    rows = fetch_all(statement.sql, statement.params)
    changes = sorted(SeatChange(*row[:4]) for row in rows)
    in_area = {row[1] for row in rows if row[5] == PLACE_ROW}
    areas = {row[4] for row in rows if row[5] == PLACE_ROW}
    publish_seat_changes(
        ((c.performance_id, c.seat_id, c.status, c.version) for c in changes
         if c.seat_id not in in_area),
        reason=reason,
    )  # fmt: skip
    _publish_areas(areas, count=len(in_area), reason=reason)
    return changes


# Standing areas. Their places are seat rows, written by the statements above like any seat;
# watchers are not sent thousands of places but each area's count of free places, read after
# commit with the sum of its places' versions: every change of a place bumps its version, so
# the sum only grows, and a client keeps the count with the highest sum whatever order the
# messages arrive in (the seats' rule, DESIGN.md principle 6, for an area as a whole).


def area_counts(section_ids: set[int]) -> dict[int, list[list[int]]]:
    """Performance id -> [[area id, free places, sum of versions], ...] for these areas."""
    rows = (
        Seat.objects.filter(section_id__in=section_ids)
        .values("performance_id", "section_id")
        .annotate(free=Count("id", filter=free(DbNow())), version=Sum("version"))
        .order_by("section_id")
    )
    counts: dict[int, list[list[int]]] = {}
    for row in rows:
        counts.setdefault(row["performance_id"], []).append(
            [row["section_id"], row["free"], row["version"]]
        )
    return counts


def _publish_areas(section_ids: set[int], *, count: int, reason: str) -> None:
    if section_ids:
        publish_area_counts(lambda: area_counts(section_ids), places=count, reason=reason)


def take(
    *,
    hold_id: int,
    performance_id: int,
    seat_ids: Sequence[int],
    expires_at: datetime,
    now: datetime,
) -> list[TakenSeat]:
    """Reserve for the hold those of `seat_ids` that are free and for sale; returns the seats
    taken (fewer than asked: the caller rolls back, all or nothing)."""
    statement = take_statement(
        hold_id=hold_id,
        performance_id=performance_id,
        seat_ids=seat_ids,
        expires_at=as_param(expires_at),
        now=as_param(now),
        vendor=connection.vendor,
    )
    return _taken(performance_id, statement)


def _taken(performance_id: int, statement: Statement) -> list[TakenSeat]:
    """Run a take and publish the seats it reserved (after commit)."""
    rows = fetch_all(statement.sql, statement.params)
    taken = sorted((TakenSeat(*row) for row in rows), key=lambda seat: seat.id)
    places = [seat for seat in taken if seat.row == PLACE_ROW]
    publish_seat_changes(
        ((performance_id, s.id, SeatStatus.RESERVED, s.version) for s in taken
         if s.row != PLACE_ROW),
        reason="held",
    )  # fmt: skip
    _publish_areas({s.section_id for s in places}, count=len(places), reason="held")
    return taken


def take_places(
    *,
    hold_id: int,
    performance_id: int,
    area_id: int,
    quantity: int,
    expires_at: datetime,
    now: datetime,
    wait: bool = False,
) -> list[TakenSeat]:
    """Reserve for the hold up to `quantity` free places of the area in one statement; returns
    the places taken (fewer than asked: the caller decides). Places another buyer is taking
    are skipped (SKIP LOCKED), unless `wait`: then each locked place is waited for, in number
    order (so two waiting buyers never deadlock), and taken if its taker gave it back."""
    sql = TAKE_PLACES_SQL.format(lock=lock(skip_locked=not wait))
    params = [
        performance_id,
        area_id,
        PLACE_ROW,
        as_param(now),
        area_id,
        int(quantity),
        hold_id,
        as_param(expires_at),
    ]
    taken = sorted((TakenSeat(*row) for row in fetch_all(sql, params)), key=lambda s: s.id)
    _publish_areas({area_id} if taken else set(), count=len(taken), reason="held")
    return taken


def release(
    *,
    hold_id: int,
    seat_ids: Sequence[int] = (),
    live_at: datetime | None = None,
    with_companions: bool = False,
) -> list[SeatChange]:
    """Give back the hold's reserved seats (or only `seat_ids`, with `with_companions` the
    hold's companion seats of those too); with `live_at`, only while the hold is live at that
    moment (an expired hold's seats are free already)."""
    statement = release_statement(
        hold_id=hold_id,
        seat_ids=seat_ids,
        live_at=None if live_at is None else as_param(live_at),
        with_companions=with_companions,
    )
    return _run(statement, reason="released")


def extend(*, hold_id: int, until: datetime, live_at: datetime) -> int:
    """Move the expiry of the hold's seats that are still LIVE at `live_at` to `until`;
    returns how many. No status changes, so no version is bumped and watchers are told
    nothing. A seat whose hold had expired is FREE and may be another buyer's already: it is
    not touched, and the caller, seeing fewer seats than the hold had, refuses the whole
    extension. On PostgreSQL a seat that a buyer is taking at this moment is waited for and
    then seen as it is after (no longer the hold's), never overwritten."""
    rows = fetch_all(
        f"""UPDATE {SEATS} SET hold_expires_at = %s
            WHERE hold_id = %s AND status = 'reserved' AND hold_expires_at > %s
            RETURNING id""",
        [as_param(until), hold_id, as_param(live_at)],
    )
    return len(rows)


def expire(*, now: datetime, batch_size: int = 1000) -> list[SeatChange]:
    """Tidy up to `batch_size` seats whose hold has expired back to available (a channel's
    seat back to its channel, blocked), skipping seats another sweeper has locked, so that any
    number may run at once."""
    expired = f"""SELECT id FROM {SEATS}
                  WHERE status = 'reserved' AND hold_expires_at <= %s
                  ORDER BY id LIMIT {int(batch_size)} {lock(skip_locked=True)}"""
    return _update(
        f"{back_to_channel()}, hold_id = NULL, hold_expires_at = NULL",
        f"id IN ({expired}) AND status = 'reserved' AND hold_expires_at <= %s",
        [as_param(now), as_param(now)],
        reason="expired",
    )


def sell(*, hold_id: int, ticket_of_seat: Mapping[int, int]) -> list[SeatChange]:
    """Sell the hold's reserved seats, each to its ticket; the caller has locked them, so
    every one is sold (the caller checks the count and never sells part)."""
    return _run(sell_statement(hold_id=hold_id, ticket_of_seat=ticket_of_seat), reason="sold")


def sell_free(
    *, performance_id: int, seat_id: int, ticket_id: int, now: datetime
) -> list[SeatChange]:
    """Sell one free seat straight to a ticket, with no hold of its own: staff moving a ticket
    to another seat (backoffice/order_changes.py). Nothing is changed if the seat is not free
    now or someone else is taking it (SKIP LOCKED): the caller checks the count."""
    free_now = f"""SELECT id FROM {SEATS} WHERE id = %s AND performance_id = %s AND {FREE_SQL}
                   {lock(skip_locked=True)}"""
    return _update(
        "status = 'sold', hold_id = NULL, hold_expires_at = NULL, ticket_id = %s",
        f"id IN ({free_now})",
        [ticket_id, seat_id, performance_id, as_param(now)],
        reason="sold",
    )


def unsell(*, seat_ids: Sequence[int]) -> list[SeatChange]:
    """Put sold seats back on sale (their order was cancelled); a channel's seat sold at the
    desk goes back to its channel, blocked."""
    if not seat_ids:
        return []
    return _update(
        f"{back_to_channel()}, ticket_id = NULL",
        f"id IN ({in_list(seat_ids)}) AND status = 'sold'",
        list(seat_ids),
        reason="cancelled",
    )


def block(*, performance_id: int, seat_ids: Sequence[int], now: datetime) -> list[SeatChange]:
    """Take off sale those of `seat_ids` that are free (the caller checks the count)."""
    free_now = f"""SELECT id FROM {SEATS}
                   WHERE id IN ({in_list(seat_ids)}) AND performance_id = %s AND {FREE_SQL}
                   {lock(skip_locked=True)}"""
    return _update(
        "status = 'blocked', hold_id = NULL, hold_expires_at = NULL",
        f"id IN ({free_now})",
        [*seat_ids, performance_id, as_param(now)],
        reason="blocked",
    )


def unblock(*, performance_id: int, seat_ids: Sequence[int]) -> list[SeatChange]:
    """Put blocked seats back on sale (the caller checks the count); a seat held back for a
    channel is not unblocked here but released with its channel (catalog/house_seats.py),
    which first removes what holds it back."""
    return _update(
        "status = 'available'",
        f"""id IN ({in_list(seat_ids)}) AND performance_id = %s AND status = 'blocked'
            AND NOT {HELD_BACK_SQL}""",
        [*seat_ids, performance_id],
        reason="unblocked",
    )


def take_held_back(
    *,
    hold_id: int,
    performance_id: int,
    channel: str,
    seat_ids: Sequence[int],
    expires_at: datetime,
    now: datetime,
) -> list[TakenSeat]:
    """Reserve for the hold (the box office desk's) those of `seat_ids` that are held back for
    `channel` and not in a live hold nor sold: blocked, or back from a desk hold that expired.
    They stay held back, so that whatever the desk gives back returns to the channel. Returns
    the seats taken (fewer than asked: the caller rolls back, all or nothing)."""
    statement = take_held_back_statement(
        channel=channel,
        hold_id=hold_id,
        performance_id=performance_id,
        seat_ids=seat_ids,
        expires_at=as_param(expires_at),
        now=as_param(now),
        vendor=connection.vendor,
    )
    return _taken(performance_id, statement)


def create(seats: Sequence[Seat], *, companions: Sequence[tuple[int, int]] = ()) -> int:
    """Insert a layout's new seats, available or blocked (a venue layout's kills), with no
    hold or ticket; nobody watches them yet. `companions` ties seats to seats once they have
    ids: (index of a companion seat, index of its wheelchair space) in `seats`."""
    if any(seat.status not in (SeatStatus.AVAILABLE, SeatStatus.BLOCKED) for seat in seats):
        raise ValueError("new seats are available or blocked")
    Seat.objects.bulk_create(seats, batch_size=2000)  # ids come back (RETURNING) on both
    pairs = [(seats[companion].pk, seats[space].pk) for companion, space in companions]
    for start in range(0, len(pairs), 400):  # SQLite's limit on a statement's parameters
        batch = pairs[start : start + 400]
        cases = " ".join(["WHEN %s THEN %s"] * len(batch))
        ids = [companion for companion, _space in batch]
        fetch_all(
            f"""UPDATE {SEATS} SET companion_of_id = CASE id {cases} END
                WHERE id IN ({in_list(ids)}) RETURNING id""",
            [*(v for pair in batch for v in pair), *ids],
        )
    return len(seats)


@dataclass(frozen=True)
class SeatPlacement:
    """What an organizer may change of a seat without touching its status: where it stands,
    its row and number, and the ticket type it sells as."""

    row: str
    number: int
    x: float
    y: float
    ticket_type_id: int

    @classmethod
    def of(cls, seat: Seat) -> "SeatPlacement":
        return cls(seat.row, seat.number, seat.x, seat.y, seat.ticket_type_id)


def edit_layout(
    *,
    seat_id: int,
    placement: SeatPlacement,
    flag_bits: int | None = None,
    companion_of_id: int | None = None,
) -> None:
    """A seat's placement, and its flags and wheelchair space if `flag_bits` is given: no
    change of status, so no new version (the seat map's snapshot shows it within
    SANDALI_SNAPSHOT_SECONDS)."""
    accessible, params = "", []
    if flag_bits is not None:
        accessible, params = ", flag_bits = %s, companion_of_id = %s", [flag_bits, companion_of_id]
    where = placement
    fetch_all(
        f"""UPDATE {SEATS} SET "row" = %s, number = %s, x = %s, y = %s, ticket_type_id = %s
            {accessible} WHERE id = %s RETURNING id""",
        [where.row, where.number, where.x, where.y, where.ticket_type_id, *params, seat_id],
    )


# The audit's repairs (ops/audit.py decides which seats; these mend them and tell watchers).


def repair_free(*, seat_ids: Sequence[int]) -> list[SeatChange]:
    """Back on sale, with nothing left of a hold or a ticket."""
    if not seat_ids:
        return []
    return _update(
        "status = 'available', hold_id = NULL, hold_expires_at = NULL, ticket_id = NULL",
        f"id IN ({in_list(seat_ids)})",
        list(seat_ids),
        reason="repaired",
    )


def repair_leftovers(*, seat_ids: Sequence[int]) -> list[SeatChange]:
    """An available or blocked seat keeps no hold or ticket."""
    if not seat_ids:
        return []
    return _update(
        "hold_id = NULL, hold_expires_at = NULL, ticket_id = NULL",
        f"id IN ({in_list(seat_ids)}) AND status IN ('available', 'blocked')",
        list(seat_ids),
        reason="repaired",
    )


def repair_expiry(*, expiry_of_seat: Mapping[int, datetime]) -> list[SeatChange]:
    """A reserved seat's expiry is its hold's."""
    if not expiry_of_seat:
        return []
    ids = sorted(expiry_of_seat)
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    return _update(
        f"hold_expires_at = CASE id {cases} END",
        f"id IN ({in_list(ids)}) AND status = 'reserved'",
        [*(v for i in ids for v in (i, as_param(expiry_of_seat[i]))), *ids],
        reason="repaired",
    )
