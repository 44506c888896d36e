"""Two-phase payments: a checkout cut short at any point ends as an order, a refund or a void,
never as a buyer charged without tickets or tickets without a charge.

A process killed mid-checkout is imitated by a BaseException raised at the point of death: it
is not caught by the service (as nothing runs after SIGKILL), and everything the process
committed before it stays. The real SIGKILL test is bench/tests/test_faults.py."""

from decimal import Decimal

import pytest

from catalog.models import Seat, SeatStatus
from core.tokens import hash_token
from ops.audit import audit
from orders import checkout as checkout_module
from orders.checkout import checkout
from orders.errors import PaymentInProgress, PaymentRefunded, PaymentUnavailable
from orders.models import Order, PaymentAttempt, PaymentStatus, RefundReason
from orders.recovery import recover_payments
from orders.settlement import finish_refund, settle_payment
from payments.models import Charge
from payments.providers import TestPaymentProvider
from reservations.errors import AlreadyCheckedOut, HoldExpired
from reservations.services import add_seats, hold_seats, release_hold
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process died here."""


@pytest.fixture(autouse=True)
def recover_at_once(settings):
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0


def pay(held, key="key-1", **fields):
    fields = {"name": "Ava", "email": "ava@example.org", **fields}
    return checkout(hold_id=held.hold.pk, token=held.token, idempotency_key=key, **fields)


def die_after_approval(monkeypatch):
    """The provider approves and records the charge; the process dies before settling it."""

    def killed(**kwargs):
        raise Killed()

    monkeypatch.setattr(checkout_module, "settle_payment", killed)
    return lambda: monkeypatch.undo()


def die_before_the_provider(monkeypatch):
    def killed(self, **kwargs):
        raise Killed()

    monkeypatch.setattr(TestPaymentProvider, "charge", killed)
    return lambda: monkeypatch.undo()


@pytest.fixture
def held(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])


def the_attempt() -> PaymentAttempt:
    return PaymentAttempt.objects.get()


def test_the_attempt_is_recorded_before_the_provider_is_asked(held, monkeypatch):
    seen = []
    charge = TestPaymentProvider.charge

    def looking(self, **kwargs):
        seen.append(list(PaymentAttempt.objects.values_list("status", "amount")))
        return charge(self, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "charge", looking)
    order = pay(held).order
    assert seen == [[("pending", Decimal("40.00"))]]
    attempt = the_attempt()
    assert (attempt.status, attempt.order_id) == (PaymentStatus.PAID, order.pk)
    assert attempt.provider_reference == order.payment_reference == Charge.objects.get().reference


def test_a_death_after_approval_is_finished_by_the_same_request_again(held, monkeypatch):
    revive = die_after_approval(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    assert the_attempt().status == PaymentStatus.PENDING
    assert Charge.objects.get().approved and not Order.objects.exists()
    revive()
    result = pay(held)
    assert result.created and Order.objects.count() == 1
    assert Charge.objects.count() == 1  # resumed with the first charge, not charged again
    assert result.order.payment_reference == Charge.objects.get().reference
    assert set(
        Seat.objects.filter(ticket__order=result.order).values_list("status", flat=True)
    ) == {SeatStatus.SOLD}


def test_a_death_after_approval_is_finished_by_the_sweeper(held, monkeypatch):
    revive = die_after_approval(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    assert recover_payments.call() == {"paid": 1}
    order = Order.objects.get()
    assert order.tickets.count() == 2 and order.payment_reference == Charge.objects.get().reference
    # The buyer, back with the same key, gets the order the sweeper made, with their token.
    again = pay(held)
    assert (again.order.pk, again.created) == (order.pk, False)
    assert order.token_hash == hash_token(again.token)
    assert audit()["inconsistency_count"] == 0


def test_a_payment_approved_after_the_hold_expired_is_refunded(held, monkeypatch):
    revive = die_after_approval(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    expire_hold(held.hold)
    assert recover_payments.call() == {"refunded": 1}
    attempt, charge = the_attempt(), Charge.objects.get()
    assert (attempt.refund_reason, attempt.refund_reference) == (
        RefundReason.HOLD_EXPIRED,
        charge.refund_reference,
    )
    assert charge.refund_reference.startswith("test-refund-")
    assert not Order.objects.exists() and not Seat.objects.filter(status=SeatStatus.SOLD).exists()
    with pytest.raises(PaymentRefunded):  # the buyer is told, and charged nothing more
        pay(held)
    assert Charge.objects.count() == 1


def test_seats_lost_while_the_provider_answers_are_refunded_at_once(held, monkeypatch):
    charge = TestPaymentProvider.charge

    def buyer_releases_meanwhile(self, **kwargs):
        result = charge(self, **kwargs)
        release_hold(hold_id=held.hold.pk, token=held.token)
        return result

    monkeypatch.setattr(TestPaymentProvider, "charge", buyer_releases_meanwhile)
    with pytest.raises(PaymentRefunded):
        pay(held)
    assert the_attempt().status == PaymentStatus.REFUNDED
    assert Charge.objects.get().refund_reference
    assert not Order.objects.exists()


def test_seats_added_while_paying_are_not_sold_for_the_old_amount(held, performance, monkeypatch):
    charge = TestPaymentProvider.charge

    def buyer_adds_meanwhile(self, **kwargs):
        result = charge(self, **kwargs)
        add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=seat_ids(performance)[2:3])
        return result

    monkeypatch.setattr(TestPaymentProvider, "charge", buyer_adds_meanwhile)
    with pytest.raises(PaymentRefunded):
        pay(held)
    assert the_attempt().refund_reason == RefundReason.HOLD_CHANGED
    monkeypatch.undo()
    # The seats are still held: the same key tries again, for the three seats held now.
    order = pay(held).order
    assert order.tickets.count() == 3 and the_attempt().tries == 2
    charges = Charge.objects.filter(approved=True).order_by("id")
    assert [bool(c.refund_reference) for c in charges] == [True, False]
    assert order.payment_reference == charges[1].reference


def test_a_death_before_the_provider_is_voided_and_may_start_again(held, monkeypatch):
    revive = die_before_the_provider(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    assert recover_payments.call() == {"voided": 1}
    assert not Charge.objects.filter(approved=True).exists()
    assert pay(held).created
    assert the_attempt().tries == 2 and Charge.objects.filter(approved=True).count() == 1


def test_a_charge_sent_after_its_void_is_refused_and_the_key_starts_again(held, monkeypatch):
    """The sweeper gave up on a slow request and cancelled its charge key; the charge that
    request sends afterwards is refused, so no money arrives for a void attempt."""
    charge = TestPaymentProvider.charge

    def slow(self, **kwargs):
        recover_payments.call()  # meanwhile, the sweeper gives up on the attempt
        return charge(self, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "charge", slow)
    with pytest.raises(PaymentUnavailable):
        pay(held)
    assert the_attempt().status == PaymentStatus.VOIDED
    assert not Charge.objects.filter(approved=True).exists()
    monkeypatch.undo()
    assert pay(held).created and Charge.objects.filter(approved=True).count() == 1


def test_a_new_try_after_a_void_charges_for_the_seats_held_then(held, performance, monkeypatch):
    revive = die_before_the_provider(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    recover_payments.call()
    add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=seat_ids(performance)[2:3])
    order = pay(held).order
    charge = Charge.objects.get(approved=True)
    assert order.tickets.count() == 3 and order.total == charge.amount == Decimal("60.00")


def test_a_payment_resumed_after_its_hold_expired_charges_nothing(held, monkeypatch):
    revive = die_before_the_provider(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    expire_hold(held.hold)
    with pytest.raises(HoldExpired):
        pay(held)
    assert the_attempt().status == PaymentStatus.VOIDED
    assert not Charge.objects.filter(approved=True).exists()


def test_a_provider_failure_is_a_503_and_the_same_key_finishes_later(held, monkeypatch):
    def down(self, **kwargs):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr(TestPaymentProvider, "charge", down)
    with pytest.raises(PaymentUnavailable):
        pay(held)
    assert the_attempt().status == PaymentStatus.PENDING
    monkeypatch.undo()
    assert pay(held).created


def test_another_key_waits_while_a_payment_is_under_way(held, monkeypatch):
    revive = die_after_approval(monkeypatch)
    with pytest.raises(Killed):
        pay(held, key="first")
    revive()
    with pytest.raises(PaymentInProgress):
        pay(held, key="second")
    recover_payments.call()
    with pytest.raises(AlreadyCheckedOut):
        pay(held, key="second")
    assert Charge.objects.count() == 1


def test_recovering_twice_or_settling_a_settled_attempt_changes_nothing(held, monkeypatch):
    revive = die_after_approval(monkeypatch)
    with pytest.raises(Killed):
        pay(held)
    revive()
    assert recover_payments.call() == {"paid": 1}
    assert recover_payments.call() == {}
    attempt = the_attempt()
    result = TestPaymentProvider().cancel(idempotency_key=attempt.provider_key)
    settled = settle_payment(attempt=attempt, result=result)
    assert settled.order is None and settled.attempt.status == PaymentStatus.PAID
    assert Order.objects.count() == 1


def test_a_refund_cut_short_is_finished_by_the_sweeper_once(held, monkeypatch):
    expire_hold(held.hold)
    attempt = PaymentAttempt.objects.create(
        hold_id=held.hold.pk, idempotency_key="k", order_token_hash="x", name="Ava",
        email="ava@example.org", amount="40.00", currency="EUR", seat_count=2,
        status=PaymentStatus.PENDING, created_at=held.hold.created_at,
        updated_at=held.hold.created_at,
    )  # fmt: skip
    TestPaymentProvider().charge(
        amount=attempt.amount, currency="EUR", idempotency_key=attempt.provider_key,
        payment_token="",
    )  # fmt: skip

    def refund_dies(self, **kwargs):
        raise Killed()

    monkeypatch.setattr(TestPaymentProvider, "refund", refund_dies)
    with pytest.raises(Killed):
        recover_payments.call()
    assert the_attempt().status == PaymentStatus.REFUNDING
    monkeypatch.undo()
    refunds = []
    refund = TestPaymentProvider.refund

    def counted(self, **kwargs):
        refunds.append(kwargs["reference"])
        return refund(self, **kwargs)

    monkeypatch.setattr(TestPaymentProvider, "refund", counted)
    assert recover_payments.call() == {"refunded": 1}
    assert recover_payments.call() == {}
    assert refunds == [Charge.objects.get().reference]
    assert the_attempt().refund_reference == Charge.objects.get().refund_reference


def test_a_stale_copy_of_an_earlier_try_never_records_its_refund_on_the_next(
    held, performance, monkeypatch
):
    """A sweeper holding a copy of try 1 (refunding) must not mark try 2 refunded with try 1's
    refund while try 2's own charge is still to be refunded."""
    charge = TestPaymentProvider.charge

    def buyer_adds_meanwhile(self, **kwargs):
        result = charge(self, **kwargs)
        add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[next(free)])
        return result

    def refund_fails(self, **kwargs):
        raise ConnectionError("provider unreachable")

    free = iter(seat_ids(performance)[2:])
    monkeypatch.setattr(TestPaymentProvider, "charge", buyer_adds_meanwhile)
    monkeypatch.setattr(TestPaymentProvider, "refund", refund_fails)
    with pytest.raises(PaymentRefunded):
        pay(held)  # try 1: refunding, its refund failed
    stale_copy = the_attempt()
    monkeypatch.undo()
    monkeypatch.setattr(TestPaymentProvider, "charge", buyer_adds_meanwhile)
    finish_refund(the_attempt())  # another sweeper finishes try 1
    monkeypatch.setattr(TestPaymentProvider, "refund", refund_fails)
    with pytest.raises(PaymentRefunded):
        pay(held)  # try 2: charged, seats changed again, its refund failed too
    monkeypatch.undo()
    assert finish_refund(stale_copy).status == PaymentStatus.REFUNDED
    first, second = Charge.objects.filter(approved=True).order_by("id")
    attempt = the_attempt()
    assert (attempt.tries, attempt.provider_reference) == (2, second.reference)
    assert first.refund_reference and second.refund_reference
    assert attempt.refund_reference == second.refund_reference
