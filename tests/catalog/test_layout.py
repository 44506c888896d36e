from datetime import timedelta

import pytest

from backoffice.house_seats import hold_held_back
from catalog.errors import InvalidLayout, InvalidSeats, SeatsUnavailable
from catalog.house_seats import hold_back_seats
from catalog.layout_copies import copy_performance_layout
from catalog.models import (
    HeldBackSeat,
    Performance,
    Seat,
    SeatStatus,
    Section,
    SectionTicketType,
    TicketType,
)
from catalog.services import RowRange, block_seats, generate_section_seats, row_name, unblock_seats
from orders.checkout import checkout
from reservations.services import hold_seats
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db


def test_rows_are_named_like_a_hall_names_them():
    assert [row_name(i) for i in (1, 2, 26, 27, 28, 52, 53)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA"
    ]  # fmt: skip


def test_generate_lays_out_rows_by_seats_with_a_ticket_type_per_row_range(performance):
    normal, student = TicketType.objects.filter(event=performance.event).order_by("id")
    section = Section.objects.create(performance=performance, name="Balcony", position=9)
    SectionTicketType.objects.create(section=section, ticket_type=normal, price=30)
    SectionTicketType.objects.create(section=section, ticket_type=student, price=15)
    created = generate_section_seats(
        section=section,
        rows=40,
        seats_per_row=50,
        row_ranges=[RowRange(1, 10, normal), RowRange(11, 40, student)],
    )
    assert created == 2000 == section.seats.count()
    assert section.seats.filter(row="J", ticket_type=normal).count() == 50
    assert section.seats.filter(row="K", ticket_type=student).count() == 50
    assert section.seats.filter(row="AN").count() == 50


@pytest.mark.parametrize(
    "ranges",
    [[(1, 3)], [(1, 3), (3, 5)], [(0, 5)], [(1, 6)]],
    ids=["gap", "overlap", "zero", "past"],
)
def test_generate_refuses_row_ranges_that_do_not_cover_each_row_once(performance, ranges):
    normal = TicketType.objects.filter(event=performance.event).first()
    section = Section.objects.create(performance=performance, name="Box", position=9)
    SectionTicketType.objects.create(section=section, ticket_type=normal, price=30)
    with pytest.raises(InvalidLayout):
        generate_section_seats(
            section=section,
            rows=5,
            seats_per_row=4,
            row_ranges=[RowRange(a, b, normal) for a, b in ranges],
        )
    assert not section.seats.exists()


def test_generate_refuses_a_ticket_type_without_a_price_in_the_section(performance):
    normal = TicketType.objects.filter(event=performance.event).first()
    section = Section.objects.create(performance=performance, name="Box", position=9)
    with pytest.raises(InvalidLayout):
        generate_section_seats(
            section=section, rows=1, seats_per_row=4, row_ranges=[RowRange(1, 1, normal)]
        )


def test_a_copied_layout_keeps_blocked_seats_blocked_and_every_other_seat_available(performance):
    # Issue #18: this test used to assert a copy with every seat available, dropping the
    # organizer's blocked seats; a block is part of the layout, a hold or a sale is not.
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org")
    hold_seats(performance_id=performance.pk, seat_ids=[ids[2]])
    block_seats(performance_id=performance.pk, seat_ids=[ids[3]])
    stage = [{"kind": "stage", "geometry": {"type": "rect", "x": 0, "y": -9, "width": 40,
                                           "height": 4}, "text": "Stage"}]  # fmt: skip
    Performance.objects.filter(pk=performance.pk).update(shapes=stage)
    performance.refresh_from_db()
    later = performance.starts_at + timedelta(days=7)
    copy = copy_performance_layout(
        performance=performance,
        starts_at=later,
        sales_start=later - timedelta(days=30),
        sales_end=later,
    )

    def statuses(of):
        return {
            (seat.section.name, seat.row, seat.number): seat.status
            for seat in Seat.objects.filter(performance=of).select_related("section")
        }

    blocked = Seat.objects.select_related("section").get(pk=ids[3])
    place = (blocked.section.name, blocked.row, blocked.number)
    assert statuses(copy) == {
        seat: SeatStatus.BLOCKED if seat == place else SeatStatus.AVAILABLE
        for seat in statuses(performance)
    }
    assert copy.sections.count() == performance.sections.count()
    assert SectionTicketType.objects.filter(section__performance=copy).count() == 4
    assert not Seat.objects.filter(performance=copy, hold__isnull=False).exists()
    assert copy.shapes == stage  # the stage is part of the layout too


def test_a_copied_layout_keeps_each_channels_held_back_seats_for_it(performance):
    ids = seat_ids(performance)
    hold_back_seats(performance_id=performance.pk, channel="sponsors", seat_ids=ids[:2])
    hold_back_seats(performance_id=performance.pk, channel="press", seat_ids=ids[2:3])
    block_seats(performance_id=performance.pk, seat_ids=ids[3:4])
    desk = hold_held_back(performance_id=performance.pk, channel="sponsors", seat_ids=ids[1:2])
    checkout(hold_id=desk.hold_id, token=desk.token, idempotency_key="k", name="S", email="s@x.org")
    later = performance.starts_at + timedelta(days=7)
    copy = copy_performance_layout(
        performance=performance, starts_at=later, sales_start=later - timedelta(days=30),
        sales_end=later,
    )  # fmt: skip

    def places(of):
        seats = Seat.objects.filter(performance=of).select_related("section", "held_back")
        return {
            (s.section.name, s.row, s.number): (
                s.status,
                getattr(getattr(s, "held_back", None), "channel", None),
            )
            for s in seats
        }

    original, copied = places(performance), places(copy)
    by_id = {s.pk: (s.section.name, s.row, s.number) for s in Seat.objects.filter(pk__in=ids[:5])}
    assert copied[by_id[ids[0]]] == copied[by_id[ids[1]]] == (SeatStatus.BLOCKED, "sponsors")
    assert original[by_id[ids[1]]] == (SeatStatus.SOLD, "sponsors")  # sold at the desk
    assert copied[by_id[ids[2]]] == (SeatStatus.BLOCKED, "press")
    assert copied[by_id[ids[3]]] == (SeatStatus.BLOCKED, None)  # a plain block stays plain
    assert copied[by_id[ids[4]]] == (SeatStatus.AVAILABLE, None)
    assert HeldBackSeat.objects.filter(performance=copy).count() == 3


def test_blocking_takes_only_free_seats_all_or_nothing(performance):
    ids = seat_ids(performance)
    hold_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    with pytest.raises(SeatsUnavailable) as refused:
        block_seats(performance_id=performance.pk, seat_ids=[ids[0], ids[1]])
    assert refused.value.details["seats"] == [ids[1]]
    assert Seat.objects.get(pk=ids[0]).status == SeatStatus.AVAILABLE
    assert block_seats(performance_id=performance.pk, seat_ids=[ids[0]]) == 1
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=performance.pk, seat_ids=[ids[0]])
    assert unblock_seats(performance_id=performance.pk, seat_ids=[ids[0]]) == 1
    with pytest.raises(InvalidSeats):
        unblock_seats(performance_id=performance.pk, seat_ids=[ids[0]])


def test_a_seat_of_an_expired_hold_can_be_blocked(performance):
    ids = seat_ids(performance)
    expire_hold(hold_seats(performance_id=performance.pk, seat_ids=[ids[0]]).hold)
    block_seats(performance_id=performance.pk, seat_ids=[ids[0]])
    seat = Seat.objects.get(pk=ids[0])
    assert (seat.status, seat.hold_id, seat.hold_expires_at) == ("blocked", None, None)
