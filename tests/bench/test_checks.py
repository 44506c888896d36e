"""The checks the benchmark and the fault test run inside Django once the load is over
(python -m bench.integrity, python -m bench.fault_checks) read a consistent database as clean
and miss nothing acknowledged."""

import json

import pytest

from bench.fault_checks import fault_checks
from bench.integrity import integrity
from orders.checkout import checkout
from reservations.services import hold_seats
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


def acknowledged(holds: dict, orders: dict) -> dict:
    """What bench/faults.py sends the checks: its records, through JSON."""
    return json.loads(json.dumps({"holds": list(holds), "orders": orders}))


def test_integrity_reads_a_consistent_database_as_clean(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    checkout(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@example.org"
    )
    assert integrity() == {"double_sold": 0, "inconsistencies": 0}


def test_fault_checks_find_every_acknowledged_hold_and_order(performance):
    ids = seat_ids(performance)
    paid = hold_seats(performance_id=performance.pk, seat_ids=[ids[3], ids[1]])
    kept = hold_seats(performance_id=performance.pk, seat_ids=[ids[5]])
    order = checkout(
        hold_id=paid.hold.pk, token=paid.token, idempotency_key="k", name="A", email="a@example.org"
    ).order
    result = fault_checks(
        acknowledged(
            {paid.hold.pk: [ids[1], ids[3]], kept.hold.pk: [ids[5]]},
            {order.pk: (paid.hold.pk, [ids[1], ids[3]])},
        )
    )
    assert result["lost_acknowledgements"] == 0
    assert result["double_sold"] == result["inconsistencies"] == 0
    assert result["charged_without_tickets"] == result["tickets_without_charge"] == 0
    assert result["unsettled_payments"] == 0
    assert (result["orders"], result["charges"]) == (1, 1)


def test_fault_checks_count_acknowledgements_the_database_lost(performance):
    ids = seat_ids(performance)
    paid = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    order = checkout(
        hold_id=paid.hold.pk, token=paid.token, idempotency_key="k", name="A", email="a@example.org"
    ).order
    result = fault_checks(
        acknowledged({999999: [ids[9]]}, {order.pk: (paid.hold.pk, [ids[0], ids[2]])})
    )
    assert result["lost_acknowledgements"] == 2
    assert result["lost_holds"] == [999999]
    assert result["lost_orders"] == [str(order.pk)]
