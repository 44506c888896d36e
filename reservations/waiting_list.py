"""The holds side of the waiting list (orders/waiting_list.py keeps the list and sends the
offers): which seats the list keeps from the public, and the hold an offer is made with.

Seats kept for the list: while an entry WAITS for a section x ticket type (or for any seat),
the public may not take a seat of that kind, whatever freed it (a cancellation, a release, an
expiry, lazy or swept). The buyers' takes (reservations/services.py `_take`,
reservations/best_available.py) call `kept_for_waiting_list` after their UPDATE, in their own
transaction, and give such seats back by rolling back (the hold is refused as
SeatsUnavailable, or best available tries its next choice). The offer run
(orders/waiting_list.py, a periodic task) takes them for the first entries in order through
`hold_for_offer`, which does not ask. An offered entry no longer keeps anything: its seats are
in its hold, which expires like any hold.

It costs the public's hold no extra round trip where nobody waits: whether anybody does is
read with the hold's own row (reservations/selectors.py LIST_WAITS_SQL, in the INSERT of a new
hold and the read of an owned one: one probe of the partial index `waiting_entries_in_order`);
only where somebody waits are the kinds waited for read, after the take.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from catalog import inventory
from catalog.inventory import TakenSeat
from catalog.models import Seat, SectionTicketType
from catalog.seat_flags import WHEELCHAIR
from catalog.selectors import sale_terms_now
from core.sql import as_param, fetch_all, fetch_one
from core.tokens import hash_token
from reservations.errors import SalesClosed
from reservations.hold_checks import check_sales_open
from reservations.models import WaitingStatus
from reservations.selectors import OwnedHold

# An offer's hold has no client key: the seats it holds are the list's, not a client's, so
# they count against no client's cap (and seats its buyer adds are not capped either: they
# are at most the performance's max seats per order).
NO_CLIENT = ""


def waited_for_kinds(*, performance_id: int) -> set[tuple[int | None, int | None]]:
    """(section id, ticket type id) of every entry waiting here; (None, None) for "any"."""
    rows = fetch_all(
        """SELECT DISTINCT section_id, ticket_type_id FROM reservations_waitingentry
           WHERE performance_id = %s AND status = %s""",
        [performance_id, WaitingStatus.WAITING],
    )
    return {(section, ticket_type) for section, ticket_type in rows}


# A seat's flag_bits are below 16 (a CHECK): those without the wheelchair bit, as a list, so
# that neither database needs a bitwise lookup.
_NO_WHEELCHAIR = [bits for bits in range(16) if not bits & WHEELCHAIR]


def offered_by_the_list() -> Q:
    """The seats the list offers, and so keeps: not wheelchair spaces nor their companion
    seats, which are held by their own rules (reservations/companions.py) that an offer of
    "2 seats" cannot ask for; those stay on public sale while anybody waits."""
    return Q(companion_of__isnull=True, flag_bits__in=_NO_WHEELCHAIR)


def kept_for_waiting_list(hold: OwnedHold, *, taken: Sequence[TakenSeat]) -> list[int]:
    """The ids of `taken` (by `hold`) that the waiting list keeps from the public (the caller
    rolls the take back and refuses them). Nothing to read where the hold's own row said
    nobody waits (`list_waits`, read with it)."""
    if not taken or hold.list_waits is False:
        return []
    kinds = waited_for_kinds(performance_id=hold.performance_id)
    if not kinds:
        return []
    if (None, None) in kinds:
        waited = [seat.id for seat in taken]
    else:
        waited = [seat.id for seat in taken if (seat.section_id, seat.ticket_type_id) in kinds]
    if not waited:
        return []
    offered = Seat.objects.filter(offered_by_the_list(), pk__in=waited)
    return sorted(offered.values_list("id", flat=True))


def free_seats_of_kind(
    *,
    performance_id: int,
    section_id: int | None,
    ticket_type_id: int | None,
    now: datetime,
    limit: int,
) -> list[int]:
    """Up to `limit` free, priced seats of the kind (None, None: any), in the order of the
    hall (section, row, number), so that an offer's seats tend to sit together."""
    priced = SectionTicketType.objects.filter(
        section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
    )
    seats = Seat.objects.filter(
        inventory.free(now), offered_by_the_list(), Exists(priced), performance_id=performance_id
    )
    if section_id is not None:
        seats = seats.filter(section_id=section_id, ticket_type_id=ticket_type_id)
    ordered = seats.order_by("section__position", "section_id", "row", "number", "id")
    return list(ordered.values_list("id", flat=True)[:limit])


@dataclass(frozen=True)
class OfferHold:
    id: int
    expires_at: datetime
    seats: list[TakenSeat]


def hold_for_offer(
    *, performance_id: int, seat_ids: Sequence[int], minutes: float, token: str, now: datetime
) -> OfferHold | None:
    """In the caller's transaction: a hold of every one of `seat_ids`, for `minutes` from
    `now` (the database's), with `token`; None (and nothing written) when the sale is not
    open or any seat is no longer free or is being taken at this instant (SKIP LOCKED: a
    buyer's take, which the waiting list's rule is about to roll back). The caller tries
    again in its next run rather than offer fewer seats than are free."""
    found = sale_terms_now(performance_id=performance_id)
    if found is None or not seat_ids:
        return None
    terms, _now = found
    try:
        check_sales_open(terms, now)
    except SalesClosed:  # no offer until the sale opens again
        return None
    expires_at = now + timedelta(minutes=minutes)
    with transaction.atomic():  # a savepoint: a take that got nothing leaves no hold behind
        (hold_id,) = fetch_one(
            """INSERT INTO reservations_hold
                 (performance_id, token_hash, client_key, created_at, expires_at, checked_out,
                  extended)
               VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            [
                performance_id, hash_token(token), NO_CLIENT, as_param(now),
                as_param(expires_at), False, False,
            ],
        )  # fmt: skip
        taken = inventory.take(
            hold_id=hold_id,
            performance_id=performance_id,
            seat_ids=seat_ids,
            expires_at=expires_at,
            now=now,
        )
        if len(taken) != len(seat_ids):
            transaction.set_rollback(True)
            return None
    return OfferHold(id=hold_id, expires_at=expires_at, seats=taken)
