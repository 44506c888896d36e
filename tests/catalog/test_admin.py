"""The organizer's admin: pages render, and each action goes through its service."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    Performance,
    Seat,
    SeatStatus,
    Section,
    SectionTicketType,
    TicketType,
)
from orders.checkout import checkout
from orders.models import Order, OrderStatus
from reservations.services import hold_seats
from tests.factories import expire_hold, make_performance

pytestmark = pytest.mark.django_db


# --- small factories --------------------------------------------------------------------------
# make_performance (sandali/testing.py): row A of each section sells as Normal at 20.00, the
# other rows as Student at 10.00.


def make_hall(*, sections: int = 1, rows: int = 4, seats_per_row: int = 5) -> Performance:
    return make_performance(sections=sections, rows=rows, seats_per_row=seats_per_row)


def empty_section(performance: Performance) -> Section:
    """A section without seats, pricing Normal and Student; the event also has a VIP type
    that has no price in it."""
    section = Section.objects.create(performance=performance, name="Balcony", position=9)
    for ticket_type in TicketType.objects.filter(event=performance.event_id):
        SectionTicketType.objects.create(section=section, ticket_type=ticket_type, price=5)
    TicketType.objects.create(event=performance.event, name="VIP")
    return section


def seats(performance: Performance, row: str) -> list[Seat]:
    return list(Seat.objects.filter(performance=performance, row=row).order_by("id"))


def sell(seat_list: list[Seat]) -> Order:
    new = hold_seats(performance_id=seat_list[0].performance_id, seat_ids=[s.id for s in seat_list])
    return checkout(
        hold_id=new.hold.pk,
        token=new.token,
        idempotency_key="key",
        name="Buyer",
        email="buyer@example.com",
    ).order


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def statuses(seat_list: list[Seat]) -> list[str]:
    return list(
        Seat.objects.filter(id__in=[s.id for s in seat_list])
        .order_by("id")
        .values_list("status", flat=True)
    )


# --- pages render -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["catalog.event", "catalog.performance", "catalog.section", "catalog.seat"]
)
def test_catalog_changelists_render_with_seats(admin_client, model):
    make_hall()
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")
    assert admin_client.get(url).status_code == 200


def test_orders_and_holds_changelists_render(admin_client):
    performance = make_hall()
    sell(seats(performance, "A")[:2])
    hold_seats(performance_id=performance.pk, seat_ids=[seats(performance, "B")[0].id])
    for url in (
        "admin:orders_order_changelist",
        "admin:reservations_hold_changelist",
        "admin:orders_paymentattempt_changelist",
    ):
        response = admin_client.get(reverse(url))
        assert response.status_code == 200
    assert b"paid" in response.content  # the attempt that became the order is listed


def test_change_pages_render(admin_client):
    performance = make_hall()
    order = sell(seats(performance, "A")[:2])
    held = hold_seats(performance_id=performance.pk, seat_ids=[seats(performance, "B")[0].id])
    section = performance.sections.get()
    pages = [
        ("admin:catalog_event_change", performance.event_id),
        ("admin:catalog_performance_change", performance.pk),
        ("admin:catalog_section_change", section.pk),
        ("admin:catalog_section_generate_seats", section.pk),
        ("admin:catalog_seat_change", seats(performance, "A")[0].pk),
        ("admin:orders_order_change", order.pk),
        ("admin:reservations_hold_change", held.hold.pk),
    ]
    for name, pk in pages:
        assert admin_client.get(reverse(name, args=[pk])).status_code == 200, name


def test_seat_changelist_filters_render(admin_client):
    performance = make_hall()
    section = performance.sections.get()
    url = reverse("admin:catalog_seat_changelist")
    for query in (
        {"performance": performance.pk},
        {"performance": performance.pk, "section": section.pk},
        {"status": "blocked"},
        {"q": "B"},
    ):
        assert admin_client.get(url, query).status_code == 200, query


def test_seat_changelist_queries_do_not_grow_with_seats(admin_client):
    url = reverse("admin:catalog_seat_changelist")
    make_hall(rows=1, seats_per_row=2)
    admin_client.get(url)  # warm the per-process caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    make_hall(rows=5, seats_per_row=20)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 100
    assert len(many) == len(few)


def test_performance_page_queries_do_not_grow_with_sections(admin_client):
    one, four = make_hall(sections=1), make_hall(sections=4)
    admin_client.get(reverse("admin:catalog_performance_change", args=[one.pk]))  # warm caches
    counts = []
    for performance in (one, four):
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_seats_cannot_be_added_by_hand(admin_client):
    make_hall()
    assert admin_client.get(reverse("admin:catalog_seat_add")).status_code == 403


def test_seat_status_hold_ticket_and_version_cannot_be_edited(admin_client):
    performance = make_hall()
    seat = seats(performance, "B")[0]
    response = admin_client.post(
        reverse("admin:catalog_seat_change", args=[seat.pk]),
        {
            "row": seat.row,
            "number": seat.number,
            "x": 7,
            "y": seat.y,
            "ticket_type": seat.ticket_type_id,
            "status": SeatStatus.SOLD,
            "version": 99,
            "hold": "",
            "ticket": "",
        },
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert (seat.x, seat.status, seat.version) == (7, SeatStatus.AVAILABLE, 1)


def test_expired_reservation_reads_available_in_seat_list(admin_client):
    performance = make_hall()
    seat = seats(performance, "B")[0]
    expire_hold(hold_seats(performance_id=performance.pk, seat_ids=[seat.id]).hold)
    url = reverse("admin:catalog_seat_changelist")
    available = admin_client.get(url, {"status": "available"}).context["cl"].result_list
    reserved = admin_client.get(url, {"status": "reserved"}).context["cl"].result_list
    assert seat.pk in {s.pk for s in available}
    assert seat.pk not in {s.pk for s in reserved}


# --- capacity ---------------------------------------------------------------------------------


def capacity_rows(response) -> list[list[str]]:
    table = re.search(r'<table class="capacity">.*?</table>', response.content.decode(), re.S)
    assert table, "no capacity panel"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows[1:]]


def test_capacity_panel_shows_counts_computed_from_seats(admin_client):
    performance = make_hall()  # row A: 5 Normal; rows B-D: 15 Student
    sell(seats(performance, "A")[:1])
    Seat.objects.filter(id__in=[s.id for s in seats(performance, "B")[:2]]).update(
        status=SeatStatus.BLOCKED
    )
    hold_seats(performance_id=performance.pk, seat_ids=[s.id for s in seats(performance, "C")[:2]])
    expired = hold_seats(performance_id=performance.pk, seat_ids=[seats(performance, "D")[0].id])
    expire_hold(expired.hold)  # its seat reads available, though no sweeper has run

    response = admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))

    assert capacity_rows(response) == [
        ["Section 1", "Normal", "20.00 EUR", "5", "4", "0", "1", "0"],
        ["Section 1", "Student", "10.00 EUR", "15", "11", "2", "0", "2"],
        ["total", "20", "15", "2", "1", "2"],
    ]


# --- generating seats -------------------------------------------------------------------------


def generate(admin_client, section: Section, row_ranges: str, rows: int = 6, per_row: int = 4):
    return admin_client.post(
        reverse("admin:catalog_section_generate_seats", args=[section.pk]),
        {
            "rows": rows,
            "seats_per_row": per_row,
            "row_ranges": row_ranges,
            "origin_x": 0,
            "origin_y": 0,
            "spacing": 1.5,
        },
        follow=True,
    )


def test_generate_seats_creates_rows_times_seats_with_ticket_type_per_range(admin_client):
    section = empty_section(make_hall())

    response = generate(admin_client, section, "1-2 Normal\n3 - 6 student\n")

    assert "Created 24 seats." in messages_of(response)
    by_row = {}
    for row, type_name in section.seats.values_list("row", "ticket_type__name"):
        by_row.setdefault(row, set()).add(type_name)
    assert by_row == {
        "A": {"Normal"},
        "B": {"Normal"},
        "C": {"Student"},
        "D": {"Student"},
        "E": {"Student"},
        "F": {"Student"},
    }
    assert section.seats.filter(status=SeatStatus.AVAILABLE).count() == 24
    last = section.seats.get(row="F", number=4)
    assert (last.x, last.y) == (4.5, 7.5)


@pytest.mark.parametrize(
    ("row_ranges", "error"),
    [
        ("1-3 Normal\n3-6 Student", "Row 3 is in two row ranges."),
        ("1-5 Normal", "Row 6 is in no row range: every row needs a ticket type."),
        ("1-7 Normal", "Rows 1 to 7 do not fit in this section's rows 1 to 6."),
        ("1-6 VIP", "These ticket types have no price in this section: VIP."),
    ],
)
def test_generate_seats_refuses_a_bad_layout_and_creates_nothing(admin_client, row_ranges, error):
    section = empty_section(make_hall(sections=0))

    response = generate(admin_client, section, row_ranges)

    assert response.status_code == 200
    assert any(error in message for message in messages_of(response))
    assert not Seat.objects.exists()


@pytest.mark.parametrize("row_ranges", ["1-6 Balcony", "rows one to six Normal", ""])
def test_generate_seats_form_refuses_unreadable_ranges(admin_client, row_ranges):
    section = empty_section(make_hall(sections=0))

    response = generate(admin_client, section, row_ranges)

    assert response.context["form"].errors["row_ranges"]
    assert not Seat.objects.exists()


def test_generate_seats_refuses_a_section_that_has_seats(admin_client):
    performance = make_hall()
    section = performance.sections.get()

    response = generate(admin_client, section, "1-6 Normal")

    assert any("already has seats" in message for message in messages_of(response))
    assert section.seats.count() == 20


# --- blocking ---------------------------------------------------------------------------------


def seat_action(admin_client, action: str, seat_list: list[Seat]):
    return admin_client.post(
        reverse("admin:catalog_seat_changelist"),
        {"action": action, "_selected_action": [s.pk for s in seat_list], "index": 0},
        follow=True,
    )


def test_block_action_blocks_the_selected_seats(admin_client):
    performance = make_hall()
    chosen = seats(performance, "B")[:3]

    response = seat_action(admin_client, "block", chosen)

    assert "Blocked 3 seats." in messages_of(response)
    assert statuses(chosen) == [SeatStatus.BLOCKED] * 3
    assert Seat.objects.filter(status=SeatStatus.BLOCKED).count() == 3


def test_unblock_action_puts_the_selected_seats_back_on_sale(admin_client):
    performance = make_hall()
    chosen = seats(performance, "B")[:3]
    seat_action(admin_client, "block", chosen)

    response = seat_action(admin_client, "unblock", chosen)

    assert "Unblocked 3 seats." in messages_of(response)
    assert statuses(chosen) == [SeatStatus.AVAILABLE] * 3


def test_block_action_groups_seats_of_several_performances(admin_client):
    first, second = make_hall(), make_hall()
    chosen = seats(first, "B")[:2] + seats(second, "C")[:2]

    seat_action(admin_client, "block", chosen)

    assert statuses(chosen) == [SeatStatus.BLOCKED] * 4


def test_block_action_blocks_nothing_when_a_seat_is_sold(admin_client):
    performance = make_hall()
    sold = seats(performance, "A")[:1]
    sell(sold)
    chosen = sold + seats(performance, "B")[:2]

    response = seat_action(admin_client, "block", chosen)

    assert any("has just taken a seat you chose" in message for message in messages_of(response))
    assert statuses(chosen) == [SeatStatus.SOLD, SeatStatus.AVAILABLE, SeatStatus.AVAILABLE]


# --- copying a layout -------------------------------------------------------------------------


def copy_action(admin_client, performance_ids: list[int], **data):
    return admin_client.post(
        reverse("admin:catalog_performance_changelist"),
        {"action": "copy_layout", "_selected_action": performance_ids, **data},
        follow=True,
    )


def copy_dates(sales_end: str = "2031-03-01") -> dict:
    return {
        "apply": "1",
        "starts_at_0": "2031-03-01",
        "starts_at_1": "19:30:00",
        "sales_start_0": "2031-01-01",
        "sales_start_1": "10:00:00",
        "sales_end_0": sales_end,
        "sales_end_1": "19:00:00",
    }


def test_copy_action_asks_for_the_new_dates_first(admin_client):
    performance = make_hall()

    response = copy_action(admin_client, [performance.pk])

    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert 'name="starts_at_0"' in response.content.decode()
    assert Performance.objects.count() == 1


def test_copy_action_creates_a_performance_with_the_same_seats_blocked_ones_still_blocked(
    admin_client,
):
    # Issue #18: this test used to assert that every seat of the copy was available; the
    # organizer's blocked seats now stay blocked, sold and held ones are free.
    performance = make_hall(sections=2)
    sell(seats(performance, "A")[:2])
    Seat.objects.filter(id__in=[s.id for s in seats(performance, "B")[:2]]).update(
        status=SeatStatus.BLOCKED
    )
    hold_seats(performance_id=performance.pk, seat_ids=[seats(performance, "C")[0].id])

    response = copy_action(admin_client, [performance.pk], **copy_dates())

    copy = Performance.objects.exclude(pk=performance.pk).get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:catalog_performance_change", args=[copy.pk]
    )
    assert copy.event_id == performance.event_id
    assert copy.published_at is None  # a copy is a draft until its organizer publishes it
    assert timezone.localtime(copy.starts_at).strftime("%Y-%m-%d %H:%M") == "2031-03-01 19:30"
    assert copy.seats.count() == performance.seats.count() == 40

    def blocked_places(of: Performance) -> list:
        blocked = of.seats.filter(status=SeatStatus.BLOCKED)
        return sorted(blocked.values_list("section__name", "row", "number"))

    assert len(blocked_places(copy)) == 2 and blocked_places(copy) == blocked_places(performance)
    assert set(copy.seats.values_list("status", flat=True)) == {
        SeatStatus.AVAILABLE,
        SeatStatus.BLOCKED,
    }
    assert any("blocked seats blocked" in message for message in messages_of(response))
    assert SectionTicketType.objects.filter(section__performance=copy).count() == 4
    assert performance.seats.exclude(status=SeatStatus.AVAILABLE).count() == 5


def test_copy_action_refuses_sales_ending_before_they_start(admin_client):
    performance = make_hall()

    response = copy_action(admin_client, [performance.pk], **copy_dates(sales_end="2030-12-01"))

    assert response.context["form"].errors["sales_end"]
    assert Performance.objects.count() == 1


def test_copy_action_needs_exactly_one_performance(admin_client):
    first, second = make_hall(), make_hall()

    response = copy_action(admin_client, [first.pk, second.pk], **copy_dates())

    assert any("exactly one" in message for message in messages_of(response))
    assert Performance.objects.count() == 2


# --- orders and holds -------------------------------------------------------------------------


def test_cancel_order_action_asks_first_then_refunds_frees_the_seats_and_notes_it(
    admin_client, admin_user
):
    performance = make_hall()
    sold = seats(performance, "A")[:2]
    order = sell(sold)
    url = reverse("admin:orders_order_changelist")
    data = {"action": "cancel", "_selected_action": [order.pk], "index": 0}

    asked = admin_client.post(url, data)

    assert b"Cancel and refund these orders?" in asked.content
    assert f'value="{order.pk}"'.encode() in asked.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # nothing happens before the confirmation

    response = admin_client.post(url, {**data, "confirmed": "yes"}, follow=True)

    assert "Cancelled and refunded 1 order." in messages_of(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    entry = order.history.get()
    assert (entry.change, entry.actor) == ("cancelled", admin_user.username)
    assert entry.detail == {"amount": str(order.total), "currency": order.currency}
    assert order.refund_reference
    assert not order.tickets.filter(valid=True).exists()
    assert statuses(sold) == [SeatStatus.AVAILABLE] * 2


def test_cancel_order_action_reports_an_order_already_cancelled(admin_client):
    order = sell(seats(make_hall(), "A")[:1])
    url = reverse("admin:orders_order_changelist")
    data = {"action": "cancel", "_selected_action": [order.pk], "index": 0, "confirmed": "yes"}
    admin_client.post(url, data)

    response = admin_client.post(url, data, follow=True)

    assert any("already been cancelled" in message for message in messages_of(response))


def test_revoke_ticket_links_action_closes_every_link_of_the_order(admin_client):
    from orders.access import issue_access_link, open_access_link
    from orders.errors import OrderNotFound

    order = sell(seats(make_hall(), "A")[:1])
    secrets = [issue_access_link(order_id=order.pk) for _ in range(2)]

    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "revoke_ticket_links", "_selected_action": [order.pk], "index": 0},
    )
    assert b"Revoke the ticket links of these orders?" in response.content
    open_access_link(secret=secrets[0])  # still open until confirmed

    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "revoke_ticket_links", "_selected_action": [order.pk], "confirmed": "yes"},
        follow=True,
    )

    assert "Revoked 2 ticket links." in messages_of(response)
    assert order.history.get().detail == {"count": 2}
    for secret in secrets:
        with pytest.raises(OrderNotFound):
            open_access_link(secret=secret)


def test_send_tickets_again_action_mails_paid_orders_only(admin_client):
    from orders.cancellation import cancel_order
    from orders.models import OrderMail

    performance = make_hall()
    paid, cancelled = sell(seats(performance, "A")[:1]), sell(seats(performance, "A")[1:2])
    cancel_order(order_id=cancelled.pk)

    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "send_tickets_again", "_selected_action": [paid.pk, cancelled.pk], "index": 0},
        follow=True,
    )

    assert "The tickets of 1 order are on their way." in messages_of(response)
    resent = OrderMail.objects.filter(kind="resend").values_list("order_id", flat=True)
    assert list(resent) == [paid.pk]
    assert list(paid.history.values_list("change", flat=True)) == ["tickets_resent"]
    outbox = admin_client.get(reverse("admin:orders_ordermail_changelist"))
    assert outbox.status_code == 200 and b"tickets sent again" in outbox.content


def test_orders_and_holds_are_read_only(admin_client):
    performance = make_hall()
    order = sell(seats(performance, "A")[:1])
    held = hold_seats(performance_id=performance.pk, seat_ids=[seats(performance, "B")[0].id])
    for name, pk in (
        ("admin:orders_order_change", order.pk),
        ("admin:reservations_hold_change", held.hold.pk),
    ):
        response = admin_client.get(reverse(name, args=[pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert admin_client.get(reverse("admin:reservations_hold_add")).status_code == 403


def test_the_performance_page_offers_refusing_single_seat_gaps_off_by_default(admin_client):
    performance = make_performance()
    page = admin_client.get(reverse("admin:catalog_performance_change", args=[performance.pk]))
    checkbox = re.search(r'<input[^>]*name="refuse_single_seat_gaps"[^>]*>', page.content.decode())
    assert checkbox and "checked" not in checkbox.group(0)


def test_a_copied_performance_keeps_refusing_single_seat_gaps():
    from catalog.layout_copies import copy_performance_layout

    performance = make_performance()
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    performance.refresh_from_db()
    copy = copy_performance_layout(
        performance=performance,
        starts_at=performance.starts_at,
        sales_start=performance.sales_start,
        sales_end=performance.sales_end,
    )
    assert copy.refuse_single_seat_gaps


def test_cancel_some_tickets_page_names_the_refund_then_cancels_after_confirmation(
    admin_client,
):
    from payments.models import PartialRefund

    order = sell(seats(make_hall(), "A")[:3])
    first, second, third = order.tickets.order_by("seat_id")
    url = reverse("admin:orders_order_cancel_tickets", args=[order.pk])
    assert admin_client.get(url).status_code == 200

    asked = admin_client.post(url, {"tickets": [first.pk, third.pk]})

    expected = f"refund {first.price + third.price} {order.currency}"
    assert expected in asked.content.decode() and not PartialRefund.objects.exists()

    done = admin_client.post(
        url, {"tickets": [first.pk, third.pk], "confirmed": "yes"}, follow=True
    )

    assert any("Cancelled and refunded" in m for m in messages_of(done))
    assert list(order.tickets.filter(valid=True)) == [second]
    assert sum(PartialRefund.objects.values_list("amount", flat=True)) == first.price + third.price
