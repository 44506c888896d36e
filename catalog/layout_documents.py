"""A venue layout as the designer's JSON document, read and saved whole.

The document holds every seat already placed in layout coordinates, so what the organizer
sees is what is saved; the designer asks the server to lay out new rows (`place_row_document`,
through catalog/layout_geometry.py) so that numbering and curves have one implementation.
Saving checks the document's shape here, each fault located (which section, which seat, which
field) with a stable code, and then goes through catalog.layouts.save_placed_layout, the one
writer of a layout, which refuses what cannot be sold.

    {"sections": [{"name", "kind": "seated" | "standing", "prices": {"<ticket type id>": "40.00"},
                   "offset_x", "offset_y", "rotation",
                   "seats": [{"row", "number", "x", "y", "ticket_type",
                              "flags": [], "blocked": false}],
                   "capacity", "outline"}],       (the last two for standing areas only)
     "shapes": [{"kind", "geometry": {"type": "rect" | "text", "x", "y", ...}, "text"}],
     "revision": 7,                               (the layout's, when it was read; optional)
     "ticket_types": [{"id", "name"}]}            (read only: the event's ticket types)
"""

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from catalog.errors import LayoutDocumentInvalid, LayoutRefused
from catalog.layout_geometry import (
    MAX_LAYOUT_SEATS,
    MAX_ROW_LABEL,
    Arc,
    Gap,
    LayoutProblem,
    Numbering,
    PlacedSeat,
    RowSpec,
    link_companions,
    place_row,
    spec_problems,
)
from catalog.layouts import PlacedSection, ShapeSpec, save_placed_layout
from catalog.models import (
    LayoutSeat,
    LayoutSectionPrice,
    SectionKind,
    ShapeKind,
    TicketType,
    VenueLayout,
)
from core.localformat import digits

MAX_SECTION_NAME = 100  # LayoutSection.name
MAX_SHAPE_TEXT = 200  # LayoutShape.text
MAX_SHAPES = 500
ARC_KEYS = ("centre_x", "centre_y", "radius", "angle")
SHAPE_GEOMETRIES = {"rect": ("x", "y", "width", "height"), "text": ("x", "y", "size")}
MAX_OUTLINE_POINTS = 1000


def layout_document(layout: VenueLayout) -> dict:
    """The layout as the designer edits it: sections in order with their prices and seats,
    the shapes, and the event's ticket types to choose from."""
    sections = list(layout.sections.all())
    prices: dict[int, dict[str, str]] = {section.pk: {} for section in sections}
    for section_id, type_id, price in LayoutSectionPrice.objects.filter(
        section__layout=layout
    ).values_list("section_id", "ticket_type_id", "price"):
        prices[section_id][str(type_id)] = str(price)
    seats: dict[int, list[dict]] = {section.pk: [] for section in sections}
    rows = LayoutSeat.objects.filter(section__layout=layout).order_by("id")
    fields = ("section_id", "row", "number", "x", "y", "ticket_type_id", "flags", "blocked",
              "companion_of")  # fmt: skip
    for section_id, row, number, x, y, type_id, flags, blocked, companion_of in rows.values_list(
        *fields
    ):
        seat = {
            "row": row,
            "number": number,
            "x": x,
            "y": y,
            "ticket_type": type_id,
            "flags": list(flags),
            "blocked": blocked,
        }
        if companion_of is not None:
            seat["companion_of"] = companion_of
        seats[section_id].append(seat)
    return {
        "revision": VenueLayout.objects.values_list("revision", flat=True).get(pk=layout.pk),
        "sections": [
            _section_json(section, prices[section.pk], seats[section.pk]) for section in sections
        ],
        "shapes": [
            {"kind": shape.kind, "geometry": shape.geometry, "text": shape.text}
            for shape in layout.shapes.order_by("id")
        ],
        "ticket_types": [
            {"id": pk, "name": name}
            for pk, name in TicketType.objects.filter(event_id=layout.event_id)
            .order_by("id")
            .values_list("id", "name")
        ],
    }


def save_layout_document(layout: VenueLayout, document: Any) -> int:
    """Replace the layout with the document's sections, seats and shapes, all or nothing.
    Raises LayoutDocumentInvalid (located) for a document of the wrong shape, LayoutRefused
    (every problem listed) for a layout that cannot be sold, LayoutChangedElsewhere when the
    document names a revision and the layout was saved since. Returns the number of seats."""
    event_types = set(
        TicketType.objects.filter(event_id=layout.event_id).values_list("id", flat=True)
    )
    root = _object(document, "")
    sections = [
        _section(section, f"sections[{index}]", event_types)
        for index, section in enumerate(_list(root.get("sections"), "sections"))
    ]
    shapes = [
        _shape(shape, f"shapes[{index}]")
        for index, shape in enumerate(_list(root.get("shapes", []), "shapes", limit=MAX_SHAPES))
    ]
    revision = root.get("revision")
    if revision is not None:
        revision = _integer(revision, "revision", low=0)
    return save_placed_layout(
        layout=layout, sections=sections, shapes=shapes, expected_revision=revision
    )


def problems_json(problems: list[LayoutProblem]) -> list[dict]:
    """LayoutRefused's problems as the designer shows them: located, in the active language
    (with its digits); `other` is the seat an overlapping one clashes with."""
    return [
        {
            "code": problem.code,
            "section": problem.section,
            "row": problem.row,
            "number": problem.number,
            "other": list(problem.other) if problem.other else None,
            "message": digits(problem.message),
        }
        for problem in problems
    ]


def place_row_document(spec: Any) -> list[dict]:
    """One row laid out on the server from the designer's row spec: {"label", "seats",
    "spacing", "x", "y", "arc": {"centre_x", "centre_y", "radius", "angle"} or null,
    "gaps": [{"after", "width"}], "numbering", "first_number", "ticket_type"}; its seats as
    the document holds them. A spec that cannot be laid out is refused like a layout's."""
    spec = _object(spec, "")
    arc = spec.get("arc")
    if arc is not None:
        arc = _object(arc, "arc")
        arc = Arc(*(_number(arc.get(key), f"arc.{key}") for key in ARC_KEYS))
    gaps = [
        Gap(
            after=_integer(_object(gap, f"gaps[{i}]").get("after"), f"gaps[{i}].after"),
            width=_number(gap.get("width"), f"gaps[{i}].width"),
        )
        for i, gap in enumerate(_list(spec.get("gaps", []), "gaps", limit=1000))
    ]
    numbering = spec.get("numbering", Numbering.LEFT_TO_RIGHT)
    if numbering not in Numbering.ALL:
        _invalid("numbering", "unknown_numbering")
    ticket_type = spec.get("ticket_type")
    row = RowSpec(
        label=_text(spec.get("label"), "label", MAX_ROW_LABEL),
        seats=_integer(spec.get("seats"), "seats", high=MAX_LAYOUT_SEATS),
        ticket_type=None if ticket_type is None else _integer(ticket_type, "ticket_type"),
        x=_number(spec.get("x", 0), "x"),
        y=_number(spec.get("y", 0), "y"),
        spacing=_number(spec.get("spacing", 1), "spacing"),
        arc=arc,
        gaps=gaps,
        numbering=numbering,
        first_number=_integer(spec.get("first_number", 1), "first_number"),
    )
    if problems := spec_problems(str(spec.get("section", "")), [row]):
        raise LayoutRefused(count=len(problems), first=problems[0].message, problems=problems)
    return [_seat_json(seat) for seat in place_row(row)]


def _section_json(section, prices: dict, seats: list) -> dict:
    document = {
        "name": section.name,
        "kind": section.kind,
        "prices": prices,
        "offset_x": section.offset_x,
        "offset_y": section.offset_y,
        "rotation": section.rotation,
        "seats": seats,
    }
    if section.kind == SectionKind.STANDING:
        document |= {"capacity": section.capacity, "outline": section.outline}
    return document


# The document's parts, each checked where it stands; `where` says where, e.g.
# "sections[2].seats[14].number", and the error carries the indexes for the designer.


def _section(value: Any, where: str, event_types: set[int]) -> PlacedSection:
    section = _object(value, where)
    prices = {}
    for key, price in _object(section.get("prices", {}), f"{where}.prices").items():
        type_id = _integer(key, f"{where}.prices.{key}")
        if type_id not in event_types:
            _invalid(f"{where}.prices.{key}", "unknown_ticket_type")
        prices[type_id] = _price(price, f"{where}.prices.{key}")
    # A companion seat may name its wheelchair space ("companion_of": its number in the row);
    # one that does not belongs to the nearest space of its row (link_companions).
    seats = link_companions(
        [
            _seat(seat, f"{where}.seats[{index}]")
            for index, seat in enumerate(
                _list(section.get("seats", []), f"{where}.seats", limit=MAX_LAYOUT_SEATS)
            )
        ]
    )
    kind = section.get("kind", SectionKind.SEATED)
    if kind not in SectionKind.values:
        _invalid(f"{where}.kind", "unknown_section_kind")
    area: dict[str, Any] = {}
    if kind == SectionKind.STANDING:
        # An area's places are made per performance: seats drawn in one would be sold twice.
        if seats:
            _invalid(f"{where}.seats", "area_has_seats")
        capacity = section.get("capacity")
        if isinstance(capacity, str):  # a number, not text that reads as one
            _invalid(f"{where}.capacity", "not_positive_integer")
        area = {
            "capacity": _integer(capacity, f"{where}.capacity", high=MAX_LAYOUT_SEATS),
            "outline": _outline(section.get("outline"), f"{where}.outline"),
        }
    return PlacedSection(
        kind=kind,
        **area,
        name=_text(section.get("name"), f"{where}.name", MAX_SECTION_NAME),
        seats=seats,
        prices=prices,
        offset_x=_number(section.get("offset_x", 0), f"{where}.offset_x"),
        offset_y=_number(section.get("offset_y", 0), f"{where}.offset_y"),
        rotation=_number(section.get("rotation", 0), f"{where}.rotation"),
    )


def _outline(value: Any, where: str) -> dict:
    """A standing area's outline: {"type": "rect", "x", "y", "width", "height"} or
    {"type": "polygon", "points": [[x, y], ...]} of three points or more."""
    outline = _object(value, where)
    if outline.get("type") == "rect":
        clean = {"type": "rect"}
        for key in SHAPE_GEOMETRIES["rect"]:
            clean[key] = _number(outline.get(key), f"{where}.{key}")
        for key in ("width", "height"):
            if clean[key] <= 0:
                _invalid(f"{where}.{key}", "not_positive")
        return clean
    if outline.get("type") == "polygon":
        points = _list(outline.get("points"), f"{where}.points", limit=MAX_OUTLINE_POINTS)
        if len(points) < 3:
            _invalid(f"{where}.points", "too_short")
        clean_points = []
        for index, point in enumerate(points):
            at = f"{where}.points[{index}]"
            if not isinstance(point, list) or len(point) != 2:
                _invalid(at, "not_point")
            clean_points.append([_number(point[0], at), _number(point[1], at)])
        return {"type": "polygon", "points": clean_points}
    _invalid(f"{where}.type", "unknown_geometry")


def _seat(value: Any, where: str) -> PlacedSeat:
    seat = _object(value, where)
    ticket_type = seat.get("ticket_type")
    flags = _list(seat.get("flags", []), f"{where}.flags", limit=10)
    if not all(isinstance(flag, str) for flag in flags):
        _invalid(f"{where}.flags", "not_text")
    blocked = seat.get("blocked", False)
    if not isinstance(blocked, bool):
        _invalid(f"{where}.blocked", "not_boolean")
    companion_of = seat.get("companion_of")
    return PlacedSeat(
        row=_text(seat.get("row"), f"{where}.row", MAX_ROW_LABEL),
        number=_integer(seat.get("number"), f"{where}.number"),
        x=_number(seat.get("x"), f"{where}.x"),
        y=_number(seat.get("y"), f"{where}.y"),
        # None is refused by validation, located by row and number: seat_without_ticket_type.
        ticket_type=None if ticket_type is None else _integer(ticket_type, f"{where}.ticket_type"),
        blocked=blocked,
        flags=frozenset(flags),
        companion_of=(
            None if companion_of is None else _integer(companion_of, f"{where}.companion_of")
        ),
    )


def _shape(value: Any, where: str) -> ShapeSpec:
    shape = _object(value, where)
    if shape.get("kind") not in ShapeKind.values:
        _invalid(f"{where}.kind", "unknown_shape_kind")
    geometry = _object(shape.get("geometry"), f"{where}.geometry")
    kind = geometry.get("type")
    keys = SHAPE_GEOMETRIES.get(kind) if isinstance(kind, str) else None
    if keys is None:
        _invalid(f"{where}.geometry.type", "unknown_geometry")
    clean: dict[str, Any] = {"type": geometry["type"]}
    for key in keys:
        clean[key] = _number(geometry.get(key), f"{where}.geometry.{key}")
    for key in ("width", "height", "size"):
        if key in clean and clean[key] <= 0:
            _invalid(f"{where}.geometry.{key}", "not_positive")
    text = shape.get("text", "")
    return ShapeSpec(
        kind=shape["kind"],
        geometry=clean,
        text=_text(text, f"{where}.text", MAX_SHAPE_TEXT) if text else "",
    )


def _seat_json(seat: PlacedSeat) -> dict:
    return {
        "row": seat.row,
        "number": seat.number,
        "x": seat.x,
        "y": seat.y,
        "ticket_type": seat.ticket_type,
        "flags": sorted(seat.flags),
        "blocked": seat.blocked,
        **({} if seat.companion_of is None else {"companion_of": seat.companion_of}),
    }


# Values. JSON's true is an int in Python, so booleans are refused where numbers are asked.


def _invalid(where: str, fault: str) -> NoReturn:
    # Indexes of the section and seat, when the fault lies in one, for the designer to
    # select what is wrong.
    parts = where.replace("]", "").split(".")
    indexes = {
        name: int(part.split("[")[1])
        for part in parts
        for name in ("sections", "seats")
        if part.startswith(f"{name}[")
    }
    raise LayoutDocumentInvalid(
        where=where or "document",
        fault=fault,
        section_index=indexes.get("sections"),
        seat_index=indexes.get("seats"),
    )


def _object(value: Any, where: str) -> Mapping:
    if not isinstance(value, dict):
        _invalid(where, "not_object")
    return value


def _list(value: Any, where: str, *, limit: int = 10_000) -> list:
    if not isinstance(value, list):
        _invalid(where, "not_list")
    if len(value) > limit:
        _invalid(where, "too_long")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _invalid(where, "not_number")
    return float(value)


def _integer(value: Any, where: str, *, low: int = 1, high: int = 2**31 - 1) -> int:
    if isinstance(value, str) and value.isdigit():  # ticket type ids are JSON object keys
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _invalid(where, "not_positive_integer")
    return value


def _text(value: Any, where: str, longest: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        _invalid(where, "not_text")
    return value


def _price(value: Any, where: str) -> Decimal:
    try:
        price = Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or price < 0 or price != round(price, 2):
        _invalid(where, "not_price")
    if price >= Decimal("1e10"):  # max_digits=12, decimal_places=2
        _invalid(where, "not_price")
    return price
