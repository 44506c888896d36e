"""pretix's seating-plan JSON, read into a plan (catalog/plan_files.py) and written from a
layout: the format of pretix's `seating-plan.schema.json` (name, categories, size, zones of rows
of seats, zones' areas), which pretix validates strictly, so nothing else is written.

Mapping (a pretix plan is drawn in pixels, y growing downwards like ours):
- a zone with seats is a section; a seat stands at zone position + row position + its own;
  pixels / PIXELS_PER_SEAT are layout units, where a seat is 1 wide. On reading, the plan's
  seats' radius (pretix's default 10) sets the scale: a seat's diameter is one unit.
- seat_number (text in pretix) is our number: whole numbers from 1, anything else is refused;
  seat_guid is written as a UUID derived from section, row and number, so it is stable.
- a category is a ticket type, matched by name. Blocked seats and flags have no field in
  pretix's schema, so they travel in the category's name: "Normal [blocked; wheelchair]"; in
  pretix such a category is mapped to a product of its own, or left unmapped (not for sale).
- areas are shapes: rectangle, circle, ellipse, polygon, text. pretix areas have no kind, so
  shapes are written in zones without seats named for their kind ("stage", "label",
  "decoration"); read back, such a zone gives its areas that kind, and other areas are
  labels (text) or decorations. A shape's text is a text area at its centre, read back as the
  shape's text. Sizes pretix wants whole (rectangle, circle, text size) are rounded to pixels.
Section offsets become zone positions; a section's rotation has no place in the format (its
seats keep their places). A layout reaching left of or above 0 is moved to start at 0.
"""

import json
import math
import re
import uuid
from collections import Counter

from django.utils.translation import gettext_lazy as _

from catalog.layout_geometry import PlacedSeat
from catalog.layouts import ShapeSpec
from catalog.models import LayoutSeat, LayoutShape, ShapeKind, VenueLayout
from catalog.plan_files import (
    ATTRIBUTES,
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

PIXELS_PER_SEAT = 20.0  # pretix draws a seat with radius 10 unless told otherwise
PRETIX_SEAT_RADIUS = 10
GUID_NAMESPACE = uuid.UUID("8f6f3c1e-5b1a-4c55-9a53-3d2f0c7a1b64")
CATEGORY_WITH_ATTRIBUTES = re.compile(r"^(.*\S) \[([^\[\]]*)\]$")
CAPTION_SLACK = 0.01  # pixels: a caption written at a shape's centre is read back as its text


def seat_guid(section: str, row: str, number: int) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{section}\x1f{row}\x1f{number}"))


def category_name(ticket_type: str, seat: PlacedSeat) -> str:
    names = attribute_names(seat)
    return f"{ticket_type} [{'; '.join(names)}]" if names else ticket_type


def _category_parts(category: str, where: str) -> tuple[str, bool, frozenset[str]]:
    """A category's ticket type name and the attributes its name carries, if any."""
    match = CATEGORY_WITH_ATTRIBUTES.match(category)
    if match and {part.strip() for part in match[2].split(";")} <= ATTRIBUTES:
        blocked, flags = attributes(match[2].split(";"), where)
        return match[1], blocked, flags
    return category, False, frozenset()


# Reading.


def _zone_where(index: int, zone: dict) -> str:
    return str(_('zone %(index)s "%(name)s"') % {"index": index, "name": zone.get("name", "")})


def _field(obj, key: str, where: str, kind: type | tuple, *, default=None, required=True):
    if not isinstance(obj, dict):
        refuse(where, "not_object", field=where, kind=_("an object"))
    if key not in obj:
        if required:
            refuse(where, "missing", field=f'"{key}"')
        return default
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = {list: _("a list"), dict: _("an object"), str: _("a text"), int: _("a number")}
        names[float] = names[int]
        refuse(where, "not_object", field=f'"{key}"', kind=names[kinds[-1]])
    return value


NUMBER = (int, float)


def _point(obj, key: str, where: str, *, required=True) -> tuple[float, float]:
    position = _field(obj, key, where, dict, default={"x": 0, "y": 0}, required=required)
    here = f"{where}, {key}"
    return float(_field(position, "x", here, NUMBER)), float(_field(position, "y", here, NUMBER))


def read_pretix(text: str, *, name: str, pixels_per_seat: float | None = None) -> ReadPlan:
    """The plan in a pretix seating-plan JSON; `name` when the plan has none."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        refuse(where_line(error.lineno), "bad_json", error=f"{error.msg}, column {error.colno}")
    plan_where = str(_("the plan"))
    zones = _field(data, "zones", plan_where, list)
    categories = {
        _field(category, "name", str(_("category %(index)s") % {"index": index}), str)
        for index, category in enumerate(_field(data, "categories", plan_where, list), start=1)
    }
    title = _field(data, "name", plan_where, str, default="", required=False).strip() or name
    scale = pixels_per_seat or _scale_of(zones)
    sections, shapes, guids = [], [], set()
    for z, zone in enumerate(zones, start=1):
        where = _zone_where(z, zone if isinstance(zone, dict) else {})
        zx, zy = _point(zone, "position", where)
        seats, places = [], []
        for r, row in enumerate(_field(zone, "rows", where, list), start=1):
            label = _field(row, "row_number", f"{where}, {_('row')} {r}", str)
            row_where = f'{where}, {_("row")} {r} "{label}"'
            rx, ry = _point(row, "position", row_where, required=False)
            for s, seat in enumerate(_field(row, "seats", row_where, list), start=1):
                seat_where = f"{row_where}, {_('seat')} {s}"
                guid = _field(seat, "seat_guid", seat_where, str)
                if guid in guids:
                    refuse(seat_where, "duplicate_guid", value=guid)
                guids.add(guid)
                number = seat_number(
                    _field(seat, "seat_number", seat_where, (str, int)), seat_where
                )
                sx, sy = _point(seat, "position", seat_where)
                category = _field(seat, "category", seat_where, str)
                if category not in categories:
                    refuse(seat_where, "unknown_category", value=category)
                ticket_type, blocked, flags = _category_parts(category, seat_where)
                seats.append(
                    PlacedSeat(
                        row=row_label(label, row_where),
                        number=number,
                        x=(zx + rx + sx) / scale,
                        y=(zy + ry + sy) / scale,
                        ticket_type=ticket_type,
                        blocked=blocked,
                        flags=flags,
                    )
                )
                places.append(seat_where)
        kind = str(zone.get("name", "")).strip().casefold() if not seats else ""
        shapes += _read_areas(zone, (zx, zy), where, scale, kind)
        if seats:
            name_of_zone = section_name(zone.get("name", ""), where)
            sections.append(ReadSection(name_of_zone, seats, places, zx / scale, zy / scale))
    if not sections:
        refuse(plan_where, "no_seats")
    check_unique_seats(sections)
    return ReadPlan(name=title, sections=sections, shapes=shapes)


def _scale_of(zones) -> float:
    """Pixels per seat: the diameter most of the plan's seats have."""
    radii = Counter(
        seat.get("radius", PRETIX_SEAT_RADIUS)
        for zone in zones
        if isinstance(zone, dict) and isinstance(zone.get("rows"), list)
        for row in zone["rows"]
        if isinstance(row, dict) and isinstance(row.get("seats"), list)
        for seat in row["seats"]
        if isinstance(seat, dict)
    )
    radius = radii.most_common(1)[0][0] if radii else PRETIX_SEAT_RADIUS
    return 2.0 * radius if isinstance(radius, NUMBER) and radius > 0 else PIXELS_PER_SEAT


def _read_areas(zone, origin, zone_where: str, scale: float, kind: str) -> list[ShapeSpec]:
    shapes: list[ShapeSpec] = []
    centres: list[tuple[float, float] | None] = []
    for index, area in enumerate(
        _field(zone, "areas", zone_where, list, default=[], required=False), start=1
    ):
        where = f"{zone_where}, {_('area')} {index}"
        ax, ay = _point(area, "position", where)
        ax, ay = ax + origin[0], ay + origin[1]
        shape = area.get("shape") if isinstance(area, dict) else None
        geometry: dict = {}
        text = ""
        if shape == "text":
            body = _field(area, "text", where, dict)
            tx, ty = _point(body, "position", f"{where}, text", required=False)
            x, y = ax + tx, ay + ty
            text = _field(body, "text", f"{where}, text", str)
            previous = shapes[-1] if shapes else None
            centre = centres[-1] if centres else None
            near = centre and math.dist(centre, (x / scale, y / scale)) < CAPTION_SLACK / scale
            if previous and near and not previous.text:
                shapes[-1] = ShapeSpec(previous.kind, previous.geometry, text)  # its caption
                centres[-1] = None
                continue
            geometry = {"type": "text", "x": x / scale, "y": y / scale}
            if "size" in body:
                geometry["size"] = _field(body, "size", f"{where}, text", NUMBER) / scale
        elif shape == "circle":
            radius = _field(_field(area, "circle", where, dict), "radius", where, NUMBER)
            geometry = {
                "type": "circle",
                "x": ax / scale,
                "y": ay / scale,
                "radius": radius / scale,
            }
        elif shape == "ellipse":
            rx, ry = _point(_field(area, "ellipse", where, dict), "radius", where)
            geometry = {"type": "ellipse", "x": ax / scale, "y": ay / scale}
            geometry |= {"rx": rx / scale, "ry": ry / scale}
        elif shape == "polygon":
            points = _field(_field(area, "polygon", where, dict), "points", where, list)
            corners = [_point({"p": p}, "p", f"{where}, polygon") for p in points]
            geometry = {
                "type": "polygon",
                "points": [[(ax + px) / scale, (ay + py) / scale] for px, py in corners],
            }
        else:  # a rectangle; pretix's first schema gave width and height on the area itself
            size = area.get("rectangle", area) if isinstance(area, dict) else area
            width, height = (_field(size, key, where, NUMBER) for key in ("width", "height"))
            geometry = {"type": "rect", "x": ax / scale, "y": ay / scale}
            geometry |= {"width": width / scale, "height": height / scale}
        if isinstance(area, dict) and area.get("rotation"):
            geometry["rotation"] = float(_field(area, "rotation", where, NUMBER))
        shape_kind = (
            kind if kind in ShapeKind.values else ("label" if shape == "text" else "decoration")
        )
        shapes.append(ShapeSpec(kind=shape_kind, geometry=geometry, text=text))
        centres.append(None if shape == "text" else _centre(geometry))
    return shapes


def _centre(geometry: dict) -> tuple[float, float]:
    """Where a shape's caption stands, in the units of its geometry."""
    if geometry.get("type") == "polygon":
        points = geometry.get("points") or [[0, 0]]
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    x, y = geometry.get("x", 0), geometry.get("y", 0)
    if geometry.get("type") == "rect":
        half_w, half_h = geometry.get("width", 0) / 2, geometry.get("height", 0) / 2
        turn = math.radians(geometry.get("rotation", 0))
        x += half_w * math.cos(turn) - half_h * math.sin(turn)
        y += half_w * math.sin(turn) + half_h * math.cos(turn)
    return (x, y)


# Writing.


def _px(value: float) -> float:
    # Nine decimals: float noise gone (140.0, not 139.99999999999997), yet seats that touch
    # (exactly a seat apart, as on a curved row) still do not overlap when read back.
    return round(value * PIXELS_PER_SEAT, 9) + 0.0  # + 0.0: never -0.0


def write_pretix(layout: VenueLayout) -> dict:
    """The layout as a pretix seating plan (a dict to dump as JSON)."""
    sections = list(layout.sections.order_by("position", "id"))
    seats_of: dict[int, list] = {section.pk: [] for section in sections}
    for seat in (
        LayoutSeat.objects.filter(section__layout=layout)
        .select_related("ticket_type")
        .order_by("id")
        .iterator(chunk_size=2000)
    ):
        seats_of[seat.section_id].append(seat)
    shapes = list(LayoutShape.objects.filter(layout=layout).order_by("id"))
    xs = [seat.x for seats in seats_of.values() for seat in seats]
    ys = [seat.y for seats in seats_of.values() for seat in seats]
    for shape in shapes:
        for x, y in _anchors(shape.geometry):
            xs.append(x)
            ys.append(y)
    dx, dy = max(0.0, -min(xs, default=0.0)), max(0.0, -min(ys, default=0.0))
    zones, categories = [], set()
    for section in sections:
        zones.append(_pretix_zone(section, seats_of[section.pk], offset=(dx, dy)))
        categories.update(seat["category"] for row in zones[-1]["rows"] for seat in row["seats"])
    for kind in ShapeKind.values:
        areas = [area for shape in shapes if shape.kind == kind for area in _areas(shape)]
        if areas:
            zones.append(
                {"name": kind, "position": {"x": _px(dx), "y": _px(dy)}, "rows": [], "areas": areas}
            )
    return {
        "name": layout.name,
        "categories": [{"name": name} for name in sorted(categories)],
        "size": {
            "width": math.ceil(_px(max(xs, default=0.0) + dx + 1)),
            "height": math.ceil(_px(max(ys, default=0.0) + dy + 1)),
        },
        "zones": zones,
    }


def _pretix_zone(section, seats: list, *, offset: tuple[float, float]) -> dict:
    """One section as a pretix zone: its seats by row, placed relative to the section."""
    dx, dy = offset
    rows: dict[str, list] = {}
    for seat in seats:
        placed = PlacedSeat(seat.row, seat.number, 0, 0, None, seat.blocked, frozenset(seat.flags))
        rows.setdefault(seat.row, []).append(
            {
                "seat_guid": seat_guid(section.name, seat.row, seat.number),
                "seat_number": str(seat.number),
                "position": {
                    "x": _px(seat.x - section.offset_x),
                    "y": _px(seat.y - section.offset_y),
                },
                "category": category_name(seat.ticket_type.name, placed),
            }
        )
    return {
        "name": section.name,
        "position": {"x": _px(section.offset_x + dx), "y": _px(section.offset_y + dy)},
        "rows": [
            {"row_number": row, "position": {"x": 0, "y": 0}, "seats": row_seats}
            for row, row_seats in rows.items()
        ],
        "areas": [],
    }


def _anchors(geometry: dict) -> list[tuple[float, float]]:
    """The points that bound a shape well enough to size the plan's canvas."""
    if geometry.get("type") == "polygon":
        return [(float(p[0]), float(p[1])) for p in geometry.get("points", [])]
    x, y = float(geometry.get("x", 0)), float(geometry.get("y", 0))
    far = (
        (x + geometry.get("width", 0), y + geometry.get("height", 0))
        if geometry.get("type") == "rect"
        else (
            x + geometry.get("radius", geometry.get("rx", 0)),
            y + geometry.get("radius", geometry.get("ry", 0)),
        )
    )
    return [(x, y), far]


def _areas(shape: LayoutShape) -> list[dict]:
    """A shape as pretix areas: the shape, then its text as a caption at its centre."""
    geometry, kind = shape.geometry, shape.geometry.get("type")
    area: dict = {"position": {"x": _px(geometry.get("x", 0)), "y": _px(geometry.get("y", 0))}}
    if kind == "rect":
        area |= {
            "shape": "rectangle",
            "rectangle": {
                "width": round(_px(geometry.get("width", 0))),
                "height": round(_px(geometry.get("height", 0))),
            },
        }
    elif kind == "circle":
        area |= {"shape": "circle", "circle": {"radius": round(_px(geometry.get("radius", 0)))}}
    elif kind == "ellipse":
        area |= {
            "shape": "ellipse",
            "ellipse": {
                "radius": {"x": _px(geometry.get("rx", 0)), "y": _px(geometry.get("ry", 0))}
            },
        }
    elif kind == "polygon":
        area |= {"position": {"x": 0, "y": 0}, "shape": "polygon"}
        area["polygon"] = {
            "points": [{"x": _px(x), "y": _px(y)} for x, y in geometry.get("points", [])]
        }
    elif kind == "text":
        text = {"text": shape.text, "position": {"x": 0, "y": 0}}
        if "size" in geometry:
            text["size"] = round(_px(geometry["size"]))
        area |= {"shape": "text", "text": text}
    else:
        return []  # a geometry the designer may add later, which pretix cannot draw
    if geometry.get("rotation"):
        area["rotation"] = float(geometry["rotation"])
    if kind == "text" or not shape.text:
        return [area]
    drawn = {"type": "rect", "x": area["position"]["x"], "y": area["position"]["y"]}
    if kind == "rect":
        drawn |= area["rectangle"] | {"rotation": area.get("rotation", 0)}
    elif kind == "polygon":
        drawn = {"type": "polygon", "points": [[p["x"], p["y"]] for p in area["polygon"]["points"]]}
    cx, cy = _centre(drawn)
    caption = {"position": {"x": round(cx, 3), "y": round(cy, 3)}, "shape": "text"}
    return [area, caption | {"text": {"text": shape.text, "position": {"x": 0, "y": 0}}}]
