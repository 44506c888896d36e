"""Reading holds. A hold is reached only with its token (DESIGN.md principle 5).

These reads sit on every buyer's path, so they are single SQL statements (core/sql.py); what
they read of catalog's tables comes from catalog's selectors (its terms, its seats)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.selectors import (
    SALE_TERMS_SQL,
    SALE_TERMS_WIDTH,
    PricedSeat,
    SaleTerms,
    sale_terms_of_row,
    seats_of_hold,
)
from core.sql import as_datetime, fetch_one, is_id, lock
from core.tokens import token_matches
from reservations.errors import HoldNotFound

HOLD_COLUMNS = "h.id, h.token_hash, h.client_key, h.created_at, h.expires_at, h.checked_out"
# Whether anybody waits on the hold's performance's waiting list (reservations/waiting_list.py
# then checks the seats taken): read with the hold, so a hold where nobody waits pays no
# extra round trip for the rule. One probe of a partial index.
LIST_WAITS_SQL = """EXISTS (SELECT 1 FROM reservations_waitingentry w
                            WHERE w.performance_id = {performance} AND w.status = 'waiting')"""


@dataclass(frozen=True)
class OwnedHold:
    """A hold as its owner reaches it: the row, and the terms of its performance."""

    id: int
    token_hash: str
    client_key: str
    created_at: datetime
    expires_at: datetime
    checked_out: bool
    terms: SaleTerms
    list_waits: bool | None = None  # anybody on the performance's waiting list (None: unread)

    @property
    def pk(self) -> int:
        return self.id

    @property
    def performance_id(self) -> int:
        return self.terms.performance_id


def owned_hold(*, hold_id: int, token: str | None, for_update: bool = False) -> OwnedHold:
    """The hold and its performance's terms, if `token` is its token; the same error whether
    it is missing or not theirs, so nobody learns which holds exist.

    With `for_update` the hold row is locked: the first lock of every hold transaction."""
    if not is_id(hold_id):
        raise HoldNotFound()
    row = fetch_one(
        f"""SELECT t.*, {HOLD_COLUMNS}, {LIST_WAITS_SQL.format(performance="h.performance_id")}
            FROM reservations_hold h JOIN ({SALE_TERMS_SQL}) t
              ON t.performance_id = h.performance_id
            WHERE h.id = %s {lock(of="h") if for_update else ""}""",
        [hold_id],
    )
    if row is None:
        raise HoldNotFound()
    pk, token_hash, client_key, created_at, expires_at, checked_out, waits = row[SALE_TERMS_WIDTH:]
    if not token_matches(token, token_hash):
        raise HoldNotFound()
    return OwnedHold(
        id=pk,
        token_hash=token_hash,
        client_key=client_key,
        created_at=as_datetime(created_at),
        expires_at=as_datetime(expires_at),
        checked_out=bool(checked_out),
        terms=sale_terms_of_row(row),
        list_waits=bool(waits),
    )


@dataclass(frozen=True)
class LockedHold:
    performance_id: int
    expires_at: datetime


def lock_hold(*, hold_id: int) -> LockedHold:
    """Lock a hold row that its caller already reached with the token (checkout's settlement,
    recovery): the first lock of their transaction, as in every hold transaction."""
    performance_id, expires_at = fetch_one(
        f"SELECT performance_id, expires_at FROM reservations_hold WHERE id = %s {lock()}",
        [hold_id],
    )
    return LockedHold(performance_id=performance_id, expires_at=as_datetime(expires_at))


@dataclass(frozen=True)
class HoldSummary:
    """The hold as its buyer sees it: its live seats and total, or that it has expired."""

    hold: OwnedHold
    seats: list[PricedSeat]
    total: Decimal
    expired: bool

    @property
    def currency(self) -> str:
        return self.hold.terms.currency


def summarize_hold(*, hold: OwnedHold, now: datetime) -> HoldSummary:
    expired = hold.expires_at <= now
    seats = [] if expired else seats_of_hold(hold_id=hold.pk)
    return HoldSummary(
        hold=hold,
        seats=seats,
        total=sum((s.price for s in seats if s.price is not None), Decimal("0.00")),
        expired=expired,
    )


def performance_of_hold(*, hold_id: int) -> int | None:
    """The performance a hold is for (None: no such hold), for the waiting room's gate on
    added seats; whether the caller owns the hold is the service's decision, after it."""
    if not is_id(hold_id):
        return None
    row = fetch_one("SELECT performance_id FROM reservations_hold WHERE id = %s", [hold_id])
    return row[0] if row else None
