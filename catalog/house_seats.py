"""House seats: holding seats back from the public sale for a named channel ("sponsors",
"house", "press") and releasing a channel's seats to the public with one action.

A held-back seat is a blocked seat (inventory.block) with a HeldBackSeat row beside it naming
its channel (catalog/models/house_seats.py); the row stays while the box office desk holds or
sells the seat (backoffice/house_seats.py), so that whatever the desk gives back returns to the
channel. Releasing a channel removes its rows and unblocks its blocked seats in one
transaction; a seat of the channel that is at the desk or sold then belongs to the public
sale once the desk or a cancellation gives it back.

Lock order: seat rows (the inventory's block, SKIP LOCKED: a seat a buyer is taking at this
moment is not free and is reported so), then held-back rows; releasing locks the channel's
held-back rows first, then their seats.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery

from catalog import inventory
from catalog.errors import ChannelHasNoSeats, ChannelNameInvalid, InvalidSeats
from catalog.models import HeldBackSeat, Seat, SeatStatus, SectionTicketType
from core.dbtime import DbNow, db_now

CHANNEL_MAX_LENGTH = HeldBackSeat._meta.get_field("channel").max_length


@dataclass(frozen=True)
class HeldBack:
    """What holding back did: the seats now held back for the channel, and those asked for
    that were not free (in a hold, sold, blocked or held back already)."""

    channel: str
    held: list[int]
    not_free: list[int]


@dataclass(frozen=True)
class ChannelSeats:
    """A channel's seats of one performance as they stand: held back (off sale, waiting), in a
    live hold at the box office desk, sold at the desk."""

    channel: str
    held_back: int
    at_desk: int
    sold: int


@dataclass(frozen=True)
class WaitingSeat:
    """A seat held back for a channel and waiting (not at the desk, not sold), with its price
    (None: its ticket type has no price in its section)."""

    id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal | None


def channel_name(name: str) -> str:
    """The channel's name as it is kept: trimmed, its inner spaces single."""
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > CHANNEL_MAX_LENGTH:
        raise ChannelNameInvalid(limit=CHANNEL_MAX_LENGTH)
    return cleaned


def hold_back_seats(
    *, performance_id: int, channel: str, seat_ids: Sequence[int], actor: str = ""
) -> HeldBack:
    """Hold back for `channel` those of `seat_ids` that are free, in one transaction; the
    others are left as they are and named in the answer. Seats that are not the
    performance's are refused (InvalidSeats) and nothing is held back."""
    channel = channel_name(channel)
    asked = sorted(set(seat_ids))
    if not asked:
        raise InvalidSeats(seats=[])
    with transaction.atomic():
        known = set(
            Seat.objects.filter(performance_id=performance_id, id__in=asked).values_list(
                "id", flat=True
            )
        )
        if len(known) != len(asked):
            raise InvalidSeats(seats=sorted(set(asked) - known))
        now = db_now()
        blocked = inventory.block(performance_id=performance_id, seat_ids=asked, now=now)
        held = sorted(change.seat_id for change in blocked)
        HeldBackSeat.objects.bulk_create(
            HeldBackSeat(
                seat_id=seat_id,
                performance_id=performance_id,
                channel=channel,
                held_at=now,
                held_by=actor,
            )
            for seat_id in held
        )
    return HeldBack(channel=channel, held=held, not_free=sorted(set(asked) - set(held)))


def release_channel(*, performance_id: int, channel: str) -> int:
    """Put every seat held back for `channel` back on sale, in one transaction: the blocked
    ones at once (watchers are told), the ones at the desk or sold when given back. Returns
    how many seats the channel had; ChannelHasNoSeats if none."""
    with transaction.atomic():
        rows = HeldBackSeat.objects.filter(performance_id=performance_id, channel=channel)
        seat_ids = list(
            rows.select_for_update().order_by("seat_id").values_list("seat_id", flat=True)
        )
        if not seat_ids:
            raise ChannelHasNoSeats(channel=channel)
        rows.delete()
        inventory.unblock(performance_id=performance_id, seat_ids=seat_ids)
    return len(seat_ids)


def channel_seats(*, performance_id: int) -> list[ChannelSeats]:
    """Each channel of the performance with its seats as they stand, in one grouped query."""
    now = DbNow()
    at_desk = Q(seat__status=SeatStatus.RESERVED, seat__hold_expires_at__gt=now)
    sold = Q(seat__status=SeatStatus.SOLD)
    rows = (
        HeldBackSeat.objects.filter(performance_id=performance_id)
        .values("channel")
        .annotate(
            held_back=Count("seat_id", filter=~at_desk & ~sold),
            at_desk=Count("seat_id", filter=at_desk),
            sold=Count("seat_id", filter=sold),
        )
        .order_by("channel")
    )
    return [ChannelSeats(**row) for row in rows]


def _given_out(now) -> Q:
    """A channel's seat the desk has: in a live hold, or sold."""
    return Q(seat__status=SeatStatus.RESERVED, seat__hold_expires_at__gt=now) | Q(
        seat__status=SeatStatus.SOLD
    )


def waiting_seats(*, performance_id: int, channel: str) -> list[WaitingSeat]:
    """The seats held back for `channel` that the desk may still take, in hall order (section,
    row, number): what channel_seats counts as held back. An expired desk hold's seat is
    waiting again at once, as the rule FREE says."""
    price = SectionTicketType.objects.filter(
        section_id=OuterRef("seat__section_id"), ticket_type_id=OuterRef("seat__ticket_type_id")
    ).values("price")[:1]
    rows = (
        HeldBackSeat.objects.filter(performance_id=performance_id, channel=channel)
        .exclude(_given_out(DbNow()))
        .annotate(price=Subquery(price))
        .order_by("seat__section__position", "seat__section_id", "seat__row", "seat__number")
        .values_list(
            "seat_id", "seat__section__name", "seat__row", "seat__number",
            "seat__ticket_type__name", "price",
        )
    )  # fmt: skip
    return [WaitingSeat(*row) for row in rows]
