"""Small factories for tests: a performance laid out through the same services an organizer uses."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F

from catalog.models import Event, Performance, Seat, Section, SectionTicketType, TicketType
from catalog.services import RowRange, generate_section_seats
from core.dbtime import db_now
from reservations.models import Hold


def make_performance(
    *,
    sections: int = 2,
    rows: int = 2,
    seats_per_row: int = 5,
    max_seats_per_order: int = 10,
    hold_minutes: int = 10,
    sales_open: bool = True,
    published: bool = True,
) -> Performance:
    """A performance whose sections each have `rows` x `seats_per_row` seats: the first row
    sells as "Normal" at 20.00, the rest as "Student" at 10.00. Published a day ago, unless
    `published` is False: then a draft, as the admin makes one."""
    now = db_now()
    event = Event.objects.create(name="Test concert", venue="Test hall", currency="EUR")
    normal = TicketType.objects.create(event=event, name="Normal")
    student = TicketType.objects.create(event=event, name="Student")
    sales_start = now - timedelta(days=1) if sales_open else now + timedelta(days=1)
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=10),
        sales_start=sales_start,
        sales_end=now + timedelta(days=9),
        hold_minutes=hold_minutes,
        max_seats_per_order=max_seats_per_order,
        published_at=now - timedelta(days=1) if published else None,
    )
    for position in range(sections):
        section = Section.objects.create(
            performance=performance, name=f"Section {position + 1}", position=position
        )
        SectionTicketType.objects.create(section=section, ticket_type=normal, price=Decimal("20"))
        SectionTicketType.objects.create(section=section, ticket_type=student, price=Decimal("10"))
        ranges = [RowRange(1, 1, normal)]
        if rows > 1:
            ranges.append(RowRange(2, rows, student))
        generate_section_seats(
            section=section,
            rows=rows,
            seats_per_row=seats_per_row,
            row_ranges=ranges,
            origin_y=position * (rows + 2),
        )
    return performance


def seat_ids(performance: Performance) -> list[int]:
    return list(performance.seats.order_by("id").values_list("id", flat=True))


def expire_hold(hold, *, seconds_ago: int = 1) -> None:
    """Move a hold's expiry into the past, as if its minutes had run out (plants the state
    directly: a test may, the product may not). Read the hold again to see its new times."""
    past = db_now() - timedelta(seconds=seconds_ago)
    row = Hold.objects.get(pk=hold.pk)
    shift = past - row.expires_at
    Hold.objects.filter(pk=hold.pk).update(
        created_at=F("created_at") + shift, expires_at=F("expires_at") + shift
    )
    Seat.objects.filter(hold_id=hold.pk).update(hold_expires_at=past)


def make_order(performance: Performance, *, seats: int = 2, email: str = "ava@example.org"):
    """A paid order of the performance's first `seats` seats, made as a buyer makes one (hold,
    then checkout through the test provider). Returns orders.checkout.CheckoutResult."""
    from orders.checkout import checkout
    from reservations.services import hold_seats

    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:seats])
    return checkout(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key="factory",
        name="Ava Buyer",
        email=email,
    )


def make_standing_area(
    performance: Performance, *, capacity: int = 10, name: str = "Floor", price: str = "15"
):
    """A standing area of the performance, sold as its event's "Normal" ticket type."""
    from catalog.services import create_standing_area

    return create_standing_area(
        performance=performance,
        name=name,
        capacity=capacity,
        ticket_type=performance.event.ticket_types.get(name="Normal"),
        price=Decimal(price),
        outline={"type": "rect", "x": 0, "y": -20, "width": 20, "height": 8},
        position=99,
    )


def place_ids(area) -> list[int]:
    return list(area.seats.order_by("number").values_list("id", flat=True))
