"""The migration that marks holds already checked out (orders 0003) on a database that has
orders from before the mark existed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)
# The catalog as it was then too: a column added to it since, with no default in the database,
# would refuse the rows the historical models write.
BEFORE = [
    ("orders", "0002_payment_attempts"),
    ("reservations", "0003_hold_checked_out"),
    ("catalog", "0003_venue_layouts"),
]
AFTER = [("orders", "0003_holds_checked_out")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_holds_that_became_orders_are_marked_checked_out_and_the_others_are_not():
    apps = migrate(BEFORE)
    try:
        Event, Performance = (
            apps.get_model("catalog", "Event"),
            apps.get_model("catalog", "Performance"),
        )
        Hold, Order = apps.get_model("reservations", "Hold"), apps.get_model("orders", "Order")
        now = timezone.now()
        event = Event.objects.create(name="Old concert", venue="Hall", currency="EUR")
        performance = Performance.objects.create(
            event=event, starts_at=now + timedelta(days=3), sales_start=now - timedelta(days=1),
            sales_end=now + timedelta(days=2), hold_minutes=10, max_seats_per_order=10,
        )  # fmt: skip
        holds = [
            Hold.objects.create(
                performance=performance,
                token_hash=f"{n}" * 64,
                created_at=now,
                expires_at=now + timedelta(minutes=10),
            )  # fmt: skip
            for n in range(2)
        ]
        Order.objects.create(
            performance=performance, hold=holds[0], idempotency_key="k", token_hash="t" * 64,
            name="Ava", email="ava@example.org", total=Decimal("10"), currency="EUR",
            status="paid", payment_reference="ref", created_at=now,
        )  # fmt: skip
        assert {h.pk: h.checked_out for h in Hold.objects.all()} == {
            holds[0].pk: False,
            holds[1].pk: False,
        }

        apps = migrate(AFTER)

        Hold = apps.get_model("reservations", "Hold")
        assert {h.pk: h.checked_out for h in Hold.objects.all()} == {
            holds[0].pk: True,
            holds[1].pk: False,
        }
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
