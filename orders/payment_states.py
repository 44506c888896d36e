"""The payment attempt's state machine: the only code that writes orders_paymentattempt.

An attempt is opened pending (open_attempt) and then moves only along TRANSITIONS, through
move_attempt, which checks the move against the table, writes it with one fixed statement and
only if the row is still in the state the caller read (the same status and the same try), and
refuses anything else with IllegalPaymentTransition. postpone_recovery is the one other write:
it changes no status, it only tells the sweeper to leave the attempt alone a while longer.

    pending   -> paid        approved, and the hold still had the seats: its order is made
    pending   -> declined    the provider declined
    pending   -> refunding   approved, but the hold lost or changed its seats meanwhile
    pending   -> voided      cut short before the provider took a charge (cancelled key)
    refunding -> refunded    the provider refunded it
    declined, voided, refunded -> pending   the same key tries again: a new try, own charge key
    paid: final

Every caller holds the attempt's row lock (or its hold's, under which it is read) when it moves
it; the condition on status and try in the statement is the guard should one not.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from core.dbtime import now_sql
from core.sql import as_datetime, as_param, fetch_one
from orders.models import PaymentAttempt, PaymentStatus, RefundReason
from orders.selectors import ATTEMPT_COLUMNS, payment_attempt_of_row

S = PaymentStatus
TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.PAID, S.DECLINED, S.REFUNDING, S.VOIDED}),
    S.REFUNDING: frozenset({S.REFUNDED}),
    S.DECLINED: frozenset({S.PENDING}),
    S.VOIDED: frozenset({S.PENDING}),
    S.REFUNDED: frozenset({S.PENDING}),
    S.PAID: frozenset(),
}
# Ended without money kept: the same key may try again while the hold has seats.
RETRIABLE = frozenset(status for status, targets in TRANSITIONS.items() if S.PENDING in targets)


class IllegalPaymentTransition(Exception):
    """A move the table does not allow, or of an attempt moved meanwhile: a bug, never a
    buyer's error, so it is not a DomainError (the API answers 500 and logs it)."""

    def __init__(self, attempt: PaymentAttempt, to: PaymentStatus, why: str):
        super().__init__(
            f"payment attempt {attempt.pk} (try {attempt.tries}) cannot move from "
            f"{attempt.status} to {to}: {why}"
        )


@dataclass(frozen=True)
class Terms:
    """What a try charges, and for whom: the order a paid try becomes is made from these."""

    order_token_hash: str
    name: str
    email: str
    phone: str
    amount: Decimal
    currency: str
    seat_count: int
    language: str = "en"


def open_attempt(
    *, hold_id: int, idempotency_key: str, terms: Terms, now: datetime
) -> PaymentAttempt:
    """A new attempt, pending at its first try, recorded before the provider hears of it."""
    row = fetch_one(
        f"""INSERT INTO orders_paymentattempt (hold_id, idempotency_key, order_token_hash, name,
             email, phone, language, amount, currency, seat_count, status, tries,
             provider_reference, refund_reference, refund_reason, created_at, updated_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, '', '', '', %s, %s)
           RETURNING {ATTEMPT_COLUMNS}""",
        [
            hold_id, idempotency_key, terms.order_token_hash, terms.name, terms.email,
            terms.phone, terms.language, terms.amount, terms.currency, terms.seat_count,
            S.PENDING, as_param(now), as_param(now),
        ],
    )  # fmt: skip
    return payment_attempt_of_row(row)


# Every column a move may change, always all of them, from the attempt as moved: the statement
# is the same text for every move, and no caller's word reaches it but as a parameter.
_MOVED_COLUMNS = (
    "status", "tries", "order_token_hash", "name", "email", "phone", "amount", "currency",
    "seat_count", "language", "provider_reference", "refund_reference", "refund_reason",
    "order_id",
)  # fmt: skip
_MOVE = """UPDATE orders_paymentattempt SET status = %s, tries = %s, order_token_hash = %s,
    name = %s, email = %s, phone = %s, amount = %s, currency = %s, seat_count = %s,
    language = %s,
    provider_reference = %s, refund_reference = %s, refund_reason = %s, order_id = %s,
    updated_at = {now}
  WHERE id = %s AND status = %s AND tries = %s RETURNING updated_at"""


def move_attempt(
    attempt: PaymentAttempt,
    to: PaymentStatus,
    *,
    provider_reference: str | None = None,
    refund_reference: str | None = None,
    refund_reason: RefundReason | None = None,
    order_id: int | None = None,
    terms: Terms | None = None,
) -> PaymentAttempt:
    """Move an attempt to another status, with what that status records (the provider's
    reference of the charge, the refund's reference and reason, the order), and the attempt
    object with it. Moving to pending starts a new try on new terms and clears what the last
    try recorded. Raises IllegalPaymentTransition for a move TRANSITIONS does not allow."""
    if to not in TRANSITIONS[PaymentStatus(attempt.status)]:
        raise IllegalPaymentTransition(attempt, to, "not in the transitions table")
    if (to == S.PENDING) != (terms is not None):
        raise IllegalPaymentTransition(attempt, to, "new terms come with a new try, and only then")
    changes: dict = {"status": to}
    if terms is not None:
        changes |= asdict(terms) | {"tries": attempt.tries + 1}
        changes |= {"provider_reference": "", "refund_reference": "", "refund_reason": ""}
    given = {
        "provider_reference": provider_reference,
        "refund_reference": refund_reference,
        "refund_reason": refund_reason,
        "order_id": order_id,
    }
    changes |= {column: value for column, value in given.items() if value is not None}
    new = {column: changes.get(column, getattr(attempt, column)) for column in _MOVED_COLUMNS}
    row = fetch_one(
        _MOVE.format(now=now_sql()),
        [*new.values(), attempt.pk, attempt.status, attempt.tries],
    )
    if row is None:
        raise IllegalPaymentTransition(attempt, to, "the attempt was moved meanwhile")
    for column, value in {**new, "updated_at": as_datetime(row[0])}.items():
        setattr(attempt, column, value)
    return attempt


def postpone_recovery(attempt: PaymentAttempt) -> PaymentAttempt:
    """Leave the attempt to whoever works on it now (a buyer who resumed it, a refund that
    failed and waits): the sweeper settles only attempts unchanged for
    SANDALI_PAYMENT_RECOVERY_SECONDS, and takes the longest unchanged first."""
    row = fetch_one(
        f"""UPDATE orders_paymentattempt SET updated_at = {now_sql()} WHERE id = %s
            RETURNING updated_at""",
        [attempt.pk],
    )
    attempt.updated_at = as_datetime(row[0])
    return attempt
