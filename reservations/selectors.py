"""Reading holds. A hold is reached only with its token (DESIGN.md principle 5).

These reads sit on every buyer's path, so they are single SQL statements (sandali/sql.py)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import Event, Performance
from core.sql import as_datetime, fetch_all, fetch_one, is_id, lock
from core.tokens import token_matches
from reservations.errors import HoldNotFound
from reservations.models import Hold

CENT = Decimal("0.01")


def owned_hold(*, hold_id: int, token: str | None, for_update: bool = False) -> Hold:
    """The hold with its performance (and the event's currency), if `token` is its token;
    the same error whether it is missing or not theirs, so nobody learns which holds exist.

    With `for_update` the hold row is locked: the first lock of every hold transaction."""
    if not is_id(hold_id):
        raise HoldNotFound()
    row = fetch_one(
        f"""SELECT h.id, h.performance_id, h.token_hash, h.created_at, h.expires_at,
                   h.client_key, p.event_id, p.starts_at, p.sales_start, p.sales_end,
                   p.hold_minutes, p.max_seats_per_order, e.currency
            FROM reservations_hold h
            JOIN catalog_performance p ON p.id = h.performance_id
            JOIN catalog_event e ON e.id = p.event_id
            WHERE h.id = %s {lock(of="h") if for_update else ""}""",
        [hold_id],
    )
    if row is None or not token_matches(token, row[2]):
        raise HoldNotFound()
    (pk, performance_id, token_hash, created_at, expires_at, client_key, event_id, starts_at,
     sales_start, sales_end, hold_minutes, max_seats, currency) = row  # fmt: skip
    # Only the fields read here are loaded: the event is known by its id and currency.
    performance = Performance(
        id=performance_id,
        event=Event(id=event_id, currency=currency),
        starts_at=as_datetime(starts_at),
        sales_start=as_datetime(sales_start),
        sales_end=as_datetime(sales_end),
        hold_minutes=hold_minutes,
        max_seats_per_order=max_seats,
    )
    return Hold(
        id=pk,
        performance=performance,
        token_hash=token_hash,
        client_key=client_key,
        created_at=as_datetime(created_at),
        expires_at=as_datetime(expires_at),
    )


def order_of_hold(*, hold_id: int) -> tuple[int, str] | None:
    """(order id, idempotency key) of the order this hold became, if it did. Read it after
    locking the hold: under READ COMMITTED a row read before a lock wait may be stale."""
    row = fetch_one("SELECT id, idempotency_key FROM orders_order WHERE hold_id = %s", [hold_id])
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class HeldSeat:
    id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal | None
    version: int = 0
    ticket_type_id: int = 0


def held_seats(*, hold_id: int, for_update: bool = False) -> list[HeldSeat]:
    """The seats a hold has now, with their section x ticket type price, in id order. A seat
    whose price was deleted has none (the audit reports it; checkout refuses it)."""
    rows = fetch_all(
        f"""SELECT s.id, sec.name, s.row, s.number, tt.name, p.price, s.version, s.ticket_type_id
            FROM catalog_seat s
            JOIN catalog_section sec ON sec.id = s.section_id
            JOIN catalog_tickettype tt ON tt.id = s.ticket_type_id
            LEFT JOIN catalog_sectiontickettype p
              ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
            WHERE s.hold_id = %s AND s.status = 'reserved'
            ORDER BY s.id {lock(of="s") if for_update else ""}""",
        [hold_id],
    )
    return [HeldSeat(*row[:5], money(row[5]), *row[6:]) for row in rows]


def money(value) -> Decimal | None:
    # SQLite hands back a number; prices always have two places.
    return None if value is None else Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class HoldSummary:
    hold: Hold
    seats: list[HeldSeat]
    total: Decimal
    expired: bool


def summarize_hold(*, hold: Hold, now: datetime) -> HoldSummary:
    expired = hold.expires_at <= now
    seats = [] if expired else held_seats(hold_id=hold.pk)
    return HoldSummary(
        hold=hold,
        seats=seats,
        total=sum((s.price for s in seats if s.price is not None), Decimal("0.00")),
        expired=expired,
    )
