"""The reference demo data: a 30-seat event with a 40-place standing area, some seats sold
and some held, a hall of 2,000 seats (with wheelchair spaces, companion seats and restricted
views) and an arena of about 20,000 places (ops/demo_arena.py). Built only through the
services, like any organizer's and buyer's data."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.timezone import localtime

from catalog.inventory import SeatPlacement
from catalog.models import Event, Performance, Seat, Section, SectionTicketType, TicketType
from catalog.publishing import publish_performance
from catalog.services import (
    RowRange,
    create_standing_area,
    edit_seat_layout,
    generate_section_seats,
)
from core.dbtime import db_now
from ops.demo_arena import create_arena
from orders.checkout import checkout
from reservations.services import hold_seats


def seed_demo() -> list[Performance]:
    with transaction.atomic():
        now = db_now()
        small = _reference_event(now)
        hall = _large_hall(now)
        arena = create_arena(starts_at=_evening(now, days=60), sales_start=now - timedelta(days=1))
        publish_performance(performance_id=arena.pk)
    _sell_and_hold_some(small)
    return [small, hall, arena]


def _evening(now, days: int):
    local = localtime(now + timedelta(days=days))
    return local.replace(hour=19, minute=30, second=0, microsecond=0)


def _performance(event: Event, now, days: int) -> Performance:
    starts_at = _evening(now, days)
    return Performance.objects.create(
        event=event, starts_at=starts_at, sales_start=now - timedelta(days=1), sales_end=starts_at
    )


def _reference_event(now) -> Performance:
    event = Event.objects.create(
        name="Sandali Ensemble — Autumn Concert", venue="Vahdat Hall", currency="EUR"
    )
    normal, vip, student = (
        TicketType.objects.create(event=event, name=name) for name in ("Normal", "VIP", "Student")
    )
    performance = _performance(event, now, days=30)
    layout = [
        # section, its prices, and the ticket type of each of its two rows of five
        ("Eco", {normal: "20.00", student: "12.00"}, [normal, student]),
        ("Normal", {normal: "35.00", student: "25.00"}, [normal, normal]),
        ("VIP", {vip: "80.00"}, [vip, vip]),
    ]
    for position, (name, prices, row_types) in enumerate(layout):
        section = Section.objects.create(performance=performance, name=name, position=position)
        for ticket_type, price in prices.items():
            SectionTicketType.objects.create(
                section=section, ticket_type=ticket_type, price=Decimal(price)
            )
        generate_section_seats(
            section=section,
            rows=2,
            seats_per_row=5,
            row_ranges=[RowRange(i + 1, i + 1, t) for i, t in enumerate(row_types)],
            origin_y=(2 - position) * 4,
        )
    # Standing room between the stage and the seats, sold by quantity.
    create_standing_area(
        performance=performance,
        name="Floor",
        capacity=40,
        ticket_type=normal,
        price=Decimal("15.00"),
        outline={"type": "rect", "x": -0.5, "y": -6, "width": 5, "height": 4.5},
        position=len(layout),
    )
    # Published as an organizer publishes: refused if anything could not be sold.
    publish_performance(performance_id=performance.pk)
    return performance


def _large_hall(now) -> Performance:
    event = Event.objects.create(name="Grand Hall Gala", venue="Grand Hall", currency="EUR")
    normal, vip, student = (
        TicketType.objects.create(event=event, name=name) for name in ("Normal", "VIP", "Student")
    )
    performance = _performance(event, now, days=45)
    # (name, rows, seats per row, x, y, [(first row, last row, ticket type)], prices)
    layout = [
        ("Parterre", 20, 40, 0, 0, [(1, 5, vip), (6, 20, normal)], {vip: 90, normal: 45}),
        ("Balcony Left", 15, 20, -24, 24, [(1, 15, normal)], {normal: 30}),
        ("Balcony Right", 15, 20, 44, 24, [(1, 15, normal)], {normal: 30}),
        ("Gallery", 20, 30, 5, 42, [(1, 10, normal), (11, 20, student)], {normal: 25, student: 15}),
    ]
    for position, (name, rows, per_row, x, y, ranges, prices) in enumerate(layout):
        section = Section.objects.create(performance=performance, name=name, position=position)
        for ticket_type, price in prices.items():
            SectionTicketType.objects.create(
                section=section, ticket_type=ticket_type, price=Decimal(price)
            )
        generate_section_seats(
            section=section,
            rows=rows,
            seats_per_row=per_row,
            row_ranges=[RowRange(first, last, t) for first, last, t in ranges],
            origin_x=x,
            origin_y=y,
        )
    _accessible_seats(performance)
    # Published as an organizer publishes: refused if anything could not be sold.
    publish_performance(performance_id=performance.pk)
    return performance


def _accessible_seats(performance: Performance) -> None:
    """The Parterre's back row has a wheelchair space at each end, each with a companion seat
    beside it; the Gallery's two end seats of its front row have a restricted view."""
    marks = [  # section, row, number, flags, companion of (number in the row)
        ("Parterre", "T", 1, ["wheelchair"], None),
        ("Parterre", "T", 40, ["wheelchair"], None),
        ("Parterre", "T", 2, ["companion"], 1),
        ("Parterre", "T", 39, ["companion"], 40),
        ("Gallery", "A", 1, ["restricted_view"], None),
        ("Gallery", "A", 30, ["restricted_view"], None),
    ]
    seats = Seat.objects.filter(performance=performance)
    for section, row, number, flags, space in marks:
        seat = seats.get(section__name=section, row=row, number=number)
        companion_of = None
        if space is not None:
            companion_of = seats.get(section__name=section, row=row, number=space).pk
        edit_seat_layout(
            seat_id=seat.pk,
            placement=SeatPlacement.of(seat),  # where it is: only its flags change
            flags=flags,
            companion_of_id=companion_of,
        )


def _sell_and_hold_some(performance: Performance) -> None:
    seats = list(performance.seats.order_by("id").values_list("id", flat=True))
    for index, seat_ids in enumerate([seats[0:2], seats[12:14], seats[20:23]]):
        held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids)
        checkout(
            hold_id=held.hold.pk,
            token=held.token,
            idempotency_key=f"demo-{index}",
            name="Demo Buyer",
            email=f"buyer{index}@example.com",
        )
    hold_seats(performance_id=performance.pk, seat_ids=[seats[5], seats[6]])
    hold_seats(performance_id=performance.pk, seat_ids=[seats[27]])
