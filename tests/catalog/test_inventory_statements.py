"""The inventory runs the statements its builders return (take_statement, release_statement,
sell_statement): one text per seat write, which the benchmark's bare client sends too
(tests/bench/test_limit_client.py)."""

import pytest
from django.db import connection

from catalog import inventory
from core.sql import as_param
from orders.checkout import checkout
from orders.models import Order
from reservations.services import hold_seats, release_hold
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def executed(monkeypatch) -> list[tuple[str, list]]:
    """Every statement the inventory runs, with its parameters."""
    statements = []

    def recording(sql, params=()):
        statements.append((sql, list(params)))
        return real(sql, params)

    real = inventory.fetch_all
    monkeypatch.setattr(inventory, "fetch_all", recording)
    return statements


def as_sent(statement: inventory.Statement) -> tuple[str, list]:
    return statement.sql, statement.params


def test_holding_selling_and_releasing_run_the_builders_statements(performance, executed):
    ids = seat_ids(performance)
    paid = hold_seats(performance_id=performance.pk, seat_ids=ids[:2])
    checkout(hold_id=paid.hold.pk, token=paid.token, idempotency_key="k", name="A", email="a@b.c")
    released = hold_seats(performance_id=performance.pk, seat_ids=ids[2:5])
    release_hold(hold_id=released.hold.pk, token=released.token)

    for held, seats in ((paid, ids[:2]), (released, ids[2:5])):
        take = inventory.take_statement(
            hold_id=held.hold.pk,
            performance_id=performance.pk,
            seat_ids=seats,
            expires_at=as_param(held.hold.expires_at),
            now=as_param(held.hold.created_at),  # a hold is made at the "now" it takes with
            vendor=connection.vendor,
        )
        assert as_sent(take) in executed
    tickets = Order.objects.get().tickets.all()
    sell = inventory.sell_statement(
        hold_id=paid.hold.pk, ticket_of_seat={t.seat_id: t.pk for t in tickets}
    )
    assert as_sent(sell) in executed
    assert as_sent(inventory.release_statement(hold_id=released.hold.pk)) in executed


def test_the_builders_need_no_connection_to_build_for_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")  # whatever Django is connected to
    take = inventory.take_statement(
        hold_id=1, performance_id=2, seat_ids=[3, 4], expires_at="e", now="n", vendor="postgresql"
    )
    assert "FOR UPDATE SKIP LOCKED" in take.sql
    assert take.sql.count("%s") == len(take.params) == 6
    assert take.params == [1, "e", 3, 4, 2, "n"]
