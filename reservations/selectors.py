"""Reading holds. A hold is reached only with its token (DESIGN.md principle 5)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery

from catalog.models import Seat, SeatStatus, SectionTicketType
from reservations.errors import HoldNotFound
from reservations.models import Hold
from sandali.tokens import token_matches

CENT = Decimal("0.01")


def owned_hold(*, hold_id: int, token: str | None, for_update: bool = False) -> Hold:
    """The hold, if `token` is its token; the same error whether it is missing or not
    theirs, so nobody learns which holds exist."""
    holds = Hold.objects.select_related("performance__event")
    if for_update:
        # Not joined with its order here: under READ COMMITTED, a row read by a join beside
        # a row we had to wait to lock is from before the wait (a checkout that just
        # committed would be missed). hold.order is read after the lock is ours.
        holds = holds.select_for_update(of=("self",))
    else:
        holds = holds.select_related("order")
    hold = holds.filter(pk=hold_id).first()
    if hold is None or not token_matches(token, hold.token_hash):
        raise HoldNotFound()
    return hold


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


def seat_prices(seats) -> list[HeldSeat]:
    """Seats with their section x ticket type price, in id order."""
    price = SectionTicketType.objects.filter(
        section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
    ).values("price")[:1]
    rows = (
        seats.annotate(
            section_name=F("section__name"),
            ticket_type_name=F("ticket_type__name"),
            price=Subquery(price, output_field=DecimalField(max_digits=12, decimal_places=2)),
        )
        .order_by("id")
        .values_list(
            "id",
            "section_name",
            "row",
            "number",
            "ticket_type_name",
            "price",
            "version",
            "ticket_type_id",
        )  # fmt: skip
    )
    # SQLite returns a computed decimal unrounded ("20"); prices always have two places. A
    # seat whose price was deleted has none (the audit reports it; checkout refuses it).
    return [
        HeldSeat(*row[:5], None if row[5] is None else row[5].quantize(CENT), *row[6:])
        for row in rows
    ]


@dataclass(frozen=True)
class HoldSummary:
    hold: Hold
    seats: list[HeldSeat]
    total: Decimal
    expired: bool


def summarize_hold(*, hold: Hold, now: datetime) -> HoldSummary:
    expired = hold.expires_at <= now
    seats = (
        [] if expired else seat_prices(Seat.objects.filter(hold=hold, status=SeatStatus.RESERVED))
    )
    return HoldSummary(
        hold=hold,
        seats=seats,
        total=sum((s.price for s in seats if s.price is not None), Decimal("0.00")),
        expired=expired,
    )
