"""Drafts and publication (issue #18 item 1): buyers see a performance only once it is
published and its publication time has come; a draft answers them exactly as a missing one
does; publishing refuses a performance with nothing to sell or with unpriced seats."""

from datetime import timedelta

import pytest
from django.db.models import F

from catalog.errors import NothingToSell, PerformanceNotFound, UnpricedSeats
from catalog.models import Performance, Seat, SeatStatus, SectionTicketType, TicketType
from catalog.publishing import publish_performance
from catalog.selectors import published, published_sql
from core.dbtime import DbNow, db_now
from core.sql import fetch_all
from reservations import waiting_room
from reservations.errors import QueueEntryNotFound
from reservations.services import hold_seats
from tests.api.helpers import get, post
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db

MISSING = 999_999


def draft(**options) -> Performance:
    return make_performance(published=False, **options)


def publish_later(performance: Performance, *, hours: int = 1) -> None:
    Performance.objects.filter(pk=performance.pk).update(
        published_at=db_now() + timedelta(hours=hours)
    )


def time_passes(performance: Performance) -> None:
    """The publication time comes: it is moved to a moment just past by the database clock."""
    Performance.objects.filter(pk=performance.pk).update(
        published_at=db_now() - timedelta(seconds=1)
    )


def buyer_answers(client, performance_id: int) -> dict:
    """What every buyer-facing read answers for a performance id: status codes and codes."""
    api = [get(client, f"/performances/{performance_id}{tail}") for tail in ("", "/seats")]
    pages = [client.get(f"/performances/{performance_id}/{tail}") for tail in ("", "checkout")]
    hold = post(client, f"/performances/{performance_id}/holds", {"seats": [1]})
    return {
        "api": [(r.status_code, r.json().get("code")) for r in api],
        "pages": [r.status_code for r in pages],
        "hold": (hold.status_code, hold.json().get("code")),
    }


def listed_ids(client) -> set[int]:
    events = get(client, "/events").json()
    return {p["id"] for event in events for p in event["performances"]}


def test_a_draft_answers_buyers_exactly_as_a_missing_performance(client):
    performance = draft()
    answers = buyer_answers(client, performance.pk)
    assert answers == buyer_answers(client, MISSING)
    assert answers["api"] == [(404, "performance_not_found")] * 2
    assert answers["pages"] == [404, 404]
    assert answers["hold"][0] == 404
    assert performance.pk not in listed_ids(client)
    assert "Test concert" not in client.get("/").content.decode()


def test_a_draft_cannot_be_held_through_the_service():
    performance = draft()
    with pytest.raises(PerformanceNotFound):
        hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    assert not Seat.objects.filter(performance=performance).exclude(status="available").exists()


def test_a_publication_in_the_future_stays_hidden_until_its_time_comes(client):
    performance = draft()
    publish_later(performance)
    assert buyer_answers(client, performance.pk) == buyer_answers(client, MISSING)
    assert performance.pk not in listed_ids(client)

    time_passes(performance)

    assert get(client, f"/performances/{performance.pk}").status_code == 200
    assert get(client, f"/performances/{performance.pk}/seats").status_code == 200
    assert client.get(f"/performances/{performance.pk}/").status_code == 200
    assert performance.pk in listed_ids(client)
    assert "Test concert" in client.get("/").content.decode()
    hold = post(
        client, f"/performances/{performance.pk}/holds", {"seats": seat_ids(performance)[:1]}
    )
    assert hold.status_code == 201, hold.content


def test_an_event_lists_only_its_published_performances(client):
    shown = make_performance()
    hidden = Performance.objects.create(
        event=shown.event,
        starts_at=shown.starts_at,
        sales_start=shown.sales_start,
        sales_end=shown.sales_end,
    )
    events = get(client, "/events").json()
    assert [[p["id"] for p in e["performances"]] for e in events] == [[shown.pk]]
    assert hidden.pk not in listed_ids(client)


def test_a_drafts_queue_answers_as_a_missing_ones():
    performance = draft()
    Performance.objects.filter(pk=performance.pk).update(waiting_room=True)
    for performance_id in (performance.pk, MISSING):
        with pytest.raises(QueueEntryNotFound):
            waiting_room.join_queue(
                performance_id=performance_id, token=waiting_room.queue_token(performance_id)
            )


def test_publishing_now_shows_the_performance_to_buyers(client):
    performance = draft()
    moment = publish_performance(performance_id=performance.pk)
    performance.refresh_from_db()
    assert performance.published_at == moment <= db_now()
    assert get(client, f"/performances/{performance.pk}").status_code == 200


def test_publishing_for_later_keeps_the_time_asked_for():
    performance = draft()
    later = db_now() + timedelta(days=2)
    assert publish_performance(performance_id=performance.pk, at=later) == later
    performance.refresh_from_db()
    assert performance.published_at == later


def test_publishing_again_never_hides_a_performance_buyers_already_see():
    performance = make_performance()
    before = performance.published_at
    assert publish_performance(performance_id=performance.pk, at=db_now() + timedelta(days=2))
    performance.refresh_from_db()
    assert performance.published_at == before


def test_publishing_a_performance_without_seats_is_refused():
    performance = draft(sections=0)
    with pytest.raises(NothingToSell) as refused:
        publish_performance(performance_id=performance.pk)
    assert refused.value.code == "nothing_to_sell" and refused.value.status == 409
    performance.refresh_from_db()
    assert performance.published_at is None


def test_publishing_a_performance_whose_seats_are_all_blocked_is_refused():
    performance = draft()
    Seat.objects.filter(performance=performance).update(status=SeatStatus.BLOCKED)
    with pytest.raises(NothingToSell):
        publish_performance(performance_id=performance.pk)


def test_publishing_a_performance_with_unpriced_seats_is_refused_naming_them():
    performance = draft(sections=1, rows=2, seats_per_row=3)
    vip = TicketType.objects.create(event=performance.event, name="VIP")
    Seat.objects.filter(performance=performance, row="B").update(
        ticket_type=vip, version=F("version") + 1
    )
    with pytest.raises(UnpricedSeats) as refused:
        publish_performance(performance_id=performance.pk)
    assert refused.value.details["count"] == 3
    assert refused.value.details["seats"] == ["Section 1 B-1", "Section 1 B-2", "Section 1 B-3"]
    assert "Section 1 B-2" in refused.value.message
    performance.refresh_from_db()
    assert performance.published_at is None

    SectionTicketType.objects.create(
        section=performance.sections.get(), ticket_type=vip, price="50"
    )
    publish_performance(performance_id=performance.pk)
    performance.refresh_from_db()
    assert performance.published_at is not None


def test_publishing_a_missing_performance_is_refused():
    with pytest.raises(PerformanceNotFound):
        publish_performance(performance_id=MISSING)


def test_the_publish_rule_selects_the_same_performances_in_sql_and_in_the_orm():
    shown, _draft, later = make_performance(), draft(), draft()
    publish_later(later)
    orm = set(Performance.objects.filter(published(DbNow())).values_list("pk", flat=True))
    sql = {
        row[0]
        for row in fetch_all(
            f"SELECT p.id FROM catalog_performance p WHERE {published_sql('p')}", []
        )
    }
    assert orm == sql == {shown.pk}


def test_a_performance_published_now_is_seen_at_once_every_time():
    """On SQLite the clock reads milliseconds: a "now" read into Python and written back (in
    microseconds) sorted after the clock's own text, hiding the performance for the rest of
    that millisecond (it failed one round in a few hundred)."""
    from catalog.selectors import get_performance

    for _ in range(200):
        performance = make_performance(published=False, sections=1, rows=1, seats_per_row=1)
        publish_performance(performance_id=performance.pk)
        get_performance(performance_id=performance.pk)  # raises PerformanceNotFound if hidden
