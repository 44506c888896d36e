"""Which seats of a row stand side by side (catalog/seat_rows.py), for rows laid out as the
layout designer lays them out (catalog/layout_geometry.py)."""

from catalog.layout_geometry import Arc, Gap, Numbering, RowSpec, place_row, rotate
from catalog.seat_rows import RowSeat, places_in_rows


def row_seats(placed, *, ticket_type_of=lambda number: 1) -> list[RowSeat]:
    return [
        RowSeat(s.number, 1, s.row, s.number, s.x, s.y, ticket_type_of(s.number)) for s in placed
    ]


def neighbours(seats: list[RowSeat]) -> list[tuple[int, int]]:
    """The pairs of seat numbers that stand side by side, left to right by place."""
    places = places_in_rows(seats)
    by_place = {place: seat_id for seat_id, place in places.items()}
    return sorted(
        tuple(sorted((by_place[p], by_place[p + 1]))) for p in by_place if p + 1 in by_place
    )


def test_a_straight_row_numbered_left_to_right_has_consecutive_numbers_side_by_side():
    seats = row_seats(place_row(RowSpec("A", 4, 1)))
    assert neighbours(seats) == [(1, 2), (2, 3), (3, 4)]


def test_odd_even_numbering_puts_three_beside_one_not_beside_two():
    seats = row_seats(place_row(RowSpec("A", 5, 1, numbering=Numbering.ODD_EVEN_FROM_CENTRE)))
    # Left to right: 5 3 1 2 4.
    assert neighbours(seats) == [(1, 2), (1, 3), (2, 4), (3, 5)]


def test_an_aisle_and_a_change_of_ticket_type_end_the_row():
    seats = row_seats(
        place_row(RowSpec("A", 6, 1, gaps=[Gap(after=2, width=1.0)])),
        ticket_type_of=lambda number: 1 if number <= 4 else 2,
    )
    assert neighbours(seats) == [(1, 2), (3, 4), (5, 6)]


def test_curved_rows_and_rotated_sections_keep_their_order():
    curved = place_row(RowSpec("A", 7, 1, arc=Arc(0, 0, radius=8)))
    turned = rotate(place_row(RowSpec("A", 5, 1, numbering=Numbering.RIGHT_TO_LEFT)), 90)
    assert neighbours(row_seats(curved)) == [(n, n + 1) for n in range(1, 7)]
    assert neighbours(row_seats(turned)) == [(n, n + 1) for n in range(1, 5)]


def test_a_row_without_positions_is_ordered_by_number():
    seats = [RowSeat(n, 1, "A", n, 0.0, 0.0, 1) for n in (3, 1, 2)]
    assert neighbours(seats) == [(1, 2), (2, 3)]
