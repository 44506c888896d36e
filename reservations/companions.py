"""Wheelchair spaces and their companion seats on a hold: the rule's one home, called by
reservations/services.py for every hold the API or the web pages make (hold, add, release).

- Holding a wheelchair space holds its FREE companion seats too (the layout says which:
  catalog/layout_geometry.py), in the same transaction as the space. A companion seat that is
  not free (sold, held, blocked, or being taken at that instant: SKIP LOCKED) is left out; the
  space is never refused for its companions. Companions count toward the performance's seats
  per order; those beyond it are left out too.
- Unless the performance lets companion seats sell alone (`companions_sell_alone`, the
  organizer's choice, off by default), a companion seat is refused (409
  `companion_seat_alone`) unless its wheelchair space is in the same hold or in the same
  request. The check reads only the request and the hold, so no race can get round it.
- Releasing a wheelchair space releases its companion seats held with it (inventory.release,
  `with_companions`); releasing a companion seat alone keeps the space.

A performance with no companion seats (SaleTerms.has_companions, read with its terms) pays no
extra query.
"""

from collections.abc import Sequence
from datetime import datetime

from catalog import inventory
from catalog.free_seat_reads import companion_links
from catalog.selectors import PricedSeat, SaleTerms, seats_of_hold
from reservations.errors import CompanionSeatAlone
from reservations.selectors import OwnedHold


def companions_to_hold(
    *, terms: SaleTerms, seat_ids: Sequence[int], held: set[int], now: datetime, room: int
) -> list[int]:
    """The free companion seats to hold with the wheelchair spaces among `seat_ids` (not
    asked for, not already `held`), at most `room` of them; refuses a companion seat asked
    for without its space where companions do not sell alone."""
    if not terms.has_companions or not seat_ids:  # places of standing areas only
        return []
    links = companion_links(performance_id=terms.performance_id, seat_ids=seat_ids, now=now)
    together = set(seat_ids) | held
    if not terms.companions_sell_alone:
        asked = links.space_of_asked.items()
        alone = sorted(seat for seat, space in asked if space not in together)
        if alone:
            raise CompanionSeatAlone(seats=alone)
    extra = sorted(seat for seat in links.free_companions if seat not in together)
    return extra[: max(room, 0)]


def take_companions(
    *, hold: OwnedHold, companion_ids: Sequence[int], now: datetime
) -> list[PricedSeat]:
    """In the hold's transaction, after its spaces were taken: the companion seats still free
    and not being taken by another buyer (a companion seat lost meanwhile is left out, never
    the space). Returns every seat of the hold."""
    inventory.take(
        hold_id=hold.pk,
        performance_id=hold.performance_id,
        seat_ids=companion_ids,
        expires_at=hold.expires_at,
        now=now,
    )
    return seats_of_hold(hold_id=hold.pk)
