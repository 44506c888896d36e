"""pretix's seating-plan format as a JSON schema, restated from the schema pretix publishes
(src/pretix/static/seating/seating-plan.schema.json, which pretix validates every uploaded plan
against, strictly: no property beyond those named). The export is checked against it."""

POSITION = {
    "type": "object",
    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
    "required": ["x", "y"],
    "additionalProperties": False,
}


def _object(properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


TEXT, INTEGER, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "number"}
OPTIONAL_TEXT = {"type": ["string", "null"]}

SEAT = _object(
    {
        "seat_guid": TEXT,
        "seat_number": TEXT,
        "uuid": TEXT,
        "start_direction": OPTIONAL_TEXT,
        "radius": INTEGER,
        "position": POSITION,
        "category": TEXT,
    },
    ["seat_guid", "seat_number", "position", "category"],
)
ROW = _object(
    {
        "row_number": TEXT,
        "row_label": OPTIONAL_TEXT,
        "seat_label": OPTIONAL_TEXT,
        "uuid": TEXT,
        "seats": {"type": "array", "items": SEAT},
        "row_number_position": {"enum": ["start", "end", "both", None]},
        "position": POSITION,
    },
    ["seats", "row_number"],
)
AREA = {
    "type": "object",
    "properties": {
        "color": TEXT,
        "border_color": TEXT,
        "rotation": NUMBER,
        "position": POSITION,
        "uuid": TEXT,
        "shape": {"enum": ["polygon", "rectangle", "ellipse", "circle", "text"]},
        "polygon": _object({"points": {"type": "array", "items": POSITION}}, ["points"]),
        "rectangle": _object({"width": INTEGER, "height": INTEGER}, ["width", "height"]),
        "ellipse": _object({"radius": POSITION}, ["radius"]),
        "circle": _object({"radius": INTEGER}, ["radius"]),
        "text": _object(
            {"text": TEXT, "color": TEXT, "size": INTEGER, "position": POSITION},
            ["text", "position"],
        ),
    },
    "additionalProperties": False,
}
ZONE = _object(
    {
        "name": TEXT,
        "zone_id": TEXT,
        "uuid": TEXT,
        "position": POSITION,
        "rows": {"type": "array", "items": ROW},
        "areas": {"type": "array", "items": AREA},
    },
    ["position", "rows"],
)
SEATING_PLAN = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    **_object(
        {
            "name": TEXT,
            "zones": {"type": "array", "items": ZONE},
            "categories": {
                "type": "array",
                "items": _object({"name": TEXT, "color": TEXT}, ["name"]),
            },
            "size": _object({"width": INTEGER, "height": INTEGER}, ["width", "height"]),
        },
        ["zones", "name", "categories", "size"],
    ),
}
