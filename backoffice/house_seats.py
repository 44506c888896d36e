"""The box office desk's way to the seats held back for a channel (catalog/house_seats.py):
turning some of a channel's seats into a hold that the desk sale sells like any hold.

The seats stay held back while the hold has them: if the desk releases the hold, or lets it
expire, each seat goes back to its channel, blocked, never to the public sale (the inventory's
release and expiry say so, and until the sweeper runs the rule FREE already leaves a lapsed
channel seat alone). Only "release to public" gives a channel's seats to everyone.

Lock order: the new hold row (nobody else knows it), then the seats, taken FOR UPDATE SKIP
LOCKED by one conditional UPDATE like a buyer's hold.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from catalog import inventory
from catalog.errors import InvalidSeats, SeatsNotHeldBack
from catalog.house_seats import channel_name
from catalog.models import Seat
from core.dbtime import db_now
from core.tokens import hash_token, new_token
from reservations.models import Hold

# As long as staff need to take a sponsor's payment or hand over complimentary tickets.
DESK_HOLD_MINUTES = 30


@dataclass(frozen=True)
class DeskHold:
    """A hold of a channel's seats for the desk, with the token that reaches it."""

    hold_id: int
    token: str
    seat_ids: list[int]
    expires_at: datetime


def hold_held_back(
    *,
    performance_id: int,
    channel: str,
    seat_ids: Sequence[int],
    minutes: int = DESK_HOLD_MINUTES,
    token: str | None = None,
) -> DeskHold:
    """Hold all of `seat_ids`, held back for `channel`, for the desk, or none: a seat that is
    not the channel's, or is in a live hold or sold, refuses the whole (SeatsNotHeldBack).
    `token` (default: a new one) is the hold's; the admin passes the desk's token
    (ops/admin/desk_selection.py desk_token) so that the desk's page sells the hold."""
    channel = channel_name(channel)
    asked = sorted(set(seat_ids))
    if not asked or len(asked) != len(seat_ids):
        raise InvalidSeats(seats=list(seat_ids))
    token = token or new_token()
    with transaction.atomic():
        now = db_now()
        hold = Hold.objects.create(
            performance_id=performance_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        taken = inventory.take_held_back(
            hold_id=hold.pk,
            performance_id=performance_id,
            channel=channel,
            seat_ids=asked,
            expires_at=hold.expires_at,
            now=now,
        )
        if len(taken) != len(asked):
            missing = set(asked) - {seat.id for seat in taken}
            ours = Seat.objects.filter(performance_id=performance_id, id__in=missing)
            unknown = missing - set(ours.values_list("id", flat=True))
            if unknown:
                raise InvalidSeats(seats=sorted(unknown))
            raise SeatsNotHeldBack(channel=channel, seats=sorted(missing))
    return DeskHold(hold_id=hold.pk, token=token, seat_ids=asked, expires_at=hold.expires_at)
