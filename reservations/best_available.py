"""Taking the best available seats for a new hold, in its transaction (called by
reservations/best_holds.py hold_best_available, which checks the limits and makes the hold).

The choice is catalog's (catalog/best_available.py, from the FREE seats that
catalog/free_seat_reads.py free_seats_to_choose reads); the seats are taken by the inventory's own
take, one UPDATE over FREE seats FOR UPDATE SKIP LOCKED, so a buyer never waits on a seat
another buyer is taking. Each choice is taken in a savepoint: if some of its seats were taken
meanwhile (or are being taken: SKIP LOCKED passes over them), the savepoint is rolled back
(the seats it did take, their row locks and their after-commit messages with it), those seats
are left out, and the next choice of the same read is tried; after BEST_TRIES_PER_READ such
tries the free seats are read again, at most BEST_READS times, before giving up with 409
seats_unavailable (the buyer may try again). Fewer free seats than asked for: 409
not_enough_seats.

Accessible seats: with `accessible`, the choice is catalog/accessible_choice.py's (wheelchair
spaces with their companion seats), taken and retried the same way. Without it, wheelchair
spaces are never chosen (they are for wheelchair users: the map or `accessible` holds them),
and companion seats only when too few other seats are left and the organizer lets companion
seats sell alone; otherwise they are kept for the spaces' companions.

A price ceiling (`max_price`) leaves out the seats priced above it, as if they were taken
(catalog/selectors.py); too few left is 409 not_enough_seats_at_price. With `together`, only
choices whose seats stand side by side in one row are taken: none is 409 no_seats_together.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from catalog import inventory
from catalog.accessible_choice import pick_accessible
from catalog.best_available import FreeSeat, rank_choices
from catalog.errors import (
    NoSeatsTogether,
    NotEnoughSeats,
    NotEnoughSeatsAtPrice,
    SeatsUnavailable,
    UnknownSeatChoice,
)
from catalog.free_seat_reads import free_seats_to_choose
from catalog.inventory import TakenSeat
from catalog.seat_flags import COMPANION, WHEELCHAIR
from catalog.selectors import money, sells
from reservations.selectors import OwnedHold
from reservations.waiting_list import kept_for_waiting_list

BEST_READS = 10
BEST_TRIES_PER_READ = 20


class _TakenMeanwhile(Exception):
    """Some seats of a choice were not free to take: its savepoint is rolled back."""

    def __init__(self, missed: set[int]) -> None:
        super().__init__("taken meanwhile")
        self.missed = missed


def take_best(
    hold: OwnedHold,
    *,
    quantity: int,
    ticket_type_id: int | None,
    section_id: int | None,
    accessible: bool = False,
    max_price: Decimal | None = None,
    together: bool = False,
    now: datetime | None = None,
) -> tuple[list[TakenSeat], bool]:
    """The best choice of free seats that can be taken whole, and whether it is together.
    Seats another buyer took (or is taking) meanwhile are left out of every later choice.
    `now` is the hold's creation unless given (seats added to a hold take the clock's)."""
    now = hold.created_at if now is None else now
    too_few = _refusal(quantity, max_price, hold.terms.currency)
    choice_given = ticket_type_id is not None or section_id is not None
    if choice_given and not sells(
        performance_id=hold.performance_id, ticket_type_id=ticket_type_id, section_id=section_id
    ):
        raise UnknownSeatChoice()
    missed: set[int] = set()
    for _read in range(BEST_READS):
        free = free_seats_to_choose(
            performance_id=hold.performance_id,
            now=now,
            ticket_type_id=ticket_type_id,
            section_id=section_id,
            max_price=max_price,
        )
        seats = [seat for seat in free.seats if seat.id not in missed]
        if accessible:
            choices = _accessible_choices(seats, quantity, free.focus, too_few)
        else:
            seats = _for_everybody(seats, quantity, hold.terms.companions_sell_alone)
            if len(seats) < quantity:
                raise too_few
            choices = rank_choices(seats, quantity=quantity, focus=free.focus)
        if together:
            choices = (choice for choice in choices if choice.together)
        tries = 0
        offered = False
        for choice in choices:
            offered = True
            if missed.intersection(choice.seat_ids):
                continue
            try:
                return _take_whole(hold, choice.seat_ids, now=now), choice.together
            except _TakenMeanwhile as meanwhile:
                missed |= meanwhile.missed
            tries += 1
            if tries == BEST_TRIES_PER_READ:
                break
        if not offered:
            raise NoSeatsTogether(quantity=quantity)
    raise SeatsUnavailable(seats=[])


def _take_whole(hold: OwnedHold, seat_ids: Sequence[int], *, now: datetime) -> list[TakenSeat]:
    """Take every one of these seats or none: in a savepoint, which undoes a part taken and
    its locks when another buyer took (or is taking) one of them meanwhile."""
    with transaction.atomic():
        taken = inventory.take(
            hold_id=hold.pk,
            performance_id=hold.performance_id,
            seat_ids=seat_ids,
            expires_at=hold.expires_at,
            now=now,
        )
        if len(taken) != len(seat_ids):
            raise _TakenMeanwhile(set(seat_ids) - {s.id for s in taken})
        # Kept for the waiting list (reservations/waiting_list.py): not this buyer's to take.
        kept = kept_for_waiting_list(hold, taken=taken)
        if kept:
            raise _TakenMeanwhile(set(kept))
    return taken


def _refusal(quantity: int, max_price: Decimal | None, currency: str):
    """What too few free seats for the choice is: with a ceiling, too few at that price."""
    if max_price is None:
        return NotEnoughSeats(quantity=quantity)
    return NotEnoughSeatsAtPrice(quantity=quantity, price=f"{money(max_price)} {currency}")


def _accessible_choices(seats: list[FreeSeat], quantity: int, focus, too_few: Exception):
    """The one accessible choice of these seats (a retry reads them again without the seats
    missed); `too_few` when there is none."""
    choice = pick_accessible(seats, quantity=quantity, focus=focus)
    if choice is None:
        raise too_few
    return [choice]


def _for_everybody(seats: list[FreeSeat], quantity: int, companions_sell_alone: bool):
    """The seats best available may give a buyer who did not ask for accessible ones."""
    ordinary = [
        s for s in seats if not s.flag_bits & (WHEELCHAIR | COMPANION) and s.companion_of is None
    ]
    if len(ordinary) >= quantity or not companions_sell_alone:
        return ordinary
    return [s for s in seats if not s.flag_bits & WHEELCHAIR]
