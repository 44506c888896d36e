"""The seat writes' SQL and the two rules they rest on, built by pure functions that need no
database connection. Only the inventory (catalog/inventory.py) runs them, and the benchmark's
bare client (bench/limit.py) sends the very same text through psycopg, so the limit Sandali is
measured against can never drift from it. The inventory's docstring says why each is written
as it is; callers reach these through the inventory.

- FREE: available, or reserved by a hold whose expiry has passed (lazy expiry) unless the seat
  is held back for a channel (a desk hold of a channel's seat lapses back to the channel,
  catalog/models/house_seats.py) — what a hold or a block may take;
- LIVE: reserved by a hold whose expiry has not passed.
Each is written in SQL and in the ORM side by side (a property test checks that they select
the same seats).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from catalog.models import HeldBackSeat, Seat, SeatStatus
from core.sql import in_list, lock

SEATS = Seat._meta.db_table
HELD_BACK = HeldBackSeat._meta.db_table

# Whether the seat is held back for a channel. The held-back table has no `id` column (the
# seat is its key), so `id` is the seat's own whatever the seat table is called in the query.
# Asked only of a reserved seat whose hold has expired (rare), after the cheap tests.
HELD_BACK_SQL = f"EXISTS (SELECT 1 FROM {HELD_BACK} h WHERE h.seat_id = id)"


def back_to_channel(vendor: str | None = None) -> str:
    """A seat given back (a hold released or expired, a ticket cancelled) goes back to where
    it came from: to its channel, blocked, if it is held back for one, else on sale.

    On PostgreSQL the held-back row is read FOR KEY SHARE. Read from the statement's snapshot
    alone, a seat given back while its channel was being released (catalog/house_seats.py
    deletes the rows, then unblocks the blocked seats) went back to a channel that no longer
    existed: blocked, for nobody, for good. Locked, either the release waits for this give-back
    and then unblocks the seat, or this statement waits for the release and, the row gone,
    puts the seat on sale. SQLite's writes are serial: nothing to lock."""
    share = " FOR KEY SHARE" if (vendor or connection.vendor) == "postgresql" else ""
    held_back = f"EXISTS (SELECT 1 FROM {HELD_BACK} h WHERE h.seat_id = id{share})"
    return f"status = CASE WHEN {held_back} THEN 'blocked' ELSE 'available' END"


# The rules, SQL and ORM side by side; in SQL "now" is a parameter (%s) unless an expression
# (core.dbtime.NOW_SQL) is given.
def free_sql(now: str = "%s") -> str:
    return (
        f"(status = 'available' OR (status = 'reserved' AND hold_expires_at <= {now}"
        f" AND NOT {HELD_BACK_SQL}))"
    )


def live_sql(now: str = "%s") -> str:
    return f"(status = 'reserved' AND hold_expires_at > {now})"


FREE_SQL = free_sql()
LIVE_SQL = live_sql()


def free(now) -> Q:
    """FREE_SQL in the ORM: free to hold or to block."""
    return Q(status=SeatStatus.AVAILABLE) | (
        Q(status=SeatStatus.RESERVED, hold_expires_at__lte=now) & ~Q(Exists(_held_back()))
    )


def _held_back():
    return HeldBackSeat.objects.filter(seat_id=OuterRef("pk"))


def lapsed_to_channel(now) -> Q:
    """A channel's seat whose desk hold has expired: blocked, as far as anyone may tell, until
    the sweeper writes it so (inventory.expire)."""
    return Q(status=SeatStatus.RESERVED, hold_expires_at__lte=now) & Q(Exists(_held_back()))


def live(now) -> Q:
    """LIVE_SQL in the ORM: held by a hold that has not expired."""
    return Q(status=SeatStatus.RESERVED, hold_expires_at__gt=now)


@dataclass(frozen=True)
class Statement:
    """A seat write as SQL with %s placeholders and its parameters, built without a database
    connection. Moments in `params` are as the database takes them (core.sql.as_param)."""

    sql: str
    params: list


# A seat's section and row too: a place of a standing area (row PLACE_ROW) is told to
# watchers as its area's count, not as a seat.
CHANGED = 'RETURNING performance_id, id, status, version, section_id, "row"'


def write_statement(assignments: str, condition: str, params: Sequence) -> Statement:
    """The one shape of every seat write: set, bump the version, return the changed seats."""
    return Statement(
        f"UPDATE {SEATS} SET {assignments}, version = version + 1 WHERE {condition} {CHANGED}",
        list(params),
    )


# Taking: the free, priced seats that nobody else is taking at this moment (SKIP LOCKED).
TAKE_SQL = f"""
    UPDATE {SEATS}
    SET status = 'reserved', hold_id = %s, hold_expires_at = %s, version = version + 1
    WHERE id IN (
        SELECT id FROM {SEATS}
        WHERE id IN ({{ids}}) AND performance_id = %s AND {FREE_SQL}
          AND EXISTS (SELECT 1 FROM catalog_sectiontickettype p
                      WHERE p.section_id = {SEATS}.section_id
                        AND p.ticket_type_id = {SEATS}.ticket_type_id)
        {{lock}})
    RETURNING id, version, section_id, ticket_type_id, row, number,
      (SELECT p.price FROM catalog_sectiontickettype p
       WHERE p.section_id = {SEATS}.section_id AND p.ticket_type_id = {SEATS}.ticket_type_id)"""


def take_statement(
    *, hold_id: int, performance_id: int, seat_ids: Sequence[int], expires_at, now, vendor: str
) -> Statement:
    """TAKE_SQL for `seat_ids` on the database `vendor` names ("postgresql", "sqlite")."""
    return Statement(
        TAKE_SQL.format(ids=in_list(seat_ids), lock=lock(skip_locked=True, vendor=vendor)),
        [hold_id, expires_at, *seat_ids, performance_id, now],
    )


# Taking a channel's held-back seats for the box office desk (catalog/house_seats.py): the
# buyer's take with, in place of FREE, "held back for this channel, and blocked or back from a
# desk hold that expired" (never in a live hold nor sold).
OF_CHANNEL_SQL = f"""((status = 'blocked' OR (status = 'reserved' AND hold_expires_at <= %s))
    AND EXISTS (SELECT 1 FROM {HELD_BACK} h WHERE h.seat_id = id AND h.channel = %s))"""
assert TAKE_SQL.count(FREE_SQL) == 1


def take_held_back_statement(*, channel: str, **take) -> Statement:
    """TAKE_SQL for the channel's seats (take_statement's arguments, and the channel)."""
    statement = take_statement(**take)
    return Statement(statement.sql.replace(FREE_SQL, OF_CHANNEL_SQL), [*statement.params, channel])


# Taking places: `quantity` free, priced places of one area, the lowest numbers first. The
# places are chosen once, in a materialized CTE: as `id IN (SELECT ... LIMIT n FOR UPDATE)`
# the planner may run the subquery again for each row it updates, and each run, skipping the
# places this statement has just taken, would pick n more.
TAKE_PLACES_SQL = f"""
    WITH chosen AS MATERIALIZED (
        SELECT id FROM {SEATS}
        WHERE performance_id = %s AND section_id = %s AND "row" = %s AND {FREE_SQL}
          -- Priced: an area sells one ticket type. Uncorrelated, so it is read once and
          -- the places come straight from the unique index in number order, whatever the
          -- statistics say (a join to the prices was planned as a hash join and a sort).
          AND ticket_type_id = (SELECT min(p.ticket_type_id) FROM catalog_sectiontickettype p
                                WHERE p.section_id = %s)
        ORDER BY number LIMIT %s {{lock}})
    UPDATE {SEATS}
    SET status = 'reserved', hold_id = %s, hold_expires_at = %s, version = version + 1
    FROM chosen WHERE {SEATS}.id = chosen.id
    RETURNING {SEATS}.id, version, section_id, ticket_type_id, row, number,
      (SELECT p.price FROM catalog_sectiontickettype p
       WHERE p.section_id = {SEATS}.section_id AND p.ticket_type_id = {SEATS}.ticket_type_id)"""


def release_statement(
    *,
    hold_id: int,
    seat_ids: Sequence[int] = (),
    live_at=None,
    with_companions: bool = False,
    vendor: str | None = None,
) -> Statement:
    """The hold's reserved seats (or only `seat_ids`, and with `with_companions` the hold's
    companion seats of those) back on sale; with `live_at`, only while the hold is live at
    that moment."""
    condition = "hold_id = %s AND status = 'reserved'"
    params: list = [hold_id]
    if seat_ids:
        ids = in_list(seat_ids)
        if with_companions:
            condition += f" AND (id IN ({ids}) OR companion_of_id IN ({ids}))"
            params += [*seat_ids, *seat_ids]
        else:
            condition += f" AND id IN ({ids})"
            params += list(seat_ids)
    if live_at is not None:
        condition += f" AND {LIVE_SQL}"
        params.append(live_at)
    return write_statement(
        f"{back_to_channel(vendor)}, hold_id = NULL, hold_expires_at = NULL", condition, params
    )


def sell_statement(*, hold_id: int, ticket_of_seat: Mapping[int, int]) -> Statement:
    """The hold's reserved seats sold, each to its ticket."""
    ids = sorted(ticket_of_seat)
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    return write_statement(
        f"status = 'sold', hold_id = NULL, hold_expires_at = NULL, ticket_id = CASE id {cases} END",
        f"id IN ({in_list(ids)}) AND hold_id = %s AND status = 'reserved'",
        [*(v for i in ids for v in (i, ticket_of_seat[i])), *ids, hold_id],
    )
