"""The hand-picking orphan rule: where a performance refuses single-seat gaps
(`refuse_single_seat_gaps`), a buyer's own choice that would leave one free seat alone in its
row is refused with 409 would_strand_seat, naming that seat.

The rule is best available's (catalog/best_available.py `stranded_by_taking`, built on
`leaves_orphan`): a seat is stranded when it is the only free seat left between the buyer's
seats and a seat that is not free, the row's end, an aisle, a seat of another ticket type or
another of the buyer's seats. It is decided inside the hold's transaction, after the seats are
taken, on the rows as catalog/free_seat_reads.py `seats_around` reads and locks them (FOR
UPDATE SKIP LOCKED on PostgreSQL: a neighbour another buyer is taking at that moment counts
as taken), so two buyers whose seats together would strand one cannot both succeed; the
caller's transaction rolls back on the refusal, the seats it took with it.

Only seats the buyer takes now can strand a seat when adding; a seat left alone before (by
somebody else's release) does not stop a buyer adding seats elsewhere. Giving back one seat is
refused when that seat would then be alone beside the buyer's other seats (the hold would be
one the rule refuses); giving back the whole hold never is.
"""

from collections.abc import Sequence
from datetime import datetime

from catalog.best_available import FreeSeat, stranded_by_taking
from catalog.errors import WouldStrandSeat
from catalog.free_seat_reads import seats_around
from reservations.selectors import OwnedHold


def refuse_stranding_take(hold: OwnedHold, *, taken_ids: Sequence[int], now: datetime) -> None:
    """In the transaction that has just taken `taken_ids` for the hold: refuse if that leaves
    a seat alone."""
    if not hold.terms.refuse_single_seat_gaps or not taken_ids:
        return
    around = seats_around(
        performance_id=hold.performance_id, seat_ids=taken_ids, hold_id=hold.pk, now=now
    )
    taking = set(taken_ids)
    before = around.free + [seat for seat in around.mine if seat.id in taking]
    _refuse(stranded_by_taking(before, taking=taking))


def refuse_stranding_release(hold: OwnedHold, *, seat_id: int, now: datetime) -> None:
    """In the transaction that has just given back `seat_id`: refuse if it is now alone beside
    the hold's other seats (as if those were taken now, from the row as it is)."""
    if not hold.terms.refuse_single_seat_gaps:
        return
    around = seats_around(
        performance_id=hold.performance_id, seat_ids=[seat_id], hold_id=hold.pk, now=now
    )
    mine = {seat.id for seat in around.mine}
    stranded = stranded_by_taking(around.free + around.mine, taking=mine)
    _refuse([seat for seat in stranded if seat.id == seat_id])


def _refuse(stranded: list[FreeSeat]) -> None:
    if stranded:
        seat = stranded[0]
        raise WouldStrandSeat(seat=seat.id, row=seat.row, number=seat.number)
