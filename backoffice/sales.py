"""How sales are going: sold and revenue by day, by section x ticket type, holds live and
refunds, and the seats held back for each channel, per performance (the totals per event);
read for the organizer's dashboard (ops/admin/sales.py).

Every figure is an aggregate computed by the database (grouped queries over tickets, seats and
payments), so the number of queries is the same for 20 tickets as for 20,000: nothing here
loops over tickets in Python. Sold and revenue count valid tickets, so they agree with the
seats sold; a cancelled (refunded) ticket moves from them to the refunds. Check-ins are
counted in the same query as the tickets' money, through the ticket's reverse relation
`checkin` (checkin.CheckIn: the back office sits above the door): the door's own count
(checkin/selectors.py `door_counts`) counts the same rows, valid tickets with a check-in, but
a query of its own would read the 20,000 tickets once more.
"""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from catalog import inventory
from catalog.house_seats import ChannelSeats, channel_seats
from catalog.models import Event, Performance, Seat, SeatStatus, SectionTicketType
from core.dbtime import DbNow
from orders.models import OrderStatus, PaymentAttempt, PaymentStatus, Ticket

ZERO = Decimal("0.00")


def sales_time_zone(performance: Performance) -> tzinfo:
    """The time zone a performance's sales days are counted in: its event's."""
    return ZoneInfo(performance.event.time_zone)


@dataclass(frozen=True)
class SalesDay:
    day: date
    tickets: int
    revenue: Decimal


@dataclass(frozen=True)
class PriceSales:
    """One section x ticket type: its seats as they stand, and its tickets' money."""

    section: str
    ticket_type: str
    price: Decimal
    allocated: int
    sold: int
    held: int  # seats in holds that have not expired
    available: int
    blocked: int  # off sale: blocked, or held back for a channel (catalog/house_seats.py)
    revenue: Decimal  # the valid tickets' prices
    admitted: int  # valid tickets checked in at the door
    refunded: int  # tickets cancelled and refunded
    refunded_amount: Decimal


@dataclass(frozen=True)
class Refunds:
    orders: int  # orders cancelled and refunded
    tickets: int
    amount: Decimal
    # Payments approved after their hold had lost its seats, refunded with no order made.
    lost_hold_payments: int
    lost_hold_amount: Decimal


@dataclass(frozen=True)
class PerformanceSales:
    performance: Performance
    currency: str
    by_day: list[SalesDay]
    by_price: list[PriceSales]
    refunds: Refunds
    channels: list[ChannelSeats]  # the seats held back for each channel

    @property
    def sold(self) -> int:
        return sum(row.sold for row in self.by_price)

    @property
    def revenue(self) -> Decimal:
        return sum((row.revenue for row in self.by_price), ZERO)

    @property
    def held(self) -> int:
        return sum(row.held for row in self.by_price)

    @property
    def admitted(self) -> int:
        return sum(row.admitted for row in self.by_price)


def performance_sales(*, performance_id: int) -> PerformanceSales:
    """A performance's sales, in six queries whatever it has sold."""
    performance = Performance.objects.select_related("event").get(pk=performance_id)
    return PerformanceSales(
        performance=performance,
        currency=performance.event.currency,
        by_day=sales_by_day(performance=performance),
        by_price=sales_by_price(performance=performance),
        refunds=refunds(performance_id=performance.pk),
        channels=channel_seats(performance_id=performance.pk),
    )


def sales_by_day(*, performance: Performance) -> list[SalesDay]:
    """Valid tickets and their revenue by the day (in the performance's time zone) their
    order was paid; days with no sale are left out."""
    rows = (
        Ticket.objects.filter(order__performance_id=performance.pk, valid=True)
        .annotate(day=TruncDate("order__created_at", tzinfo=sales_time_zone(performance)))
        .values("day")
        .annotate(tickets=Count("id"), revenue=Sum("price"))
        .order_by("day")
    )
    return [SalesDay(row["day"], row["tickets"], row["revenue"]) for row in rows]


def sales_by_price(*, performance: Performance) -> list[PriceSales]:
    """Every price of the performance with its seats' figures (one grouped query over the
    seats) and its tickets' money (one grouped query over the tickets)."""
    now = DbNow()
    seats = {
        (row["section_id"], row["ticket_type_id"]): row
        for row in Seat.objects.filter(performance_id=performance.pk)
        .values("section_id", "ticket_type_id")
        .annotate(
            allocated=Count("id"),
            sold=Count("id", filter=Q(status=SeatStatus.SOLD)),
            held=Count("id", filter=inventory.live(now)),
            available=Count("id", filter=inventory.free(now)),
            blocked=Count(
                "id", filter=Q(status=SeatStatus.BLOCKED) | inventory.lapsed_to_channel(now)
            ),
        )
        .order_by()
    }
    money = {
        (row["seat__section_id"], row["ticket_type_id"]): row
        for row in Ticket.objects.filter(order__performance_id=performance.pk)
        .values("seat__section_id", "ticket_type_id")
        .annotate(
            revenue=Coalesce(Sum("price", filter=Q(valid=True)), ZERO),
            admitted=Count("checkin", filter=Q(valid=True)),
            refunded=Count("id", filter=Q(valid=False)),
            refunded_amount=Coalesce(Sum("price", filter=Q(valid=False)), ZERO),
        )
        .order_by()
    }
    prices = (
        SectionTicketType.objects.filter(section__performance_id=performance.pk)
        .values_list("section_id", "section__name", "ticket_type_id", "ticket_type__name", "price")
        .order_by("section__position", "section_id", "ticket_type__name")
    )
    empty_seats = {"allocated": 0, "sold": 0, "held": 0, "available": 0, "blocked": 0}
    empty_money = {"revenue": ZERO, "admitted": 0, "refunded": 0, "refunded_amount": ZERO}
    return [
        PriceSales(
            section=section,
            ticket_type=ticket_type,
            price=price,
            **{key: seats.get((section_id, type_id), empty_seats)[key] for key in empty_seats},
            **{key: money.get((section_id, type_id), empty_money)[key] for key in empty_money},
        )
        for section_id, section, type_id, ticket_type, price in prices
    ]


def refunds(*, performance_id: int) -> Refunds:
    tickets = Ticket.objects.filter(order__performance_id=performance_id, valid=False).aggregate(
        orders=Count("order_id", distinct=True),
        tickets=Count("id"),
        amount=Coalesce(Sum("price"), ZERO),
    )
    lost = PaymentAttempt.objects.filter(
        hold__performance_id=performance_id,
        status__in=[PaymentStatus.REFUNDING, PaymentStatus.REFUNDED],
    ).aggregate(payments=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    return Refunds(
        orders=tickets["orders"],
        tickets=tickets["tickets"],
        amount=tickets["amount"],
        lost_hold_payments=lost["payments"],
        lost_hold_amount=lost["amount"],
    )


@dataclass(frozen=True)
class PerformanceTotals:
    performance_id: int
    starts_at: datetime
    sold: int
    revenue: Decimal
    held: int
    orders: int  # paid orders
    admitted: int  # valid tickets checked in
    refunded: int  # tickets refunded
    refunded_amount: Decimal


@dataclass(frozen=True)
class EventSales:
    event: Event
    performances: list[PerformanceTotals]

    def total(self, figure: str):
        return sum(getattr(row, figure) for row in self.performances)


def event_sales(*, event_id: int) -> EventSales:
    """Each performance of an event with its totals, in four queries whatever was sold."""
    event = Event.objects.get(pk=event_id)
    tickets = {
        row["order__performance_id"]: row
        for row in Ticket.objects.filter(order__performance__event_id=event_id)
        .values("order__performance_id")
        .annotate(
            sold=Count("id", filter=Q(valid=True)),
            revenue=Coalesce(Sum("price", filter=Q(valid=True)), ZERO),
            orders=Count("order_id", distinct=True, filter=Q(order__status=OrderStatus.PAID)),
            admitted=Count("checkin", filter=Q(valid=True)),
            refunded=Count("id", filter=Q(valid=False)),
            refunded_amount=Coalesce(Sum("price", filter=Q(valid=False)), ZERO),
        )
        .order_by()
    }
    held = dict(
        Seat.objects.filter(inventory.live(DbNow()), performance__event_id=event_id)
        .values_list("performance_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    none = {
        "sold": 0, "revenue": ZERO, "orders": 0, "admitted": 0, "refunded": 0,
        "refunded_amount": ZERO,
    }  # fmt: skip
    performances = [
        PerformanceTotals(
            performance_id=pk,
            starts_at=starts_at,
            held=held.get(pk, 0),
            **{key: tickets.get(pk, none)[key] for key in none},
        )
        for pk, starts_at in event.performances.values_list("id", "starts_at")
    ]
    return EventSales(event=event, performances=performances)
