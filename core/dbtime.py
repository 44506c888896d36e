"""The database's clock: the one time every app process agrees on (DESIGN.md principle 3)."""

from datetime import UTC, datetime

from django.db import connection


def db_now() -> datetime:
    """Now, as the database's clock reads at this statement (not at the transaction's start:
    a checkout that waited for a lock must compare expiry with the time after the wait)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
        return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)
