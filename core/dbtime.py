"""The database's clock: the one time every app process agrees on (DESIGN.md principle 3).

"Now" is defined here once, for SQL (`now_sql`; `NOW_SQL` by database for a statement built
without a connection), the ORM (`DbNow`) and Python (`db_now`): the time at which the
statement that reads it began. A checkout that waited for a lock compares expiry with the
time after the wait, not with the time its transaction began (PostgreSQL's now()).
"""

from datetime import datetime

from django.db import connection as default_connection
from django.db.models import DateTimeField, Func

from core.sql import as_datetime, fetch_one

# Now, as an SQL expression inside a statement that takes %s parameters, by database (SQLite
# keeps times as text with microseconds; its CURRENT_TIMESTAMP would drop them).
NOW_SQL = {
    "postgresql": "statement_timestamp()",
    "sqlite": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')",
}


def now_sql(connection=default_connection) -> str:
    """NOW_SQL for the connection's database."""
    return NOW_SQL[connection.vendor]


class DbNow(Func):
    """now_sql() in the ORM, where Django's Now() reads only whole seconds on SQLite."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        return now_sql(connection), []


def db_now() -> datetime:
    """Now, as the database's clock reads it, for a comparison made in Python."""
    (now,) = fetch_one(f"SELECT {now_sql()}", [])
    return as_datetime(now)
