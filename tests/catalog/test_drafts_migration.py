"""catalog 0010: performances made before drafts existed were on sale, and stay published; their
events take the site's time zone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.dbtime import db_now

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("catalog", "0009_waiting_room")]
AFTER = [("catalog", "0010_drafts_and_time_zones")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_performance_made_before_drafts_is_published_after_the_migration(settings):
    apps = migrate(BEFORE)
    try:
        Event = apps.get_model("catalog", "Event")
        Performance = apps.get_model("catalog", "Performance")
        now = timezone.now()
        event = Event.objects.create(name="Old concert", venue="Hall", currency="EUR")
        old = Performance.objects.create(
            event=event, starts_at=now + timedelta(days=3), sales_start=now - timedelta(days=1),
            sales_end=now + timedelta(days=2), hold_minutes=10, max_seats_per_order=10,
        )  # fmt: skip

        apps = migrate(AFTER)

        Performance = apps.get_model("catalog", "Performance")
        migrated = Performance.objects.select_related("event").get(pk=old.pk)
        assert migrated.published_at is not None and migrated.published_at <= db_now()
        assert migrated.event.time_zone == settings.TIME_ZONE
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
