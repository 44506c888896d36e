"""HTTP API v1: events, performances with their capacity, the seat map, the docs and schema."""

from decimal import Decimal

import pytest

from catalog.models import Seat, SeatStatus
from catalog.services import block_seats
from core.dbtime import db_now
from reservations.models import Hold
from tests.api.helpers import NORMAL, STUDENT, assert_problem, create_hold, get, paid_order
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def test_events_lists_each_event_with_its_performances(client, performance):
    other = make_performance()
    response = get(client, "/events")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    events = response.json()
    assert [e["id"] for e in events] == [performance.event_id, other.event_id]
    first = events[0]
    assert first["name"] == "Test concert"
    assert first["venue"] == "Test hall"
    assert first["currency"] == "EUR"
    assert [p["id"] for p in first["performances"]] == [performance.pk]
    assert set(first["performances"][0]) == {"id", "starts_at", "sales_start", "sales_end"}


def test_events_is_an_empty_list_when_there_are_none(client, db):
    response = get(client, "/events")
    assert response.status_code == 200
    assert response.json() == []


def test_performance_shows_sections_prices_and_settings(client, performance):
    response = get(client, f"/performances/{performance.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == performance.pk
    assert body["event"]["id"] == performance.event_id
    assert body["hold_minutes"] == 10
    assert body["max_seats_per_order"] == 10
    assert [s["name"] for s in body["sections"]] == ["Section 1", "Section 2"]
    for section in body["sections"]:
        by_name = {t["name"]: t for t in section["ticket_types"]}
        assert Decimal(by_name["Normal"]["price"]) == NORMAL
        assert Decimal(by_name["Student"]["price"]) == STUDENT
        for figures in by_name.values():
            assert figures["allocated"] == 5
            assert figures["available"] == 5
            assert figures["reserved"] == figures["sold"] == figures["blocked"] == 0


def test_performance_capacity_agrees_with_seat_statuses_and_counts_expired_holds_available(
    client, performance
):
    ids = seat_ids(performance)
    # Section 1: two Normal seats held, one Normal seat sold, two Student seats in an expired
    # hold. Section 2: one Student seat blocked.
    create_hold(client, performance, ids[0:2])
    paid_order(client, performance, [ids[2]])
    expired = create_hold(client, performance, ids[5:7])
    expire_hold(Hold.objects.get(pk=expired["id"]))
    block_seats(performance_id=performance.pk, seat_ids=[ids[15]])

    body = get(client, f"/performances/{performance.pk}").json()
    figures = {
        (section["id"], t["id"]): t for section in body["sections"] for t in section["ticket_types"]
    }

    now = db_now()
    expected = {}
    for seat in Seat.objects.filter(performance=performance):
        counts = expected.setdefault(
            (seat.section_id, seat.ticket_type_id),
            {"allocated": 0, "available": 0, "reserved": 0, "sold": 0, "blocked": 0},
        )
        counts["allocated"] += 1
        live_hold = seat.status == SeatStatus.RESERVED and seat.hold_expires_at > now
        if seat.status == SeatStatus.AVAILABLE or (
            seat.status == SeatStatus.RESERVED and not live_hold
        ):
            counts["available"] += 1
        elif live_hold:
            counts["reserved"] += 1
        else:
            counts[seat.status] += 1
    assert set(figures) == set(expected)
    for key, counts in expected.items():
        shown = {name: figures[key][name] for name in counts}
        assert shown == counts, key

    section_1 = body["sections"][0]["ticket_types"]
    normal_1 = next(t for t in section_1 if t["name"] == "Normal")
    student_1 = next(t for t in section_1 if t["name"] == "Student")
    assert (normal_1["available"], normal_1["reserved"], normal_1["sold"]) == (2, 2, 1)
    # The expired hold's two seats still read "reserved" in their rows, yet count as available.
    assert (student_1["available"], student_1["reserved"]) == (5, 0)
    student_2 = next(t for t in body["sections"][1]["ticket_types"] if t["name"] == "Student")
    assert (student_2["available"], student_2["blocked"]) == (4, 1)


def test_unknown_performance_is_404_performance_not_found(client, db):
    response = get(client, "/performances/999999")
    assert_problem(response, 404, "performance_not_found")


def test_seat_map_is_compact_columns_and_one_row_per_seat(client, performance):
    response = get(client, f"/performances/{performance.pk}/seats")
    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == [
        "id",
        "section_id",
        "row",
        "number",
        "x",
        "y",
        "ticket_type_id",
        "status",
        "version",
        "flags",
    ]
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["seats"]]
    assert [r["id"] for r in rows] == seat_ids(performance)
    for row in rows:
        seat = Seat.objects.get(pk=row["id"])
        assert row == {
            "id": seat.pk,
            "section_id": seat.section_id,
            "row": seat.row,
            "number": seat.number,
            "x": seat.x,
            "y": seat.y,
            "ticket_type_id": seat.ticket_type_id,
            "status": "available",
            "version": seat.version,
            "flags": 0,
        }


def test_seat_map_shows_effective_status_with_expired_hold_seats_available(client, performance):
    ids = seat_ids(performance)
    create_hold(client, performance, ids[0:2])
    expired = create_hold(client, performance, ids[2:4])
    expire_hold(Hold.objects.get(pk=expired["id"]))
    paid_order(client, performance, [ids[4]])

    body = get(client, f"/performances/{performance.pk}/seats").json()
    status_column = body["columns"].index("status")
    status = {row[0]: row[status_column] for row in body["seats"]}
    assert [status[i] for i in ids[0:5]] == [
        "reserved",
        "reserved",
        "available",
        "available",
        "sold",
    ]
    # The expired hold's rows still say "reserved": the map reads the effective status.
    assert set(Seat.objects.filter(id__in=ids[2:4]).values_list("status", flat=True)) == {
        "reserved"
    }


def test_seat_map_of_unknown_performance_is_404(client, db):
    assert_problem(get(client, "/performances/999999/seats"), 404, "performance_not_found")


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_api_docs_and_schema_respond(client, db, path):
    response = client.get(path)
    assert response.status_code == 200


def test_openapi_schema_lists_every_v1_route(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/events",
        "/api/v1/performances/{performance_id}",
        "/api/v1/performances/{performance_id}/seats",
        "/api/v1/performances/{performance_id}/holds",
        "/api/v1/holds/{hold_id}",
        "/api/v1/holds/{hold_id}/seats",
        "/api/v1/holds/{hold_id}/seats/{seat_id}",
        "/api/v1/holds/{hold_id}/checkout",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/tickets.pdf",
    } <= set(paths)
