"""The panel around the seat map, on the server: best available through the page's session
(with a price ceiling, side by side, added to the session's hold), "release all", the
selection's total and seat names, the checkout's field types, and one style per ticket type
across an event's performances."""

import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from catalog.models import Performance, Seat, Section, SectionTicketType, TicketType
from catalog.services import RowRange, generate_section_seats
from reservations.models import Hold
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def best(client, performance, lang="en", **asked):
    return client.post(
        f"/performances/{performance.pk}/selection/best",
        json.dumps(asked),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def rows_of(ids) -> set[str]:
    return set(Seat.objects.filter(pk__in=ids).values_list("row", flat=True))


def test_four_seats_side_by_side_up_to_a_price_are_held_with_their_total(client):
    """Row A (20.00) is nearest the stage; up to 10.00 the four come from row B, together."""
    performance = make_performance(sections=1, rows=3, seats_per_row=6)
    answer = best(client, performance, quantity=4, max_price="10.00", together=True)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert len(body["chosen"]) == 4 and body["together"] is True
    assert rows_of(body["chosen"]) == {"B"}
    numbers = sorted(Seat.objects.filter(pk__in=body["chosen"]).values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 4)), "adjacent"
    assert body["seats"] == sorted(body["chosen"])
    assert Decimal(body["total"]) == Decimal("40.00")
    assert {d["price"] for d in body["seat_details"]} == {"10.00"}
    assert {d["row"] for d in body["seat_details"]} == {"B"}
    # The session keeps the hold, as after a click.
    again = client.get(f"/performances/{performance.pk}/selection").json()
    assert again["seats"] == body["seats"] and again["total"] == body["total"]


def test_best_available_adds_to_the_sessions_hold_and_keeps_its_session_id(client):
    performance = make_performance(sections=1, rows=3, seats_per_row=6)
    ids = seat_ids(performance)
    client.post(f"/performances/{performance.pk}/selection/seats/{ids[0]}")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    body = best(client, performance, quantity=2).json()
    assert ids[0] not in body["chosen"] and len(body["chosen"]) == 2
    assert sorted(body["seats"]) == sorted([ids[0], *body["chosen"]])
    assert Hold.objects.count() == 1
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == cookie


def test_a_new_hold_from_best_available_gives_the_session_a_new_id(client, performance):
    client.get(f"/performances/{performance.pk}/")  # a session row, with its CSRF cookie
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert best(client, performance, quantity=1).status_code == 200
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_too_few_seats_at_the_price_is_a_problem_in_persian_that_holds_nothing(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    answer = best(client, performance, lang="fa", quantity=6, max_price="10.00")
    assert answer.status_code == 409 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "not_enough_seats_at_price"
    assert "۱۰" in answer.json()["detail"] and "صندلی" in answer.json()["detail"]
    assert not Seat.objects.filter(status="reserved").exists()
    assert not Hold.objects.exists()


def test_no_seats_side_by_side_is_refused_when_together_is_asked_for(client):
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    ids = seat_ids(performance)
    Client().post(f"/performances/{performance.pk}/selection/seats/{ids[2]}")  # A3
    Client().post(f"/performances/{performance.pk}/selection/seats/{ids[7]}")  # B3
    answer = best(client, performance, quantity=3, together=True)
    assert answer.status_code == 409 and answer.json()["code"] == "no_seats_together"
    assert best(client, performance, quantity=3).json()["together"] is False


@pytest.mark.parametrize(
    "asked",
    [{}, {"quantity": 0}, {"quantity": "4"}, {"quantity": 101}, {"quantity": 2, "max_price": "x"},
     {"quantity": 2, "max_price": "1.234"}, {"quantity": 2, "max_price": 10},
     {"quantity": 2, "together": "yes"}],
)  # fmt: skip
def test_a_request_that_is_not_one_is_a_422(client, performance, asked):
    answer = best(client, performance, **asked)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_seat_choice"
    assert not Hold.objects.exists()


def test_best_available_needs_the_csrf_token_and_the_sites_origin(performance):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/performances/{performance.pk}/")
    token = browser.cookies["csrftoken"].value
    path = f"/performances/{performance.pk}/selection/best"
    body = json.dumps({"quantity": 1})
    assert browser.post(path, body, content_type="application/json").status_code == 403
    foreign = browser.post(path, body, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="https://evil.example")  # fmt: skip
    assert foreign.status_code == 403
    assert not Hold.objects.exists()
    own = browser.post(path, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert own.status_code == 200


def test_best_available_counts_in_the_holds_rate(client, performance, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    assert best(client, performance, quantity=1).status_code == 200
    refused = best(client, performance, quantity=1)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"


def test_release_all_gives_every_seat_back_in_one_request(client, performance):
    ids = seat_ids(performance)
    for seat_id in ids[:3]:
        client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")
    answer = client.delete(f"/performances/{performance.pk}/selection")
    assert answer.status_code == 200 and answer.json()["seats"] == []
    assert set(Seat.objects.filter(pk__in=ids[:3]).values_list("status", flat=True)) == {
        "available"
    }
    assert client.get(f"/performances/{performance.pk}/selection").json()["hold"] is None
    # Nothing held: still the empty selection, not an error.
    assert client.delete(f"/performances/{performance.pk}/selection").json()["seats"] == []


def test_checkout_fields_tell_the_browser_what_they_are(client, performance):
    client.post(f"/performances/{performance.pk}/selection/seats/{seat_ids(performance)[0]}")
    page = client.get(f"/performances/{performance.pk}/checkout").content.decode()

    def field(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)

    assert 'type="email"' in field("email") and 'autocomplete="email"' in field("email")
    assert 'type="tel"' in field("phone") and 'autocomplete="tel"' in field("phone")
    assert 'inputmode="tel"' in field("phone")
    assert 'autocomplete="name"' in field("name")


def second_performance_pricing_only(performance, ticket_type: TicketType) -> Performance:
    """Another performance of the same event, whose one section prices only `ticket_type`."""
    other = Performance.objects.create(
        event=performance.event,
        starts_at=performance.starts_at,
        sales_start=performance.sales_start,
        sales_end=performance.sales_end,
        published_at=performance.published_at,
    )
    section = Section.objects.create(performance=other, name="Balcony", position=0)
    SectionTicketType.objects.create(section=section, ticket_type=ticket_type, price=Decimal("8"))
    generate_section_seats(
        section=section, rows=1, seats_per_row=4, row_ranges=[RowRange(1, 1, ticket_type)]
    )
    return other


def test_a_ticket_type_keeps_its_style_on_every_performance_of_the_event(client, performance):
    student = TicketType.objects.get(event=performance.event, name="Student")
    other = second_performance_pricing_only(performance, student)

    def styles(of):
        config = client.get(f"/performances/{of.pk}/").context["config"]
        return {p["ticketTypeName"]: p["style"] for p in config["prices"]}

    assert styles(performance) == {"Normal": 0, "Student": 1}
    assert styles(other) == {"Student": 1}, "not 0, though it is the only one priced there"


def test_the_page_takes_wheelchair_spaces_from_the_map_snapshot_and_reads_no_seats_itself(
    client, performance, settings
):
    """A flag bit's test cannot use an index: a page view that asked the seats for it scanned
    a whole hall each time. The map's snapshot (cached, read by the map a moment later)
    says it; with the snapshots fresh in the cache, a page view reads no seat row."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accessible import accessible_performance

    settings.SANDALI_SNAPSHOT_SECONDS = 60
    cache.clear()
    accessible = accessible_performance()
    for shown, offered in ((accessible, True), (performance, False)):
        url = f"/performances/{shown.pk}/"
        client.get(url)  # computes the snapshots
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert ('id="access-filter"' in page) is offered
        seat_reads = [q["sql"] for q in queries if re.search(r'FROM "catalog_seat"', q["sql"])]
        assert seat_reads == []
    cache.clear()
