"""Reading events, seat maps and capacity. Every capacity figure is counted from seat rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, Prefetch, Q, Value, When

from catalog import inventory
from catalog.errors import PerformanceNotFound
from catalog.models import Event, Performance, Seat, SeatStatus, Section, SectionTicketType
from core.dbtime import DbNow


def effective_status() -> Case:
    """A seat's status as every reader must see it: an expired reservation reads available."""
    expired = Q(status=SeatStatus.RESERVED) & inventory.free(DbNow())
    return Case(When(expired, then=Value(SeatStatus.AVAILABLE)), default=F("status"))


def get_performance(*, performance_id: int) -> Performance:
    try:
        return Performance.objects.select_related("event").get(pk=performance_id)
    except Performance.DoesNotExist:
        raise PerformanceNotFound() from None


def list_events() -> list[Event]:
    return list(
        Event.objects.order_by("id").prefetch_related(
            Prefetch("performances", queryset=Performance.objects.order_by("starts_at", "id"))
        )
    )


@dataclass(frozen=True)
class Capacity:
    section_id: int
    ticket_type_id: int
    allocated: int
    available: int
    reserved: int
    sold: int
    blocked: int


def capacity_by_section_and_ticket_type(*, performance_id: int) -> list[Capacity]:
    """All five figures for every section x ticket type, in one grouped query."""
    now = DbNow()
    rows = (
        Seat.objects.filter(performance_id=performance_id)
        .values("section_id", "ticket_type_id")
        .annotate(
            allocated=Count("id"),
            available=Count("id", filter=inventory.free(now)),
            reserved=Count("id", filter=inventory.live(now)),
            sold=Count("id", filter=Q(status=SeatStatus.SOLD)),
            blocked=Count("id", filter=Q(status=SeatStatus.BLOCKED)),
        )
        .order_by("section_id", "ticket_type_id")
    )
    return [Capacity(**row) for row in rows]


@dataclass(frozen=True)
class PriceCapacity:
    section: Section
    ticket_type_id: int
    ticket_type_name: str
    price: Decimal
    capacity: Capacity


def priced_capacity(
    *, performance: Performance, capacity: list[Capacity] | None = None
) -> list[PriceCapacity]:
    """Each price of the performance with its capacity (zero where no seats exist); pass
    `capacity` to use figures already computed (a cached snapshot)."""
    if capacity is None:
        capacity = capacity_by_section_and_ticket_type(performance_id=performance.pk)
    counted = {(c.section_id, c.ticket_type_id): c for c in capacity}
    prices = SectionTicketType.objects.filter(section__performance=performance).select_related(
        "section", "ticket_type"
    )
    result = []
    for price in prices.order_by("section__position", "section_id", "ticket_type_id"):
        key = (price.section_id, price.ticket_type_id)
        empty = Capacity(*key, allocated=0, available=0, reserved=0, sold=0, blocked=0)
        result.append(
            PriceCapacity(
                section=price.section,
                ticket_type_id=price.ticket_type_id,
                ticket_type_name=price.ticket_type.name,
                price=price.price,
                capacity=counted.get(key, empty),
            )
        )
    return result


SEAT_MAP_COLUMNS = (
    "id",
    "section_id",
    "row",
    "number",
    "x",
    "y",
    "ticket_type_id",
    "status",
    "version",
)


def seat_map(*, performance_id: int) -> list[tuple]:
    """Every seat of a performance as a compact row, in SEAT_MAP_COLUMNS order."""
    return list(
        Seat.objects.filter(performance_id=performance_id)
        .annotate(effective=effective_status())
        .order_by("id")
        .values_list(
            "id", "section_id", "row", "number", "x", "y", "ticket_type_id", "effective", "version"
        )
    )
