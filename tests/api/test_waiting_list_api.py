"""POST /api/v1/performances/{id}/waiting-list: joins (201), updates (200), and refuses with
problem+json and stable codes."""

import pytest

from reservations.models import WaitingEntry
from tests.api.helpers import assert_problem, post
from tests.factories import make_order, make_performance

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return make_performance(sections=1, rows=1, seats_per_row=2, max_seats_per_order=4)


def join(client, hall, body, lang="en"):
    return post(client, f"/performances/{hall.pk}/waiting-list", body, lang=lang)


def test_a_buyer_joins_and_joining_again_updates_the_entry(client, hall):
    make_order(hall, seats=2)
    joined = join(client, hall, {"email": "ava@example.org", "quantity": 2}, lang="fa")
    assert joined.status_code == 201, joined.content
    assert joined.json()["position"] == 1 and joined.json()["updated"] is False
    again = join(client, hall, {"email": "AVA@example.org", "quantity": 3})
    assert again.status_code == 200 and again.json()["entry"] == joined.json()["entry"]
    (entry,) = WaitingEntry.objects.all()
    assert (entry.quantity, entry.language, entry.section_id) == (3, "en", None)


def test_a_section_and_ticket_type_sold_out_may_be_waited_for_alone(client, hall):
    make_order(hall, seats=2)  # the Normal seats; Student has none
    seat = hall.seats.first()
    body = {"email": "a@example.org", "quantity": 1, "section": seat.section_id,
            "ticket_type": seat.ticket_type_id}  # fmt: skip
    assert join(client, hall, body).status_code == 201
    assert WaitingEntry.objects.get().ticket_type_id == seat.ticket_type_id


def test_the_refusals_carry_stable_codes(client, hall):
    assert_problem(join(client, hall, {"email": "a@example.org", "quantity": 1}), 409,
                   "waiting_list_not_sold_out")  # fmt: skip
    make_order(hall, seats=2)
    for quantity in (0, 5):
        assert_problem(join(client, hall, {"email": "a@example.org", "quantity": quantity}), 422,
                       "waiting_list_quantity")  # fmt: skip
    problem = assert_problem(
        join(client, hall, {"email": "nope", "quantity": 1}, lang="fa"), 422,
        "waiting_list_email_invalid",
    )  # fmt: skip
    assert problem["title"] == "یک نشانی ایمیل درست وارد کنید."
    missing = post(client, "/performances/999999/waiting-list", {"email": "a@b.org", "quantity": 1})
    assert_problem(missing, 404, "performance_not_found")


def test_a_sold_out_standing_area_may_be_waited_for_and_an_unsold_kind_may_not(client, hall):
    from catalog.models import SectionTicketType
    from tests.factories import make_standing_area

    area = make_standing_area(hall, capacity=1)
    make_order(hall, seats=2)
    price = SectionTicketType.objects.get(section=area)
    body = {"email": "a@example.org", "quantity": 1, "section": area.pk,
            "ticket_type": price.ticket_type_id}  # fmt: skip
    assert_problem(join(client, hall, body), 409, "waiting_list_not_sold_out")  # a place is free
    other = {**body, "ticket_type": price.ticket_type_id + 1000}
    assert_problem(join(client, hall, other), 422, "unknown_seat_choice")
    assert_problem(join(client, hall, {**body, "ticket_type": None}), 422, "unknown_seat_choice")
