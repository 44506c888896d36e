"""The designer's document of a layout: read and saved whole, every fault located, every
problem of a layout that cannot be sold given back as JSON, and shapes that reach the
performances made from the layout as a copy."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.errors import LayoutDocumentInvalid, LayoutRefused
from catalog.layout_copies import create_performance_from_layout
from catalog.layout_documents import (
    layout_document,
    place_row_document,
    problems_json,
    save_layout_document,
)
from catalog.layout_geometry import Arc, Gap, RowSpec
from catalog.layouts import SectionSpec, ShapeSpec, replace_layout
from catalog.models import Event, LayoutSeat, TicketType, VenueLayout
from core.dbtime import db_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    normal = TicketType.objects.create(event=event, name="Normal")
    student = TicketType.objects.create(event=event, name="Student")
    layout = VenueLayout.objects.create(event=event, name="Grand hall")
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls",
                prices={normal.pk: Decimal("40"), student.pk: Decimal("20.50")},
                rows=[
                    RowSpec("A", 6, ticket_type=normal.pk, gaps=[Gap(3, 1)], blocked={2}),
                    RowSpec("B", 6, ticket_type=student.pk, y=2, flags={1: {"wheelchair"}}),
                ],
            ),
            SectionSpec(
                name="Balcony",
                prices={normal.pk: Decimal("25")},
                offset_y=20,
                rotation=5,
                rows=[RowSpec("A", 5, ticket_type=normal.pk, arc=Arc(3, -8, 10))],
            ),
        ],
        shapes=[ShapeSpec("stage", {"type": "rect", "x": 0, "y": -6, "width": 8, "height": 2})],
    )
    return layout


def seats_of(layout):
    return sorted(
        LayoutSeat.objects.filter(section__layout=layout).values_list(
            "section__name", "row", "number", "x", "y", "ticket_type_id", "blocked", "flags"
        )
    )


def test_a_document_saved_as_it_was_read_changes_nothing(layout):
    before = seats_of(layout)
    document = json.loads(json.dumps(layout_document(layout)))  # as the browser sends it
    assert [s["name"] for s in document["sections"]] == ["Stalls", "Balcony"]
    assert document["sections"][0]["prices"] == {
        str(t.pk): p
        for t, p in zip(TicketType.objects.order_by("id"), ["40.00", "20.50"], strict=True)
    }
    assert document["sections"][1]["rotation"] == 5
    assert [t["name"] for t in document["ticket_types"]] == ["Normal", "Student"]
    assert document["shapes"][0]["geometry"]["width"] == 8
    assert save_layout_document(layout, document) == 17
    assert seats_of(layout) == before
    assert layout_document(layout) == document | {"revision": document["revision"] + 1}


def test_a_document_with_a_new_row_and_changed_seats_replaces_the_layout(layout):
    normal, student = TicketType.objects.order_by("id")
    document = layout_document(layout)
    stalls = document["sections"][0]
    row = place_row_document(
        {"label": "C", "seats": 4, "y": 4, "ticket_type": normal.pk, "numbering": "rtl"}
    )
    stalls["seats"] += row
    stalls["seats"][0] |= {"ticket_type": student.pk, "flags": ["aisle"], "blocked": True}
    document["shapes"].append(
        {"kind": "label", "geometry": {"type": "text", "x": 1, "y": 1, "size": 2}, "text": "Exit"}
    )
    assert save_layout_document(layout, document) == 21
    c = LayoutSeat.objects.filter(section__name="Stalls", row="C").order_by("x")
    assert [(s.number, s.x, s.y) for s in c] == [(4, 0, 4), (3, 1, 4), (2, 2, 4), (1, 3, 4)]
    first = LayoutSeat.objects.get(section__name="Stalls", row="A", number=1)
    assert (first.ticket_type_id, first.flags, first.blocked) == (student.pk, ["aisle"], True)
    assert layout.shapes.get(kind="label").text == "Exit"


def test_a_curved_row_is_laid_out_on_its_arc_by_the_server(layout):
    seats = place_row_document(
        {
            "label": "D",
            "seats": 7,
            "spacing": 1.2,
            "arc": {"centre_x": 0, "centre_y": -20, "radius": 30, "angle": 90},
            "numbering": "odd_even",
            "ticket_type": 1,
        }
    )
    for seat in seats:  # every seat 30 from the centre, the middle one straight below it
        assert abs(((seat["x"]) ** 2 + (seat["y"] + 20) ** 2) ** 0.5 - 30) < 1e-9
    assert [s["number"] for s in seats] == [7, 5, 3, 1, 2, 4, 6]
    assert abs(seats[3]["x"]) < 1e-9 and seats[3]["y"] == pytest.approx(10)


def test_a_row_spec_that_cannot_be_laid_out_is_refused(layout):
    with pytest.raises(LayoutRefused) as refused:
        place_row_document({"label": "E", "seats": 3, "gaps": [{"after": 5, "width": 1}]})
    assert refused.value.details["problems"][0].code == "row_spec_invalid"
    with pytest.raises(LayoutDocumentInvalid) as malformed:
        place_row_document({"label": "E", "seats": 3, "arc": {"radius": "big"}})
    assert malformed.value.details["where"] == "arc.centre_x"


BAD_PARTS = [
    (lambda d: d["sections"][1]["seats"][3].update(x="left"), "sections[1].seats[3].x", 1, 3),
    (lambda d: d["sections"][0]["seats"][7].update(number=0), "sections[0].seats[7].number", 0, 7),
    (lambda d: d["sections"][0]["seats"][2].update(row=""), "sections[0].seats[2].row", 0, 2),
    (lambda d: d["sections"][0]["seats"][2].update(blocked=1), "sections[0].seats[2].blocked", 0,
     2),
    (lambda d: d["sections"][1].update(name=None), "sections[1].name", 1, None),
    (lambda d: d["sections"][0]["prices"].update({"1": "-3"}), "sections[0].prices.1", 0, None),
    (lambda d: d["shapes"][0].update(kind="tower"), "shapes[0].kind", None, None),
    (lambda d: d["shapes"][0]["geometry"].update(type=["rect"]), "shapes[0].geometry.type", None,
     None),
    (lambda d: d.update(sections={}), "sections", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("spoil", "where", "section", "seat"), BAD_PARTS)
def test_a_malformed_document_is_refused_where_it_is_wrong(layout, spoil, where, section, seat):
    before = seats_of(layout)
    document = layout_document(layout)
    spoil(document)
    with pytest.raises(LayoutDocumentInvalid) as refused:
        save_layout_document(layout, document)
    details = refused.value.details
    assert (details["where"], details["section_index"], details["seat_index"]) == (
        where,
        section,
        seat,
    )
    assert seats_of(layout) == before


def test_a_price_for_another_events_ticket_type_is_refused(layout):
    stranger = TicketType.objects.create(event=Event.objects.create(name="Other"), name="VIP")
    document = layout_document(layout)
    document["sections"][0]["prices"][str(stranger.pk)] = "5.00"
    with pytest.raises(LayoutDocumentInvalid) as refused:
        save_layout_document(layout, document)
    assert refused.value.details["fault"] == "unknown_ticket_type"


def test_a_layout_that_cannot_be_sold_comes_back_as_located_problems_in_the_users_language(
    layout,
):
    document = layout_document(layout)
    stalls = document["sections"][0]["seats"]
    stalls[1] |= {"x": stalls[0]["x"] + 0.3, "y": stalls[0]["y"]}  # A-2 on top of A-1
    stalls[4]["ticket_type"] = None
    with pytest.raises(LayoutRefused) as refused:
        save_layout_document(layout, document)
    with translation.override("fa"):
        problems = problems_json(refused.value.details["problems"])
    by_code = {p["code"]: p for p in problems}
    assert by_code["seat_without_ticket_type"] | {"message": ""} == {
        "code": "seat_without_ticket_type",
        "section": "Stalls",
        "row": "A",
        "number": stalls[4]["number"],
        "other": None,
        "message": "",
    }
    overlap = by_code["seats_overlap"]
    assert {(overlap["row"], overlap["number"]), tuple(overlap["other"][1:])} == {
        ("A", 1),
        ("A", 2),
    }
    assert "Stalls" in overlap["message"] and "seat" not in overlap["message"].lower()
    assert "۱" in overlap["message"] and "1" not in overlap["message"], "Persian digits"


def test_a_performance_keeps_a_copy_of_its_layouts_shapes(layout):
    now = db_now()
    performance = create_performance_from_layout(
        layout=layout,
        starts_at=now + timedelta(days=3),
        sales_start=now,
        sales_end=now + timedelta(days=2),
    )
    stage = {
        "kind": "stage",
        "geometry": {"type": "rect", "x": 0, "y": -6, "width": 8, "height": 2},
        "text": "",
    }
    assert performance.shapes == [stage]
    document = layout_document(layout)
    document["shapes"] = []
    save_layout_document(layout, document)
    performance.refresh_from_db()
    assert performance.shapes == [stage], "a later edit of the layout leaves it alone"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def paths(value, path=()):
    """Every place in a JSON value, as the keys and indexes that lead to it."""
    yield path
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, inner in items:
            yield from paths(inner, (*path, key))


FIRST_DOCUMENTS: dict[int, str] = {}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_part_of_a_document_replaced_by_any_json_is_saved_or_refused_never_a_crash(
    layout, data
):
    # Every example starts from the same hall, whatever the one before saved.
    first = json.loads(FIRST_DOCUMENTS.setdefault(layout.pk, json.dumps(layout_document(layout))))
    del first["revision"]
    save_layout_document(layout, first)
    document = json.loads(json.dumps(layout_document(layout)))
    path = data.draw(st.sampled_from(list(paths(document))[1:]))
    value = data.draw(JSON_VALUES)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    try:
        save_layout_document(layout, document)
    except (LayoutDocumentInvalid, LayoutRefused) as refused:
        assert refused.code in {"layout_document_invalid", "layout_refused"}
