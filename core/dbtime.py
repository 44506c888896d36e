"""The database's clock: the one time every app process agrees on (DESIGN.md principle 3).

"Now" is defined here once, for SQL (`now_sql`), the ORM (`DbNow`) and Python (`db_now`): the
time at which the statement that reads it began. A checkout that waited for a lock compares
expiry with the time after the wait, not with the time its transaction began (PostgreSQL's
now()).
"""

from datetime import datetime

from django.db import connection as default_connection
from django.db.models import DateTimeField, Func

from core.sql import as_datetime, fetch_one


def now_sql(connection=default_connection) -> str:
    """Now, as an SQL expression inside a statement that takes %s parameters (SQLite keeps
    times as text with microseconds; its CURRENT_TIMESTAMP would drop them)."""
    if connection.vendor == "postgresql":
        return "statement_timestamp()"
    return "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')"


class DbNow(Func):
    """now_sql() in the ORM, where Django's Now() reads only whole seconds on SQLite."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        return now_sql(connection), []


def db_now() -> datetime:
    """Now, as the database's clock reads it, for a comparison made in Python."""
    (now,) = fetch_one(f"SELECT {now_sql()}", [])
    return as_datetime(now)
