"""Standing areas in the designer's document: read with their kind, capacity and outline,
saved back unchanged (the demo arena's floor too), and a malformed area refused where it is
wrong."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.errors import LayoutDocumentInvalid, LayoutRefused
from catalog.layout_documents import layout_document, save_layout_document
from catalog.layout_geometry import PlacedSeat, outline_points
from catalog.layouts import PlacedSection, save_placed_layout
from catalog.models import (
    Event,
    LayoutSeat,
    LayoutSection,
    LayoutSectionPrice,
    SectionKind,
    TicketType,
    VenueLayout,
)
from core.dbtime import db_now
from ops.demo_arena import create_arena
from tests.catalog.test_layout_documents import JSON_VALUES, paths

pytestmark = pytest.mark.django_db

FLOOR = {"type": "rect", "x": 0.0, "y": 10.0, "width": 30.0, "height": 12.0}


@pytest.fixture
def layout():
    event = Event.objects.create(name="Gig", venue="Club")
    normal = TicketType.objects.create(event=event, name="Normal")
    vip = TicketType.objects.create(event=event, name="VIP")
    layout = VenueLayout.objects.create(event=event, name="Club, standing")
    save_placed_layout(
        layout=layout,
        sections=[
            PlacedSection(
                name="Balcony",
                seats=[PlacedSeat("A", n, float(n), 0.0, vip.pk) for n in range(1, 5)],
                prices={vip.pk: Decimal("60")},
            ),
            PlacedSection(
                name="Floor",
                seats=[],
                prices={normal.pk: Decimal("25")},
                kind=SectionKind.STANDING,
                capacity=200,
                outline=FLOOR,
            ),
        ],
    )
    return layout


def rows_of(layout):
    """Everything a save writes, as comparable rows: sections, prices, seats."""
    sections = sorted(
        LayoutSection.objects.filter(layout=layout).values_list(
            "name", "position", "kind", "capacity", "outline", "offset_x", "offset_y", "rotation"
        )
    )
    prices = sorted(
        LayoutSectionPrice.objects.filter(section__layout=layout).values_list(
            "section__name", "ticket_type_id", "price"
        )
    )
    seats = sorted(
        LayoutSeat.objects.filter(section__layout=layout).values_list(
            "section__name", "row", "number", "x", "y", "ticket_type_id", "blocked", "flags"
        )
    )
    return sections, prices, seats


def test_a_standing_area_is_read_with_its_kind_capacity_and_outline_and_saved_unchanged(layout):
    before = rows_of(layout)
    document = json.loads(json.dumps(layout_document(layout)))  # as the browser sends it
    balcony, floor = document["sections"]
    assert balcony["kind"] == "seated" and "capacity" not in balcony
    assert (floor["kind"], floor["capacity"], floor["outline"], floor["seats"]) == (
        "standing",
        200,
        FLOOR,
        [],
    )
    assert save_layout_document(layout, document) == 204
    assert rows_of(layout) == before


def test_the_demo_arena_saved_from_its_document_is_the_same_arena():
    now = db_now()
    performance = create_arena(starts_at=now + timedelta(days=30), sales_start=now)
    layout = VenueLayout.objects.get(event=performance.event)
    before = rows_of(layout)
    floor = next(s for s in before[0] if s[0] == "Floor")
    assert floor[2:4] == ("standing", 5_000) and floor[4]["type"] == "polygon"
    document = json.loads(json.dumps(layout_document(layout)))
    assert save_layout_document(layout, document) == sum(
        len(s["seats"]) + s.get("capacity", 0) for s in document["sections"]
    )
    assert rows_of(layout) == before


def test_a_section_without_a_kind_is_seated(layout):
    document = layout_document(layout)
    del document["sections"][0]["kind"]
    save_layout_document(layout, document)
    assert LayoutSection.objects.get(name="Balcony").kind == SectionKind.SEATED


BAD_AREAS = [
    (lambda f: f.update(capacity=0), "sections[1].capacity", "not_positive_integer"),
    (lambda f: f.update(capacity="300"), "sections[1].capacity", "not_positive_integer"),
    (lambda f: f.update(capacity=2.5), "sections[1].capacity", "not_positive_integer"),
    (lambda f: f.pop("capacity"), "sections[1].capacity", "not_positive_integer"),
    (lambda f: f.pop("outline"), "sections[1].outline", "not_object"),
    (lambda f: f.update(outline={"type": "circle"}), "sections[1].outline.type",
     "unknown_geometry"),
    (lambda f: f["outline"].update(width=0), "sections[1].outline.width", "not_positive"),
    (lambda f: f.update(outline={"type": "polygon", "points": [[0, 0], [1, 1]]}),
     "sections[1].outline.points", "too_short"),
    (lambda f: f.update(outline={"type": "polygon", "points": [[0, 0], [1, 1], [2]]}),
     "sections[1].outline.points[2]", "not_point"),
    (lambda f: f.update(seats=[{"row": "A", "number": 1, "x": 1, "y": 12, "ticket_type": None}]),
     "sections[1].seats", "area_has_seats"),
    (lambda f: f.update(kind="balcony"), "sections[1].kind", "unknown_section_kind"),
]  # fmt: skip


@pytest.mark.parametrize(("spoil", "where", "fault"), BAD_AREAS)
def test_a_malformed_standing_area_is_refused_where_it_is_wrong(layout, spoil, where, fault):
    before = rows_of(layout)
    document = json.loads(json.dumps(layout_document(layout)))
    spoil(document["sections"][1])
    with pytest.raises(LayoutDocumentInvalid) as refused:
        save_layout_document(layout, document)
    details = refused.value.details
    assert (details["where"], details["fault"], details["section_index"]) == (where, fault, 1)
    assert rows_of(layout) == before


def test_a_standing_area_of_two_priced_ticket_types_cannot_be_sold(layout):
    document = json.loads(json.dumps(layout_document(layout)))
    vip = TicketType.objects.get(name="VIP")
    document["sections"][1]["prices"][str(vip.pk)] = "80.00"
    with pytest.raises(LayoutRefused) as refused:
        save_layout_document(layout, document)
    assert [(p.code, p.section) for p in refused.value.details["problems"]] == [
        ("area_invalid", "Floor")
    ]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_part_of_a_standing_area_replaced_by_any_json_is_saved_or_refused_never_a_crash(
    layout, data
):
    document = json.loads(json.dumps(layout_document(layout)))
    del document["revision"]
    floor = document["sections"][1]
    path = data.draw(st.sampled_from(list(paths(floor))[1:]))
    parent = floor
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(JSON_VALUES)
    before = rows_of(layout)
    try:
        save_layout_document(layout, document)
    except (LayoutDocumentInvalid, LayoutRefused):
        assert rows_of(layout) == before
    else:  # saved: a standing area only as one that can be sold
        stored = LayoutSection.objects.get(layout=layout, position=1)
        if stored.kind == SectionKind.STANDING:
            assert stored.capacity >= 1 and outline_points(stored.outline)
            assert not stored.seats.exists() and stored.prices.count() == 1
