"""Drafts and publication: a performance is shown to buyers only from its `published_at` on
(catalog/selectors.py `published`, the one rule every buyer's read and a new hold apply).

Publishing checks that there is something to sell, and that every seat can be priced, in
the transaction that sets the time: it locks the performance's row first, so that a layout
filled at the same moment (catalog/layout_copies.py locks the same row) is either all seen or
not begun.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from catalog.errors import NothingToSell, PerformanceNotFound, UnpricedSeats
from catalog.models import Performance, Seat, SeatStatus, SectionTicketType
from core.dbtime import DbNow, db_now

# How many unpriced seats the refusal names (the count says how many there are in all).
NAMED_SEATS = 10


def publish_performance(*, performance_id: int, at: datetime | None = None) -> datetime:
    """Publish the performance now (`at` None or past: the database's clock) or for a later
    moment; returns when buyers see it. A performance buyers already see keeps the moment it
    was published: publishing again never hides it. NothingToSell if no seat or standing
    place is for sale (none, or all blocked); UnpricedSeats if a seat's ticket type has no
    price in its section."""
    with transaction.atomic():
        performance = Performance.objects.select_for_update().filter(pk=performance_id).first()
        if performance is None:
            raise PerformanceNotFound()
        check_publishable(performance_id=performance_id)
        now = db_now()
        if performance.published_at is not None and performance.published_at <= now:
            return performance.published_at
        published = Performance.objects.filter(pk=performance_id)
        if at is not None and at >= now:
            published.update(published_at=at)
            return at
        # "Now" written by the database's own clock expression: a moment read into Python and
        # written back may sort after the clock's text on SQLite (microseconds against its
        # milliseconds), hiding the performance for the rest of that millisecond.
        published.update(published_at=DbNow())
        return published.values_list("published_at", flat=True).get()


def check_publishable(*, performance_id: int) -> None:
    """The refusals of publish_performance, for a confirmation page to show before asking."""
    seats = Seat.objects.filter(performance_id=performance_id)
    if not seats.exclude(status=SeatStatus.BLOCKED).exists():
        raise NothingToSell()
    priced = SectionTicketType.objects.filter(
        section_id=OuterRef("section_id"), ticket_type_id=OuterRef("ticket_type_id")
    )
    unpriced = seats.filter(~Exists(priced))
    count = unpriced.count()
    if count:
        named = unpriced.select_related("section").order_by("section__position", "row", "number")
        raise UnpricedSeats(count=count, seats=[str(seat) for seat in named[:NAMED_SEATS]])


def is_published(performance: Performance, *, now: datetime) -> bool:
    return performance.published_at is not None and performance.published_at <= now
