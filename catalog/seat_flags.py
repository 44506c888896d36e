"""A seat's flags (catalog.layout_geometry.SEAT_FLAGS) as the bits of Seat.flag_bits.

A layout keeps its seats' flags as a readable list; a performance's seat keeps them as one small
integer, which PostgreSQL and SQLite both test with `flag_bits & bit` and which the seat map
sends as it is. The bits are part of the seat map's contract (web/static/web/seatmap-access.js
reads them): never renumber one.
"""

from collections.abc import Iterable

from catalog.layout_geometry import SEAT_FLAGS

WHEELCHAIR = 1
COMPANION = 2
RESTRICTED_VIEW = 4
AISLE = 8
BIT_OF_FLAG = {
    "wheelchair": WHEELCHAIR,
    "companion": COMPANION,
    "restricted_view": RESTRICTED_VIEW,
    "aisle": AISLE,
}
assert set(BIT_OF_FLAG) == SEAT_FLAGS, "every layout flag has its bit"
ALL_BITS = sum(BIT_OF_FLAG.values())


def flag_bits(flags: Iterable[str]) -> int:
    """The bits of known flags (unknown ones are refused by the layout's validation)."""
    return sum(BIT_OF_FLAG[flag] for flag in set(flags) if flag in BIT_OF_FLAG)


def flags_of_bits(bits: int) -> list[str]:
    """The flags set in `bits`, sorted as a layout stores them."""
    return sorted(flag for flag, bit in BIT_OF_FLAG.items() if bits & bit)
