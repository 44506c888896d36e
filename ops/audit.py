"""The inventory audit: totals by status, and every inconsistency between seats, holds,
orders and tickets that can be planted despite the database constraints (raw SQL with the
checks or foreign keys switched off, a restored backup, a bug).

Each check is a query that returns the ids of the rows that break one rule; `fix` mends
what can be mended without a person's judgement and leaves the rest reported.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from catalog import inventory
from catalog.models import Seat, SeatStatus, SectionTicketType
from catalog.seat_flags import ALL_BITS, WHEELCHAIR
from core.dbtime import DbNow
from orders.models import Order, OrderStatus, PaymentAttempt, PaymentStatus, Ticket
from reservations.services import release_expired_holds

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Check:
    name: str
    rows: Callable[[], QuerySet]
    fix: Callable[[QuerySet], int] | None = None


# The repairs go through the inventory, the only writer of seats, so they reach watchers too.


def _free(seats: QuerySet) -> int:
    return len(inventory.repair_free(seat_ids=_seat_ids(seats)))


def _sync_expiry(seats: QuerySet) -> int:
    expiries = dict(seats.filter(hold__isnull=False).values_list("id", "hold__expires_at"))
    return len(inventory.repair_expiry(expiry_of_seat=expiries))


def _clear_leftovers(seats: QuerySet) -> int:
    """An available or blocked seat keeps no hold or ticket; other statuses need a person."""
    return len(inventory.repair_leftovers(seat_ids=_seat_ids(seats)))


def _seat_ids(seats: QuerySet) -> list[int]:
    return list(seats.order_by("id").values_list("id", flat=True))


def _seats_with_fields_not_matching_status() -> QuerySet:
    return Seat.objects.exclude(
        Q(status=SeatStatus.RESERVED, hold__isnull=False, hold_expires_at__isnull=False)
        & Q(ticket__isnull=True)
        | Q(status=SeatStatus.SOLD, hold__isnull=True, hold_expires_at__isnull=True)
        & Q(ticket__isnull=False)
        | Q(
            status__in=[SeatStatus.AVAILABLE, SeatStatus.BLOCKED],
            hold__isnull=True,
            hold_expires_at__isnull=True,
            ticket__isnull=True,
        )
    )


def _orders_whose_total_disagrees() -> QuerySet:
    ticket_sum = Coalesce(
        Sum("tickets__price"), Value(0), output_field=DecimalField(max_digits=12, decimal_places=2)
    )
    return (
        Order.objects.annotate(ticket_sum=ticket_sum, ticket_count=Count("tickets"))
        .filter(Q(ticket_count=0) | ~Q(total=F("ticket_sum")))
        .values("id")
    )


def _orders_whose_payment_disagrees() -> QuerySet:
    """Every order paid online has exactly its payment: a paid attempt with the order's
    reference, amount and number of seats. An order sold at the box office desk was paid there
    and has none (backoffice/box_office.py)."""
    return (
        Order.objects.filter(desk_method="")
        .annotate(ticket_count=Count("tickets"))
        .exclude(
            payment__status=PaymentStatus.PAID,
            payment__provider_reference=F("payment_reference"),
            payment__amount=F("total"),
            payment__seat_count=F("ticket_count"),
        )
        .values("id")
    )


def _payments_left_unsettled() -> QuerySet:
    """Pending or refunding for well past the time the sweeper settles them (is one running?)."""
    grace = timedelta(seconds=2 * settings.SANDALI_PAYMENT_RECOVERY_SECONDS + 60)
    return PaymentAttempt.objects.filter(
        status__in=[PaymentStatus.PENDING, PaymentStatus.REFUNDING], updated_at__lt=DbNow() - grace
    )


# Every flag_bits value without the wheelchair bit: a plain IN, alike on PostgreSQL and SQLite.
NOT_WHEELCHAIR = [bits for bits in range(ALL_BITS + 1) if not bits & WHEELCHAIR]


def _companions_held_apart() -> QuerySet:
    """Companion seats held live, or sold, apart from their wheelchair space where the
    performance keeps them for the spaces' companions (reservations/companions.py)."""
    companions = Seat.objects.filter(
        companion_of__isnull=False, performance__companions_sell_alone=False
    )
    held_apart = companions.filter(inventory.live(DbNow())).exclude(
        companion_of__status=SeatStatus.RESERVED, companion_of__hold_id=F("hold_id")
    )
    sold_apart = companions.filter(status=SeatStatus.SOLD).exclude(
        companion_of__status=SeatStatus.SOLD,
        companion_of__ticket__order_id=F("ticket__order_id"),
    )
    return Seat.objects.filter(
        Q(pk__in=held_apart.values("pk")) | Q(pk__in=sold_apart.values("pk"))
    )


CHECKS: list[Check] = [
    Check(
        "seat_fields_do_not_match_status",
        _seats_with_fields_not_matching_status,
        _clear_leftovers,
    ),
    Check(
        "reserved_seat_without_hold",
        lambda: Seat.objects.filter(
            Q(hold__isnull=True) | Q(hold_expires_at__isnull=True), status=SeatStatus.RESERVED
        ),
        _free,
    ),
    Check(
        "sold_seat_without_valid_ticket",
        lambda: Seat.objects.filter(status=SeatStatus.SOLD).exclude(
            ticket__valid=True, ticket__seat_id=F("id"), ticket__order__status=OrderStatus.PAID
        ),
        # A seat whose ticket is void or belongs elsewhere goes back on sale; one with no
        # ticket at all needs a person (somebody may have paid for it).
        lambda seats: _free(seats.filter(ticket__isnull=False)),
    ),
    Check(
        "valid_ticket_whose_seat_is_not_sold_to_it",
        lambda: Ticket.objects.filter(valid=True).exclude(
            sold_seat__isnull=False, sold_seat__status=SeatStatus.SOLD
        ),
    ),
    Check(
        "valid_ticket_of_cancelled_order",
        lambda: Ticket.objects.filter(valid=True, order__status=OrderStatus.CANCELLED),
        lambda tickets: Ticket.objects.filter(pk__in=tickets.values("pk")).update(valid=False),
    ),
    Check(
        "seat_reserved_by_paid_hold",
        lambda: Seat.objects.filter(status=SeatStatus.RESERVED, hold__order__isnull=False),
        _free,
    ),
    Check(
        "seat_expiry_differs_from_hold",
        lambda: Seat.objects.filter(status=SeatStatus.RESERVED).exclude(
            hold_expires_at=F("hold__expires_at")
        ),
        _sync_expiry,
    ),
    Check(
        "seat_section_of_other_performance",
        lambda: Seat.objects.exclude(section__performance_id=F("performance_id")),
    ),
    Check(
        "seat_hold_of_other_performance",
        lambda: Seat.objects.filter(hold__isnull=False).exclude(
            hold__performance_id=F("performance_id")
        ),
        _free,
    ),
    Check(
        "seat_ticket_type_of_other_event",
        lambda: Seat.objects.exclude(ticket_type__event_id=F("performance__event_id")),
    ),
    Check(
        "seat_without_price",
        lambda: Seat.objects.exclude(
            Exists(
                SectionTicketType.objects.filter(
                    section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
                )
            )
        ),
    ),
    Check(
        "companion_of_seat_that_is_no_wheelchair_space",
        lambda: Seat.objects.filter(companion_of__isnull=False).filter(
            ~Q(companion_of__performance_id=F("performance_id"))
            | Q(companion_of__flag_bits__in=NOT_WHEELCHAIR)
        ),
    ),
    # Reported, never mended: whether the buyer keeps the seat is a person's decision.
    Check("companion_seat_apart_from_its_space", _companions_held_apart),
    # A seat held back for a channel is blocked, in a hold or sold (catalog/house_seats.py),
    # never on public sale; whether it goes back to the channel is the organizer's decision.
    Check(
        "held_back_seat_on_public_sale",
        lambda: Seat.objects.filter(status=SeatStatus.AVAILABLE, held_back__isnull=False),
    ),
    Check(
        "held_back_seat_of_other_performance",
        lambda: Seat.objects.filter(held_back__isnull=False).exclude(
            held_back__performance_id=F("performance_id")
        ),
    ),
    Check("order_total_differs_from_tickets", _orders_whose_total_disagrees),
    Check("order_differs_from_its_payment", _orders_whose_payment_disagrees),
    Check("payment_left_unsettled", _payments_left_unsettled),
]


def _ids(rows: QuerySet) -> list[int]:
    return list(rows.order_by("id").values_list("id", flat=True))


def totals_by_status() -> dict[int, dict[str, int]]:
    totals: dict[int, dict[str, int]] = {}
    rows = Seat.objects.values("performance_id", "status").annotate(n=Count("id"))
    for row in rows.order_by("performance_id", "status"):
        totals.setdefault(row["performance_id"], {})[row["status"]] = row["n"]
    return totals


def expired_holds_marked_reserved() -> int:
    """Not an inconsistency (expiry is lazy; every read sees these seats as available):
    rows the sweeper has not tidied yet."""
    return Seat.objects.filter(status=SeatStatus.RESERVED, hold_expires_at__lte=DbNow()).count()


def audit(*, fix: bool = False) -> dict:
    """Run every check; with `fix`, mend what can be mended and check again."""
    report: dict = {
        "totals_by_status": totals_by_status(),
        "expired_holds_marked_reserved": expired_holds_marked_reserved(),
        "inconsistencies": {},
        "fixed": {},
    }
    if fix:
        freed = 0
        while batch := release_expired_holds():
            freed += len(batch)
        report["fixed"]["expired_holds_released"] = freed
        for check in CHECKS:
            if check.fix is None:
                continue
            with transaction.atomic():
                ids = _ids(check.rows())
                if ids:
                    model = check.rows().model
                    report["fixed"][check.name] = check.fix(model.objects.filter(pk__in=ids))
    for check in CHECKS:
        ids = _ids(check.rows())
        if ids:
            report["inconsistencies"][check.name] = {"count": len(ids), "ids": ids[:SAMPLE_SIZE]}
    report["inconsistency_count"] = sum(i["count"] for i in report["inconsistencies"].values())
    return report


def cheap_inconsistency_count() -> int:
    """The seat-level checks that matter most, in one aggregate query (for the metrics gauge
    at every scrape); `audit()` runs every check."""
    counts = Seat.objects.aggregate(
        fields=Count("id", filter=Q(id__in=_seats_with_fields_not_matching_status().values("id"))),
        sold_without_ticket=Count("id", filter=Q(status=SeatStatus.SOLD) & ~Q(ticket__valid=True)),
        reserved_by_paid_hold=Count(
            "id", filter=Q(status=SeatStatus.RESERVED, hold__order__isnull=False)
        ),
    )
    return sum(counts.values())
