"""The payment attempt's state machine (orders/payment_states.py): the table's moves are the
only ones move_attempt makes, and no other product code writes an attempt's status."""

import ast
import re
from datetime import timedelta
from decimal import Decimal
from itertools import product
from pathlib import Path

import pytest
from django.contrib import admin

from orders.models import Order, PaymentAttempt, PaymentStatus, RefundReason
from orders.payment_states import (
    TRANSITIONS,
    IllegalPaymentTransition,
    Terms,
    move_attempt,
    postpone_recovery,
)
from reservations.services import hold_seats
from tests.factories import seat_ids

S = PaymentStatus
ALL_PAIRS = list(product(S, S))
ALLOWED = {(start, to) for start, targets in TRANSITIONS.items() for to in targets}


@pytest.fixture
def hold(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2]).hold


def an_order(hold) -> Order:
    return Order.objects.create(
        performance_id=hold.performance_id, hold_id=hold.pk, idempotency_key="k", token_hash="x",
        name="Ava", email="ava@example.org", total="40.00", currency="EUR",
        payment_reference="ref-1", created_at=hold.created_at,
    )  # fmt: skip


def an_attempt(hold, status: PaymentStatus) -> PaymentAttempt:
    """An attempt in the given status, written as it would stand there (a test may write it),
    last moved a minute ago."""
    refunded = status in (S.REFUNDING, S.REFUNDED)
    return PaymentAttempt.objects.create(
        hold_id=hold.pk, idempotency_key="k", order_token_hash="x", name="Ava",
        email="ava@example.org",
        amount="40.00", currency="EUR", seat_count=2, status=status,
        provider_reference="ref-1" if status != S.PENDING else "",
        refund_reason=RefundReason.HOLD_EXPIRED if refunded else "",
        refund_reference="refund-1" if status == S.REFUNDED else "",
        order=an_order(hold) if status == S.PAID else None,
        created_at=a_minute_before(hold), updated_at=a_minute_before(hold),
    )  # fmt: skip


def a_minute_before(hold):
    return hold.created_at - timedelta(minutes=1)


def what_a_move_to(to: PaymentStatus, attempt: PaymentAttempt) -> dict:
    """What a caller gives move_attempt to go to this status."""
    if to == S.PENDING:
        return {"terms": Terms("y", "Bo", "bo@example.org", "", Decimal("60.00"), "EUR", 3)}
    if to == S.PAID:
        order_id = attempt.order_id or an_order(attempt.hold).pk
        return {"provider_reference": "ref-2", "order_id": order_id}
    if to == S.REFUNDING:
        return {"provider_reference": "ref-2", "refund_reason": RefundReason.HOLD_CHANGED}
    if to == S.REFUNDED:
        return {"refund_reference": "refund-2"}
    if to == S.DECLINED:
        return {"provider_reference": "ref-2"}
    return {}


def test_the_table_names_every_status_and_only_statuses():
    assert set(TRANSITIONS) == set(S)
    assert all(targets <= set(S) for targets in TRANSITIONS.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_every_move_in_the_table_is_made_and_written(hold, start, to):
    attempt = an_attempt(hold, start)
    moved = move_attempt(attempt, to, **what_a_move_to(to, attempt))
    stored = PaymentAttempt.objects.get()
    assert moved.status == stored.status == to
    assert stored.updated_at > a_minute_before(hold) and moved.updated_at == stored.updated_at
    if to == S.PENDING:  # a new try: new terms, its own charge key, nothing of the last try
        assert (stored.tries, stored.amount, stored.seat_count, stored.name) == (
            2, Decimal("60.00"), 3, "Bo",
        )  # fmt: skip
        assert stored.provider_reference == stored.refund_reference == stored.refund_reason == ""
    else:
        assert stored.tries == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_every_move_not_in_the_table_is_refused_and_writes_nothing(hold, start, to):
    attempt = an_attempt(hold, start)
    before = PaymentAttempt.objects.values().get()
    with pytest.raises(IllegalPaymentTransition, match=f"from {start} to {to}"):
        move_attempt(attempt, to, **what_a_move_to(to, attempt))
    assert PaymentAttempt.objects.values().get() == before


@pytest.mark.django_db
def test_a_move_of_an_attempt_moved_meanwhile_is_refused(hold):
    attempt = an_attempt(hold, S.PENDING)
    stale = PaymentAttempt.objects.get()
    move_attempt(attempt, S.DECLINED, provider_reference="ref-2")
    with pytest.raises(IllegalPaymentTransition, match="moved meanwhile"):
        move_attempt(stale, S.VOIDED)
    assert PaymentAttempt.objects.get().status == S.DECLINED


@pytest.mark.django_db
def test_new_terms_come_only_with_a_new_try(hold):
    with pytest.raises(IllegalPaymentTransition, match="new terms"):
        move_attempt(an_attempt(hold, S.DECLINED), S.PENDING)
    assert PaymentAttempt.objects.get().status == S.DECLINED


@pytest.mark.django_db
def test_postponing_recovery_changes_only_when_the_attempt_last_moved(hold):
    attempt = an_attempt(hold, S.PENDING)
    before = PaymentAttempt.objects.values().get()
    postponed = postpone_recovery(attempt)
    after = PaymentAttempt.objects.values().get()
    assert after.pop("updated_at") > before.pop("updated_at")
    assert after == before and postponed.updated_at > a_minute_before(hold)


# Only these files of the product write an attempt's status: the state machine, and a data
# migration that recorded, once, the paid attempts of orders made before attempts existed.
WRITERS = {"orders/payment_states.py", "orders/migrations/0002_payment_attempts.py"}
ROOT = Path(__file__).resolve().parents[2]
# tests/ write attempts to set up cases; bench/limit.py is the bare-psycopg reference
# implementation the benchmark compares Sandali with, on purpose not Sandali's code.
NOT_PRODUCT = {"tests", "bench", "var", "node_modules"}

WRITE_SQL = re.compile(r"\b(UPDATE|INSERT\s+INTO)\s+\"?orders_paymentattempt\b", re.IGNORECASE)
ORM_WRITES = {"update", "create", "bulk_create", "bulk_update", "update_or_create", "get_or_create"}
AN_ATTEMPT = re.compile(r"attempt|\bpayment\b", re.IGNORECASE)  # PaymentAttempt, order.payment


def status_writes(source: str) -> list[int]:
    """Lines of the source that write a payment attempt's status, or may: SQL that updates
    or inserts orders_paymentattempt; an ORM create/update/save path that sets `status` on
    something named for an attempt, or to a PaymentStatus; `x.status = ...` likewise."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if WRITE_SQL.search(node.value):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and _call_writes_status(node):
            found.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_sets_an_attempts_status(t, node.value) for t in targets):
                found.append(node.lineno)
    return sorted(found)


def _sets_an_attempts_status(target: ast.AST, value: ast.AST | None) -> bool:
    """`x.status = v` where x is named for an attempt, or v is a PaymentStatus."""
    if not (isinstance(target, ast.Attribute) and target.attr == "status"):
        return False
    return AN_ATTEMPT.search(ast.unparse(target.value)) is not None or _names_payment_status(value)


def _names_payment_status(node: ast.AST | None) -> bool:
    return node is not None and "PaymentStatus" in ast.unparse(node)


def _call_writes_status(call: ast.Call) -> bool:
    keywords = {k.arg: k.value for k in call.keywords}
    func = call.func
    if isinstance(func, ast.Name) and func.id == "setattr" and len(call.args) >= 2:
        named_status = isinstance(call.args[1], ast.Constant) and call.args[1].value == "status"
        return named_status and (
            AN_ATTEMPT.search(ast.unparse(call.args[0])) is not None
            or _names_payment_status(call.args[2] if len(call.args) > 2 else None)
        )
    if ast.unparse(func).endswith("PaymentAttempt"):  # the model's constructor, then save()
        return "status" in keywords
    if not (isinstance(func, ast.Attribute) and func.attr in ORM_WRITES):
        return False
    sets_status = (
        "status" in keywords
        or None in keywords  # **changes: may hold status
        or "defaults" in keywords
        or "create_defaults" in keywords
        or any("'status'" in ast.unparse(arg) for arg in [*call.args, *keywords.values()])
    )
    on_an_attempt = AN_ATTEMPT.search(_receiver_names(func.value)) is not None
    return sets_status and (on_an_attempt or _names_payment_status(keywords.get("status")))


def _receiver_names(node: ast.AST) -> str:
    """The names along a call chain, without the calls' arguments: what the receiver is named
    for (`PaymentAttempt.objects.filter(pk=1)` is "PaymentAttempt.objects.filter"), not what
    it is filtered by (another model's `attempts` or `next_attempt_at`)."""
    names = []
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value
    return ".".join([ast.unparse(node), *reversed(names)])


def product_sources() -> dict[str, str]:
    sources = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_PRODUCT or relative.parts[0].startswith("."):
            continue
        sources[relative.as_posix()] = path.read_text()
    return sources


def test_no_product_module_but_the_state_machine_writes_an_attempts_status():
    sources = product_sources()
    assert "orders/checkout.py" in sources and "ops/admin/orders.py" in sources
    writes = {path: lines for path, src in sources.items() if (lines := status_writes(src))}
    assert set(writes) - WRITERS == set(), writes
    assert set(writes) == WRITERS  # each allowed writer still writes: the list is not stale


def test_the_admin_cannot_write_a_payment_attempt(rf, admin_user):
    model_admin = admin.site._registry[PaymentAttempt]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


FOUND = [
    'execute("UPDATE orders_paymentattempt SET status = %s WHERE id = %s", ["voided", 1])',
    'fetch_one(f"""INSERT INTO orders_paymentattempt (status) VALUES ({x})""")',
    'execute(f"update orders_paymentattempt set {columns} where id = %s", [1])',
    'PaymentAttempt.objects.filter(pk=1).update(status="voided")',
    "qs.update(status=PaymentStatus.VOIDED)",
    'PaymentAttempt.objects.create(hold=h, status="pending")',
    'PaymentAttempt(hold=h, status="pending").save()',
    'attempt.status = "voided"\nattempt.save()',
    "order.payment.status = PaymentStatus.REFUNDED",
    "row.status = PaymentStatus.PAID",
    'setattr(attempt, "status", "paid")',
    'PaymentAttempt.objects.update_or_create(pk=1, defaults={"status": "paid"})',
    'PaymentAttempt.objects.bulk_update(attempts, ["status"])',
    "PaymentAttempt.objects.filter(pk=1).update(**changes)",
]
NOT_FOUND = [
    "Order.objects.filter(pk=1).update(status=OrderStatus.CANCELLED)",
    "order.status = OrderStatus.CANCELLED",
    "PaymentAttempt.objects.filter(status=PaymentStatus.PENDING).count()",
    'fetch_all("SELECT status FROM orders_paymentattempt WHERE status = %s", ["paid"])',
    "Seat.objects.filter(pk=1).update(status=SeatStatus.AVAILABLE)",
    # A mail's tries (orders/outbox.py) are not a payment attempt's.
    "OrderMail.objects.filter(attempts=2, next_attempt_at__lte=now).update(status=MailStatus.SENT)",
]


@pytest.mark.parametrize("source", FOUND)
def test_the_scan_finds_each_way_of_writing_an_attempts_status(source):
    assert status_writes(source)


@pytest.mark.parametrize("source", NOT_FOUND)
def test_the_scan_leaves_reads_and_other_models_alone(source):
    assert status_writes(source) == []
