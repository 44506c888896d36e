"""The seat map in columns: the same seats as the API's rows (SEAT_MAP_COLUMNS), made small.

A seat map is very regular: ids follow one another, a section's and a row's seats are
neighbours in id order, numbers count up along a row, and seats stand on lines and arcs at even
steps. So each column is written in the form that turns its regularity into repetition:

- id, number: the differences from the seat before, in runs ([difference, count, ...]);
- section_id, ticket_type_id, version, and the row (an index into the table `rows` of labels):
  runs of equal values ([value, count, ...]);
- x, y: in 1/SCALE of a unit (the layout's unit is about a seat's width; 1/100 of it is under
  a pixel until a seat is drawn 100 pixels wide), as second differences: along a line or an
  arc the step from seat to seat hardly changes, so these are small numbers, mostly 0 and 1;
- status: one letter per seat (STATUS_LETTERS), one string;
- flags: only the seats that have any, as pairs [distance from the previous such seat, bits].

Every column but x and y comes back exactly; x and y come back rounded to 1/SCALE. The demo
arena's map (14,830 seats) is 1,069 kB as rows and 109 kB as columns; gzipped, 351 kB and
16 kB. web/static/web/seatmap-wire.js reads it in the browser; `decode` here is its twin, for
the tests and any Python client."""

from collections.abc import Sequence
from itertools import accumulate

FORMAT = "columns-1"
SCALE = 100
STATUS_LETTERS = {"available": "a", "reserved": "r", "sold": "s", "blocked": "b"}
STATUS_OF_LETTER = {letter: status for status, letter in STATUS_LETTERS.items()}


def _runs(values: Sequence) -> list:
    runs: list = []
    for value in values:
        if runs and runs[-2] == value:
            runs[-1] += 1
        else:
            runs += [value, 1]
    return runs


def _unruns(runs: Sequence) -> list:
    return [value for value, count in zip(runs[::2], runs[1::2], strict=True) for _ in range(count)]


def _differences(values: Sequence[int]) -> list[int]:
    return [value - before for before, value in zip([0, *values], values, strict=False)]


def _sums(differences: Sequence[int]) -> list[int]:
    return list(accumulate(differences))


def encode(rows: Sequence[Sequence], areas: list[dict]) -> dict:
    """The columns of the seat map's rows (in SEAT_MAP_COLUMNS order, as catalog.selectors
    seat_map returns them) and its standing areas (as they are)."""
    if rows:
        ids, sections, labels, numbers, xs, ys, ticket_types, statuses, versions, flags = zip(
            *rows, strict=True
        )
    else:
        ids = sections = labels = numbers = xs = ys = ticket_types = statuses = versions = ()
        flags = ()
    table = list(dict.fromkeys(labels))
    index = {label: i for i, label in enumerate(table)}
    flagged = [i for i, bits in enumerate(flags) if bits]
    return {
        "format": FORMAT,
        "n": len(rows),
        "scale": SCALE,
        "id": _runs(_differences(ids)),
        "section_id": _runs(sections),
        "rows": table,
        "row": _runs([index[label] for label in labels]),
        "number": _runs(_differences(numbers)),
        "x": _differences(_differences([round(x * SCALE) for x in xs])),
        "y": _differences(_differences([round(y * SCALE) for y in ys])),
        "ticket_type_id": _runs(ticket_types),
        "status": "".join(STATUS_LETTERS[status] for status in statuses),
        "version": _runs(versions),
        "flags": [
            value
            for before, at in zip([0, *flagged], flagged, strict=False)
            for value in (at - before, flags[at])
        ],
        "areas": areas,
    }


def decode(body: dict) -> tuple[list[tuple], list[dict]]:
    """The rows (SEAT_MAP_COLUMNS order; x and y rounded to 1/SCALE) and the areas again."""
    if body.get("format") != FORMAT:
        raise ValueError(f"not a seat map in {FORMAT}: {body.get('format')!r}")
    count, scale = body["n"], body["scale"]
    flags = [0] * count
    at = 0
    for distance, bits in zip(body["flags"][::2], body["flags"][1::2], strict=True):
        at += distance
        flags[at] = bits
    columns = (
        _sums(_unruns(body["id"])),
        _unruns(body["section_id"]),
        [body["rows"][i] for i in _unruns(body["row"])],
        _sums(_unruns(body["number"])),
        [q / scale for q in _sums(_sums(body["x"]))],
        [q / scale for q in _sums(_sums(body["y"]))],
        _unruns(body["ticket_type_id"]),
        [STATUS_OF_LETTER[letter] for letter in body["status"]],
        _unruns(body["version"]),
        flags,
    )
    if any(len(column) != count for column in columns):
        raise ValueError("a column's length is not the map's seat count")
    return list(zip(*columns, strict=True)), body["areas"]
