"""Reading the free seats to choose from, with what choosing needs beside them: each seat's
row neighbours and place in its row, its accessibility marks, the seats around a choice (for
the orphan rule) and the wheelchair spaces' companion seats. Read by best available
(reservations/best_available.py), the orphan rule and companions; written by nobody here."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog import inventory
from catalog.best_available import FreeSeat, Point, focal_point
from catalog.models import PLACE_ROW, Performance, SectionTicketType
from catalog.seat_rows import RowSeat, places_in_rows
from core.sql import as_param, fetch_all, fetch_one, in_list, lock


@dataclass(frozen=True)
class FreeSeats:
    """The free seats best available may choose from, and the focal point to choose by."""

    seats: list[FreeSeat]
    focus: Point


def free_seats_to_choose(
    *,
    performance_id: int,
    now: datetime,
    ticket_type_id: int | None = None,
    section_id: int | None = None,
    max_price: Decimal | None = None,
) -> FreeSeats:
    """The FREE seats with a price of the performance (of one ticket type, one section, at
    most `max_price` if given), only the columns choosing needs, each with its place in its
    row, and the focal
    point: the centre of its stage, else from the bounding box of its seats
    (catalog/best_available.py). Places need the whole rows (catalog/seat_rows.py), so every
    seat of the performance (or section) is read, each marked free or not. The box, the
    shapes and the seats are read apart: joined to the seats, the box's aggregate may be
    planned inside a nested loop, once per seat (a generic plan did that)."""
    # Places of standing areas are no seats to choose, nor part of the seats' box.
    box = fetch_one(
        'SELECT min(x), max(x), min(y) FROM catalog_seat WHERE performance_id = %s AND "row" <> %s',
        [performance_id, PLACE_ROW],
    )
    shapes = Performance.objects.filter(pk=performance_id).values_list("shapes", flat=True)
    if box is None or box[0] is None:
        return FreeSeats(seats=[], focus=Point(0.0, 0.0))
    condition, params = ' AND s."row" <> %s', [as_param(now), performance_id, PLACE_ROW]
    if section_id is not None:
        condition += " AND s.section_id = %s"
        params.append(section_id)
    marked = _marked_seats(f"s.performance_id = %s{condition}", params)
    places = places_in_rows(seat for seat, _free, _access in marked)
    # A seat above the ceiling counts as not free, as one of another ticket type does: it
    # ends a run (within a section and ticket type every seat has the one price).
    within = None if max_price is None else _priced_at_most(performance_id, max_price)
    seats = [
        _placed(seat, places, access)
        for seat, free, access in marked
        if free
        and (ticket_type_id is None or seat.ticket_type_id == ticket_type_id)
        and (within is None or (seat.section_id, seat.ticket_type_id) in within)
    ]
    min_x, max_x, min_y = box
    focus = focal_point(min_x=min_x, max_x=max_x, min_y=min_y, shapes=shapes.first() or ())
    return FreeSeats(seats=seats, focus=focus)


def _priced_at_most(performance_id: int, max_price: Decimal) -> set[tuple[int, int]]:
    """The (section, ticket type) pairs of the performance priced at most `max_price`."""
    prices = SectionTicketType.objects.filter(
        section__performance_id=performance_id, price__lte=max_price
    )
    return set(prices.values_list("section_id", "ticket_type_id"))


def _placed(seat: RowSeat, places: dict[int, int], access: "SeatAccess") -> FreeSeat:
    return FreeSeat(
        seat.id, seat.section_id, seat.row, seat.number, seat.x, seat.y, seat.ticket_type_id,
        place=places[seat.id], flag_bits=access.flag_bits, companion_of=access.companion_of,
    )  # fmt: skip


@dataclass(frozen=True)
class SeatAccess:
    """A seat's flags (catalog/seat_flags.py) and, for a companion seat, its wheelchair space."""

    flag_bits: int
    companion_of: int | None


def _marked_seats(where: str, params: Sequence) -> list[tuple[RowSeat, bool, SeatAccess]]:
    """The seats `where` selects (alias s; the first parameter is "now"), each with whether
    it is FREE and priced (what a buyer could take) and its flags and wheelchair space."""
    rows = fetch_all(
        f"""SELECT s.id, s.section_id, s.row, s.number, s.x, s.y, s.ticket_type_id,
              CASE WHEN {inventory.FREE_SQL}
                    AND EXISTS (SELECT 1 FROM catalog_sectiontickettype p
                                WHERE p.section_id = s.section_id
                                  AND p.ticket_type_id = s.ticket_type_id)
                   THEN 1 ELSE 0 END,
              s.flag_bits, s.companion_of_id
            FROM catalog_seat s WHERE {where}""",
        params,
    )
    return [(RowSeat(*row[:7]), bool(row[7]), SeatAccess(*row[8:])) for row in rows]


@dataclass(frozen=True)
class SeatsAround:
    """The rows of some seats, as a hold's transaction sees them: the seats free to take
    (each with its place), and which seats of those rows are the hold's."""

    free: list[FreeSeat]
    mine: list[FreeSeat]


def seats_around(*, performance_id: int, seat_ids: Sequence[int], hold_id: int, now) -> SeatsAround:
    """Every seat of the rows that `seat_ids` stand in, read inside the caller's transaction
    for the hand-picking orphan rule (reservations/orphan_rule.py). On PostgreSQL the free
    ones are then locked FOR UPDATE SKIP LOCKED: a free seat that another buyer is taking at
    this moment is skipped and so counts as taken, and one this buyer locks cannot be taken
    by another until this transaction ends; so two buyers who each take one neighbour of a
    seat cannot both leave it alone. (SQLite's write transactions run one at a time.)"""
    if not seat_ids:
        return SeatsAround(free=[], mine=[])
    marked = _marked_seats(
        f"""s.performance_id = %s AND EXISTS (
              SELECT 1 FROM catalog_seat t WHERE t.id IN ({in_list(seat_ids)})
                AND t.section_id = s.section_id AND t."row" = s."row")""",
        [as_param(now), performance_id, *seat_ids],
    )
    mine_ids = {
        row[0]
        for row in fetch_all(
            f"SELECT id FROM catalog_seat WHERE hold_id = %s AND {inventory.LIVE_SQL}",
            [hold_id, as_param(now)],
        )
    }
    free_ids = {seat.id for seat, free, _access in marked if free}
    if free_ids and lock(skip_locked=True):
        locked = fetch_all(
            f"""SELECT id FROM catalog_seat WHERE id IN ({in_list(sorted(free_ids))})
                  AND {inventory.FREE_SQL} {lock(skip_locked=True)}""",
            [*sorted(free_ids), as_param(now)],
        )
        free_ids = {row[0] for row in locked}
    places = places_in_rows(seat for seat, _free, _access in marked)
    placed = [_placed(seat, places, access) for seat, _free, access in marked]
    return SeatsAround(
        free=[seat for seat in placed if seat.id in free_ids],
        mine=[seat for seat in placed if seat.id in mine_ids],
    )


@dataclass(frozen=True)
class CompanionLinks:
    """What holding some seats means for companions (reservations/companions.py)."""

    space_of_asked: dict[int, int]  # each companion seat asked for -> its wheelchair space
    free_companions: dict[int, int]  # each FREE companion of a space asked for -> that space


def companion_links(
    *, performance_id: int, seat_ids: Sequence[int], now: datetime
) -> CompanionLinks:
    """For seats about to be held, in one statement: the companion seats among them with their
    wheelchair spaces, and the FREE companion seats of the wheelchair spaces among them."""
    ids = in_list(seat_ids)
    rows = fetch_all(
        f"""SELECT s.id, s.companion_of_id, 0 FROM catalog_seat s
            WHERE s.id IN ({ids}) AND s.performance_id = %s AND s.companion_of_id IS NOT NULL
            UNION ALL
            SELECT c.id, c.companion_of_id, 1 FROM catalog_seat c
            WHERE c.performance_id = %s AND c.companion_of_id IN ({ids})
              AND {inventory.FREE_SQL}""",
        [*seat_ids, performance_id, performance_id, *seat_ids, as_param(now)],
    )
    return CompanionLinks(
        space_of_asked={seat: space for seat, space, free in rows if not free},
        free_companions={seat: space for seat, space, free in rows if free},
    )
