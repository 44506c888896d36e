"""Reading events, seat maps and capacity. Every capacity figure is counted from seat rows."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, F, Prefetch, Q, Sum, Value, When

from catalog import inventory
from catalog.errors import PerformanceNotFound
from catalog.models import (
    PLACE_ROW,
    Event,
    Performance,
    Seat,
    SeatStatus,
    Section,
    SectionKind,
    SectionTicketType,
)
from core.dbtime import DbNow, now_sql
from core.sql import as_datetime, as_param, fetch_all, fetch_one, in_list, lock

CENT = Decimal("0.01")


def effective_status() -> Case:
    """A seat's status as every reader must see it: an expired reservation reads available,
    or blocked if the seat is held back for a channel (it went back to the channel)."""
    now = DbNow()
    expired = Q(status=SeatStatus.RESERVED) & inventory.free(now)
    return Case(
        When(expired, then=Value(SeatStatus.AVAILABLE)),
        When(inventory.lapsed_to_channel(now), then=Value(SeatStatus.BLOCKED)),
        default=F("status"),
    )


def published(now) -> Q:
    """The performances buyers may see: published, and the publication's time has come. A
    draft (published_at NULL) never compares true. published_sql() is the same rule in SQL."""
    return Q(published_at__lte=now)


def published_sql(alias: str) -> str:
    """published() for a statement, on the performance table aliased `alias`."""
    return f"{alias}.published_at <= {now_sql()}"


def get_performance(*, performance_id: int) -> Performance:
    """A performance as a buyer may see it: a draft, or one published for later, is
    PerformanceNotFound exactly like a missing one, so its existence never leaks."""
    try:
        return (
            Performance.objects.select_related("event")
            .filter(published(DbNow()))
            .get(pk=performance_id)
        )
    except Performance.DoesNotExist:
        raise PerformanceNotFound() from None


def list_events() -> list[Event]:
    """The events that have a published performance, each with only its published ones."""
    visible = Performance.objects.filter(published(DbNow()))
    return list(
        Event.objects.filter(pk__in=visible.values("event_id"))
        .order_by("id")
        .prefetch_related(Prefetch("performances", queryset=visible.order_by("starts_at", "id")))
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
            blocked=Count(
                "id", filter=Q(status=SeatStatus.BLOCKED) | inventory.lapsed_to_channel(now)
            ),
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
    "flags",  # catalog/seat_flags.py's bits: 1 wheelchair, 2 companion, 4 restricted view, 8 aisle
)


def seat_map(*, performance_id: int) -> list[tuple]:
    """Every seat of a performance as a compact row, in SEAT_MAP_COLUMNS order; the places of
    standing areas are not seats to draw (standing_areas counts them)."""
    return list(
        Seat.objects.filter(performance_id=performance_id)
        .exclude(row=PLACE_ROW)
        .annotate(effective=effective_status())
        .order_by("id")
        .values_list(
            "id",
            "section_id",
            "row",
            "number",
            "x",
            "y",
            "ticket_type_id",
            "effective",
            "version",
            "flag_bits",
        )
    )


def standing_areas(*, performance_id: int) -> list[dict]:
    """Each standing area of the performance as the map draws it: id, name, outline, capacity,
    free places, the sum of its places' versions (only grows: inventory.area_counts) and its
    prices; counted from its places in one grouped query, made only if it has any (a seated
    hall's map, made again each second in a rush, then costs no count at all)."""
    areas = list(
        Section.objects.filter(performance_id=performance_id, kind=SectionKind.STANDING)
        .prefetch_related("prices__ticket_type")
        .order_by("position", "id")
    )
    if not areas:
        return []
    counts = {
        row["section_id"]: row
        for row in Seat.objects.filter(performance_id=performance_id, row=PLACE_ROW)
        .values("section_id")
        .annotate(
            capacity=Count("id"),
            free=Count("id", filter=inventory.free(DbNow())),
            version=Sum("version"),
        )
        .order_by()
    }
    return [
        {
            "id": area.pk,
            "name": area.name,
            "outline": area.outline,
            "capacity": counts.get(area.pk, {}).get("capacity", 0),
            "free": counts.get(area.pk, {}).get("free", 0),
            "version": counts.get(area.pk, {}).get("version", 0),
            "prices": [
                {"ticket_type": p.ticket_type_id, "name": p.ticket_type.name, "price": str(p.price)}
                for p in area.prices.all()
            ],
        }
        for area in areas
    ]


@dataclass(frozen=True)
class SaleTerms:
    """What a hold of a performance must respect, read with the hold in one statement."""

    performance_id: int
    event_id: int
    currency: str
    starts_at: datetime
    sales_start: datetime
    sales_end: datetime
    hold_minutes: int
    max_seats_per_order: int
    refuse_single_seat_gaps: bool
    companions_sell_alone: bool
    has_companions: bool  # any seat is a wheelchair space's companion (reservations/companions)


# The terms as a subquery (alias it, join on performance_id): the columns in field order, so
# that another app's statement can read them with the hold and never name catalog's tables.
SALE_TERMS_SQL = """
    SELECT p.id AS performance_id, p.event_id, e.currency, p.starts_at, p.sales_start,
           p.sales_end, p.hold_minutes, p.max_seats_per_order, p.refuse_single_seat_gaps,
           p.companions_sell_alone,
           EXISTS (SELECT 1 FROM catalog_seat c
                   WHERE c.performance_id = p.id AND c.companion_of_id IS NOT NULL)
             AS has_companions
    FROM catalog_performance p JOIN catalog_event e ON e.id = p.event_id"""
SALE_TERMS_WIDTH = len(fields(SaleTerms))


def sale_terms_of_row(row: Sequence) -> SaleTerms:
    """The terms from the first SALE_TERMS_WIDTH columns of a row read with SALE_TERMS_SQL."""
    (performance_id, event_id, currency, starts_at, sales_start, sales_end, hold_minutes,
     max_seats, refuse_gaps, companions_sell_alone,
     has_companions) = row[:SALE_TERMS_WIDTH]  # fmt: skip
    return SaleTerms(
        performance_id=performance_id,
        event_id=event_id,
        currency=currency,
        starts_at=as_datetime(starts_at),
        sales_start=as_datetime(sales_start),
        sales_end=as_datetime(sales_end),
        hold_minutes=hold_minutes,
        max_seats_per_order=max_seats,
        refuse_single_seat_gaps=bool(refuse_gaps),  # SQLite hands back 0 or 1
        companions_sell_alone=bool(companions_sell_alone),
        has_companions=bool(has_companions),
    )


def sale_terms_now(*, performance_id: int) -> tuple[SaleTerms, datetime] | None:
    """The performance's terms and the database's clock, in one round trip; None for a
    performance that is missing or not published (a new hold's check)."""
    row = fetch_one(
        f"""SELECT t.*, {now_sql()} FROM ({SALE_TERMS_SQL}) t
            WHERE t.performance_id = %s AND EXISTS (
              SELECT 1 FROM catalog_performance p
              WHERE p.id = t.performance_id AND {published_sql("p")})""",
        [performance_id],
    )
    if row is None:
        return None
    return sale_terms_of_row(row), as_datetime(row[SALE_TERMS_WIDTH])


@dataclass(frozen=True)
class PricedSeat:
    """A seat of a hold, with its section x ticket type price (None: no longer for sale)."""

    id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal | None
    version: int = 0
    ticket_type_id: int = 0
    section_id: int = 0

    @property
    def standing(self) -> bool:
        """A place of a standing area, not a numbered seat."""
        return self.row == PLACE_ROW


def places_by_area(seats: Sequence[PricedSeat]) -> list[dict]:
    """The places among a hold's seats, counted by area: [{area, name, quantity}, ...]."""
    counted: dict[int, dict] = {}
    for seat in seats:
        if seat.standing:
            area = counted.setdefault(
                seat.section_id, {"area": seat.section_id, "name": seat.section, "quantity": 0}
            )
            area["quantity"] += 1
    return list(counted.values())


def seats_of_hold(*, hold_id: int, for_update: bool = False) -> list[PricedSeat]:
    """The seats a hold has now (reserved to it), with prices, in id order; `for_update`
    locks them."""
    rows = fetch_all(
        f"""SELECT s.id, sec.name, s.row, s.number, tt.name, p.price, s.version, s.ticket_type_id,
                   s.section_id
            FROM catalog_seat s
            JOIN catalog_section sec ON sec.id = s.section_id
            JOIN catalog_tickettype tt ON tt.id = s.ticket_type_id
            LEFT JOIN catalog_sectiontickettype p
              ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
            WHERE s.hold_id = %s AND s.status = 'reserved'
            ORDER BY s.id {lock(of="s") if for_update else ""}""",
        [hold_id],
    )
    return [PricedSeat(*row[:5], money(row[5]), *row[6:]) for row in rows]


def seats_for_sale(*, performance_id: int, seat_ids: Sequence[int]) -> set[int]:
    """Which of `seat_ids` are seats of the performance with a price (for sale at all)."""
    rows = fetch_all(
        f"""SELECT s.id FROM catalog_seat s
            JOIN catalog_sectiontickettype p
              ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
            WHERE s.performance_id = %s AND s.id IN ({in_list(seat_ids)})""",
        [performance_id, *seat_ids],
    )
    return {row[0] for row in rows}


def live_seats_of_holds(*, holds_sql: str, params: Sequence, now: datetime) -> int:
    """How many seats are held live by the holds whose ids `holds_sql` selects."""
    (count,) = fetch_one(
        f"SELECT count(*) FROM catalog_seat WHERE hold_id IN ({holds_sql})"
        f" AND {inventory.LIVE_SQL}",
        [*params, as_param(now)],
    )
    return count


def money(value) -> Decimal | None:
    # SQLite hands back a number; prices always have two places.
    return None if value is None else Decimal(str(value)).quantize(CENT)


def sells(*, performance_id: int, ticket_type_id: int | None, section_id: int | None) -> bool:
    """Whether the performance has a priced section of numbered seats (this one, if given) of
    the ticket type (this one, if given)."""
    prices = SectionTicketType.objects.filter(section__performance_id=performance_id).exclude(
        section__kind=SectionKind.STANDING
    )
    if ticket_type_id is not None:
        prices = prices.filter(ticket_type_id=ticket_type_id)
    if section_id is not None:
        prices = prices.filter(section_id=section_id)
    return prices.exists()


def standing_area_names(*, performance_id: int, area_ids: Sequence[int]) -> dict[int, str]:
    """Area id -> name, for those of `area_ids` that are standing areas of the performance."""
    return dict(
        Section.objects.filter(
            performance_id=performance_id, pk__in=area_ids, kind=SectionKind.STANDING
        ).values_list("pk", "name")
    )


def free_places(*, performance_id: int, area_id: int, now: datetime) -> int:
    """How many places of the area are FREE and priced, as committed (a place another buyer
    is taking right now counts: it is free until that buyer commits)."""
    (count,) = fetch_one(
        f"""SELECT count(*) FROM catalog_seat s
            WHERE s.performance_id = %s AND s.section_id = %s AND s.row = %s
              AND {inventory.FREE_SQL}
              AND EXISTS (SELECT 1 FROM catalog_sectiontickettype p
                          WHERE p.section_id = s.section_id
                            AND p.ticket_type_id = s.ticket_type_id)""",
        [performance_id, area_id, PLACE_ROW, as_param(now)],
    )
    return count
