from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import PLACE_ROW
from catalog.seat_flags import WHEELCHAIR
from catalog.selectors import money
from core.dbtime import db_now
from core.sql import as_datetime, fetch_all, fetch_one, lock
from core.tokens import derived_token, token_matches
from orders.errors import OrderNotFound
from orders.models import Order, PaymentAttempt, Ticket
from reservations.selectors import HoldSummary, owned_hold, summarize_hold


def owned_order(*, order_id: int, token: str | None) -> Order:
    order = Order.objects.select_related("performance__event").filter(pk=order_id).first()
    if order is None or not token_matches(token, order.token_hash):
        raise OrderNotFound()
    return order


def order_by_id(*, order_id: int) -> Order:
    """An order for a caller that has already checked access (a ticket link)."""
    order = Order.objects.select_related("performance__event").filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_token(*, hold_token: str | None, idempotency_key: str) -> str:
    """The token of the order that a checkout of a hold with this key makes: computed again
    only by whoever has the hold token and the key, so a repeated checkout gets the same token
    back while only its hash is stored."""
    return derived_token(f"{hold_token}:{idempotency_key}", purpose="order")


def latest_order_id(*, order_ids: list[int], performance_id: int) -> int | None:
    """The newest of these orders that is for the performance."""
    return (
        Order.objects.filter(pk__in=order_ids, performance_id=performance_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


@dataclass(frozen=True)
class TicketView:
    code: str
    seat_id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal
    valid: bool
    wheelchair: bool = False  # the seat is a wheelchair space: the order page and PDF say so

    @property
    def standing(self) -> bool:
        """A place of a standing area: the ticket names the area, not a row and seat."""
        return self.row == PLACE_ROW

    @classmethod
    def of(cls, ticket: Ticket, seat) -> "TicketView":
        """A ticket just made for a held seat (catalog.selectors.PricedSeat)."""
        return cls(
            ticket.code, seat.id, seat.section, seat.row, seat.number, seat.ticket_type,
            ticket.price, ticket.valid,
        )  # fmt: skip


def order_tickets(*, order: Order) -> list[TicketView]:
    tickets = order.tickets.select_related("seat__section", "ticket_type").order_by("seat_id")
    return [
        TicketView(
            t.code,
            t.seat_id,
            t.seat.section.name,
            t.seat.row,
            t.seat.number,
            t.ticket_type.name,
            t.price,
            t.valid,
            bool(t.seat.flag_bits & WHEELCHAIR),
        )  # fmt: skip
        for t in tickets
    ]


ATTEMPT_COLUMNS = """id, hold_id, idempotency_key, order_token_hash, name, email, phone, language,
    amount, currency, seat_count, status, tries, provider_reference, refund_reference,
    refund_reason, order_id, created_at, updated_at"""


def payment_attempts(
    where: str,
    params: list,
    *,
    for_update: bool = False,
    limit: int | None = None,
    order_by: str = "id",
) -> list[PaymentAttempt]:
    """Payment attempts matching an SQL condition (checkout's hot path, so SQL)."""
    rows = fetch_all(
        f"SELECT {ATTEMPT_COLUMNS} FROM orders_paymentattempt WHERE {where} ORDER BY {order_by}"
        f" {f'LIMIT {int(limit)}' if limit else ''} {lock() if for_update else ''}",
        params,
    )
    return [payment_attempt_of_row(row) for row in rows]


ATTEMPT_FIELDS = [name.strip() for name in ATTEMPT_COLUMNS.split(",")]


def payment_attempt_of_row(row: tuple) -> PaymentAttempt:
    """A PaymentAttempt from a row of ATTEMPT_COLUMNS."""
    attempt = PaymentAttempt(**dict(zip(ATTEMPT_FIELDS, row, strict=True)))
    attempt.amount = money(attempt.amount)
    attempt.created_at = as_datetime(attempt.created_at)
    attempt.updated_at = as_datetime(attempt.updated_at)
    return attempt


def order_of_hold(*, hold_id: int) -> tuple[int, str] | None:
    """(order id, idempotency key) of the order this hold became, if it did. Read it after
    locking the hold: under READ COMMITTED a row read before a lock wait may be stale."""
    row = fetch_one("SELECT id, idempotency_key FROM orders_order WHERE hold_id = %s", [hold_id])
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class BuyerHold:
    """The hold as its buyer sees it, on the API and on the pages alike: its live seats and
    total (none once expired), and the order it became, if it did."""

    summary: HoldSummary
    order: tuple[int, str] | None

    @property
    def gone(self) -> bool:
        """Expired without becoming an order: nothing left to show or to buy."""
        return self.summary.expired and self.order is None


def buyer_hold(*, hold_id: int, token: str | None, now: datetime | None = None) -> BuyerHold:
    hold = owned_hold(hold_id=hold_id, token=token)
    summary = summarize_hold(hold=hold, now=now or db_now())
    order = order_of_hold(hold_id=hold.pk) if hold.checked_out else None
    return BuyerHold(summary=summary, order=order)
