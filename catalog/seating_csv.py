"""A layout as CSV: one seat a line, columns section, row, number, x, y, ticket_type,
attributes (`;`-separated: wheelchair, companion, restricted_view, aisle, blocked).

x and y are layout units (a seat is 1 wide, y grows downwards) written exactly, so a layout
exported and imported again has the same seats. A CSV carries seats only: no shapes, prices
or section offsets (an import into an existing layout keeps its shapes). Reading refuses the
first bad line, naming it."""

import csv
import io
import math
from collections.abc import Iterable

from catalog.layout_geometry import PlacedSeat
from catalog.models import LayoutSeat, VenueLayout
from catalog.plan_files import (
    ReadPlan,
    ReadSection,
    attribute_names,
    attributes,
    check_unique_seats,
    refuse,
    row_label,
    seat_number,
    section_name,
    where_line,
)
from core.localformat import LATIN_DIGITS

COLUMNS = ("section", "row", "number", "x", "y", "ticket_type", "attributes")


def write_csv(layout: VenueLayout) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    seats = (
        LayoutSeat.objects.filter(section__layout=layout)
        .select_related("section", "ticket_type")
        .order_by("section__position", "section_id", "id")
    )
    for seat in seats.iterator(chunk_size=2000):
        placed = PlacedSeat(
            seat.row, seat.number, seat.x, seat.y, None, seat.blocked, frozenset(seat.flags)
        )
        writer.writerow(
            [
                seat.section.name,
                seat.row,
                seat.number,
                repr(seat.x),
                repr(seat.y),
                seat.ticket_type.name,
                ";".join(attribute_names(placed)),
            ]
        )
    return out.getvalue()


def _header(cells: list[str]) -> list[str]:
    return [cell.strip().lower().replace(" ", "_") for cell in cells]


def _coordinate(value: str, field: str, where: str) -> float:
    try:
        number = float(value.strip().translate(LATIN_DIGITS))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        refuse(where, "not_a_number", field=field, value=value)
    return number


def read_csv(text: str, *, name: str) -> ReadPlan:
    """The plan in a CSV's text; the first line names the columns (in any order)."""
    reader = csv.reader(io.StringIO(text))
    header = _header(next(reader, []))
    if sorted(header) != sorted(COLUMNS):
        refuse(where_line(1), "bad_header", columns=", ".join(COLUMNS))
    sections: dict[str, ReadSection] = {}
    for cells in reader:
        where = where_line(reader.line_num)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            refuse(where, "columns", count=len(cells), expected=len(header))
        values = dict(zip(header, cells, strict=True))
        section = section_name(values["section"], where)
        blocked, flags = attributes(values["attributes"].split(";"), where)
        ticket_type = values["ticket_type"].strip()
        if not ticket_type:
            refuse(where, "missing", field="ticket_type")
        seat = PlacedSeat(
            row=row_label(values["row"], where),
            number=seat_number(values["number"], where),
            x=_coordinate(values["x"], "x", where),
            y=_coordinate(values["y"], "y", where),
            ticket_type=ticket_type,
            blocked=blocked,
            flags=flags,
        )
        read = sections.setdefault(section, ReadSection(section, [], []))
        read.seats.append(seat)
        read.places.append(where)
    plan = ReadPlan(name=name, sections=list(sections.values()), shapes=None)
    check_unique_seats(plan.sections)
    return plan


def looks_like_csv(lines: Iterable[str]) -> bool:
    first = next(iter(lines), "")
    return "section" in _header(next(csv.reader([first]), []))
