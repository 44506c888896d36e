"""A property test of the whole reservation core: random sequences of holds, additions,
releases, checkouts, checkouts cut short after the provider's approval (the process dies),
recoveries by the sweeper, cancellations, blocks and clock jumps by several buyers, compared
step by step with a simple model. The database never disagrees with the model and the audit
always reads zero."""

from collections import Counter
from unittest.mock import patch

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from catalog.models import Seat, SectionTicketType
from catalog.selectors import seat_map
from catalog.services import block_seats, unblock_seats
from core.errors import DomainError
from ops.audit import CHECKS, audit
from orders import checkout as order_checkout
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.errors import PaymentRefunded
from orders.models import Order, PaymentAttempt, PaymentStatus
from orders.recovery import recover_payments
from reservations.services import add_seats, hold_seats, release_hold, release_seat
from tests.factories import expire_hold, make_performance, seat_ids

MAX_SEATS = 4


class Killed(BaseException):
    """The process died here."""


def audit_statement() -> tuple[str, list]:
    """Every check of the audit (ops/audit.py CHECKS, the queries audit() runs for its
    inconsistency count) in one statement: one EXISTS each, true when the check finds a row.

    Why: the audit after every step was three quarters of this test's time, 20 statements a
    step, and on PostgreSQL each is a round trip and a plan (a step cost twice SQLite's). The
    checks' SQL is compiled once per example and the database still runs all of them after
    every step; teardown runs audit() itself once per example, so it is checked to agree."""
    parts, params = [], []
    for check in CHECKS:
        # As audit() reads a check (ops/audit.py _ids), not evaluated.
        rows = check.rows().order_by("id").values_list("id", flat=True)
        sql, check_params = rows.query.sql_with_params()
        parts.append(f"EXISTS ({sql})")
        params.extend(check_params)
    return "SELECT " + ", ".join(parts), params


class ReservationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.performance = make_performance(sections=1, rows=2, seats_per_row=4,
                                            max_seats_per_order=MAX_SEATS)  # fmt: skip
        self.seats = seat_ids(self.performance)
        self.audit_statement = audit_statement()
        # The model: seat -> ("available"|"blocked", None) | ("reserved", hold) | ("sold", order)
        self.model = dict.fromkeys(self.seats, ("available", None))
        self.holds = {}  # hold id -> (hold, token, expired)
        self.orders = []  # ids of paid orders, which can be cancelled
        self.all_orders = set()
        # Payments cut short after approval: hold id -> (seats, amount) charged for.
        self.pending = {}
        price = {
            (p.section_id, p.ticket_type_id): p.price
            for p in SectionTicketType.objects.filter(section__performance=self.performance)
        }
        self.price = {
            seat.id: price[seat.section_id, seat.ticket_type_id]
            for seat in Seat.objects.filter(performance=self.performance)
        }

    # --- helpers ----------------------------------------------------------------------
    def live_holds(self):
        return [h for h, (_hold, _token, expired) in self.holds.items() if not expired]

    def seats_of(self, hold_id):
        return [
            s
            for s, (status, owner) in self.model.items()
            if status == "reserved" and owner == hold_id
        ]

    def free(self, seat):
        return self.model[seat][0] == "available"

    def settlement(self, hold_id) -> str:
        """What settling the hold's payment cut short must do now: sell the seats if the hold
        still has as many, for the same amount, as were charged for; refund otherwise."""
        count, amount = self.pending[hold_id]
        seats = self.seats_of(hold_id)
        if self.holds[hold_id][2] or len(seats) != count:
            return "refunded"
        return "paid" if sum(self.price[s] for s in seats) == amount else "refunded"

    def settle_in_model(self, hold_id, outcome: str) -> None:
        del self.pending[hold_id]
        if outcome == "refunded":
            return
        order_id = Order.objects.get(hold_id=hold_id).pk
        self.orders.append(order_id)
        self.all_orders.add(order_id)
        for seat in self.seats_of(hold_id):
            self.model[seat] = ("sold", order_id)
        hold, token, _expired = self.holds[hold_id]
        self.holds[hold_id] = (hold, token, True)

    # --- rules ------------------------------------------------------------------------
    @rule(data=st.data())
    def hold(self, data):
        chosen = data.draw(
            st.lists(st.sampled_from(self.seats), min_size=1, max_size=MAX_SEATS, unique=True)
        )
        ok = all(self.free(s) for s in chosen)
        try:
            state = hold_seats(performance_id=self.performance.pk, seat_ids=chosen)
        except DomainError as error:
            assert not ok, f"hold of free seats refused: {error.code}"
            assert error.code == "seats_unavailable"
            return
        assert ok, "a seat that was not free was held"
        self.holds[state.hold.pk] = (state.hold, state.token, False)
        for seat in chosen:
            self.model[seat] = ("reserved", state.hold.pk)

    @precondition(lambda self: self.live_holds())
    @rule(data=st.data())
    def add(self, data):
        hold_id = data.draw(st.sampled_from(self.live_holds()))
        chosen = data.draw(
            st.lists(st.sampled_from(self.seats), min_size=1, max_size=2, unique=True)
        )
        held = set(self.seats_of(hold_id))
        new = [s for s in chosen if s not in held]
        ok = all(self.free(s) for s in new) and len(held) + len(new) <= MAX_SEATS
        try:
            add_seats(hold_id=hold_id, token=self.holds[hold_id][1], seat_ids=chosen)
        except DomainError as error:
            assert not ok, f"add refused: {error.code}"
            return
        assert ok
        for seat in new:
            self.model[seat] = ("reserved", hold_id)

    @precondition(lambda self: any(self.seats_of(h) for h in self.live_holds()))
    @rule(data=st.data())
    def release_one(self, data):
        hold_id = data.draw(st.sampled_from([h for h in self.live_holds() if self.seats_of(h)]))
        seat = data.draw(st.sampled_from(self.seats_of(hold_id)))
        release_seat(hold_id=hold_id, token=self.holds[hold_id][1], seat_id=seat)
        self.model[seat] = ("available", None)

    @precondition(lambda self: self.live_holds())
    @rule(data=st.data())
    def release_all(self, data):
        hold_id = data.draw(st.sampled_from(self.live_holds()))
        released = release_hold(hold_id=hold_id, token=self.holds[hold_id][1])
        assert released == len(self.seats_of(hold_id))
        for seat in self.seats_of(hold_id):
            self.model[seat] = ("available", None)

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def pay(self, data):
        hold_id = data.draw(st.sampled_from(sorted(self.holds)))
        hold, token, expired = self.holds[hold_id]
        if hold_id in self.pending:  # the same key again: it finishes the payment cut short
            seats = self.seats_of(hold_id)
            outcome = self.settlement(hold_id)
            try:
                result = checkout(hold_id=hold_id, token=token, idempotency_key=f"k{hold_id}",
                                  name="Ava", email="ava@example.org")  # fmt: skip
            except PaymentRefunded:
                assert outcome == "refunded"
            else:
                assert outcome == "paid" and result.created
                assert sorted(t.seat_id for t in result.tickets) == sorted(seats)
            self.settle_in_model(hold_id, outcome)
            return
        seats = self.seats_of(hold_id)
        ok = not expired and bool(seats)
        try:
            result = checkout(hold_id=hold_id, token=token, idempotency_key=f"k{hold_id}",
                              name="Ava", email="ava@example.org")  # fmt: skip
        except DomainError as error:
            assert not ok, f"checkout of a live hold refused: {error.code}"
            return
        if not result.created:  # a replay of the same key returns the same order
            assert result.order.pk in self.all_orders
            return
        assert ok, "an expired or empty hold was sold"
        self.orders.append(result.order.pk)
        self.all_orders.add(result.order.pk)
        for seat in seats:
            self.model[seat] = ("sold", result.order.pk)
        self.holds[hold_id] = (hold, token, True)  # a paid hold takes no more changes

    def payable(self):
        return [h for h in self.live_holds() if self.seats_of(h) and h not in self.pending]

    @precondition(lambda self: self.payable())
    @rule(data=st.data())
    def pay_cut_short(self, data):
        """The provider approves, and the process dies before the order is made."""
        hold_id = data.draw(st.sampled_from(self.payable()))
        _hold, token, _expired = self.holds[hold_id]
        with patch.object(order_checkout, "settle_payment", side_effect=Killed):
            try:
                checkout(hold_id=hold_id, token=token, idempotency_key=f"k{hold_id}",
                         name="Ava", email="ava@example.org")  # fmt: skip
            except Killed:
                pass
            else:
                raise AssertionError("the checkout was not cut short")
        seats = self.seats_of(hold_id)
        self.pending[hold_id] = (len(seats), sum(self.price[s] for s in seats))

    @precondition(lambda self: self.pending)
    @rule()
    def sweeper_recovers(self):
        expected = {hold_id: self.settlement(hold_id) for hold_id in self.pending}
        assert recover_payments.call() == dict(Counter(expected.values()))
        for hold_id, outcome in expected.items():
            self.settle_in_model(hold_id, outcome)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data):
        order_id = data.draw(st.sampled_from(self.orders))
        cancel_order(order_id=order_id)
        self.orders.remove(order_id)
        for seat, (status, owner) in self.model.items():
            if status == "sold" and owner == order_id:
                self.model[seat] = ("available", None)

    @rule(data=st.data())
    def block(self, data):
        seat = data.draw(st.sampled_from(self.seats))
        try:
            block_seats(performance_id=self.performance.pk, seat_ids=[seat])
        except DomainError:
            assert not self.free(seat)
            return
        assert self.free(seat)
        self.model[seat] = ("blocked", None)

    @precondition(lambda self: any(s == "blocked" for s, _ in self.model.values()))
    @rule(data=st.data())
    def unblock(self, data):
        seat = data.draw(
            st.sampled_from([s for s, (st_, _) in self.model.items() if st_ == "blocked"])
        )
        unblock_seats(performance_id=self.performance.pk, seat_ids=[seat])
        self.model[seat] = ("available", None)

    @precondition(lambda self: self.live_holds())
    @rule(data=st.data())
    def clock_jump(self, data):
        """Time passes for one hold: its expiry is now in the past."""
        hold_id = data.draw(st.sampled_from(self.live_holds()))
        hold, token, _ = self.holds[hold_id]
        expire_hold(hold)
        self.holds[hold_id] = (hold, token, True)
        for seat in self.seats_of(hold_id):
            self.model[seat] = ("available", None)

    def teardown(self):
        try:
            # The audit itself, once an example: it agrees with the statement of every step.
            assert audit()["inconsistency_count"] == 0
        finally:
            # The examples share one database: no payment cut short here may reach the next
            # example's sweeper (nor, while Hypothesis shrinks a failure, the next try's).
            PaymentAttempt.objects.filter(status=PaymentStatus.PENDING).update(
                status=PaymentStatus.VOIDED
            )

    # --- invariants -------------------------------------------------------------------
    @invariant()
    def database_agrees_with_the_model(self):
        seen = {row[0]: row[7] for row in seat_map(performance_id=self.performance.pk)}
        expected = {seat: status for seat, (status, _owner) in self.model.items()}
        assert seen == expected

    @invariant()
    def audit_reads_zero(self):
        with connection.cursor() as cursor:
            cursor.execute(*self.audit_statement)
            found = cursor.fetchone()
        assert [check.name for check, rows in zip(CHECKS, found, strict=True) if rows] == []


@pytest.mark.django_db
def test_the_reservation_core_agrees_with_a_simple_model(settings):  # noqa: F811 (pytest's)
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0  # the sweeper settles a payment cut short
    state_machine = ReservationMachine.TestCase
    state_machine.settings = hypothesis_settings(
        max_examples=50,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    state_machine().runTest()
