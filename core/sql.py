"""Small helpers for the few hot statements written in SQL (holding, checking out, releasing):
the same statement text on PostgreSQL and SQLite, differing only where the databases do.

The ORM costs a few hundred microseconds of CPU to build each query; on the paths every buyer
takes several times a second, that was most of a request's cost (see docs/benchmarks.md).
"""

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.dateparse import parse_datetime


def postgres() -> bool:
    return connection.vendor == "postgresql"


def lock(*, skip_locked: bool = False, of: str = "", vendor: str | None = None) -> str:
    """FOR UPDATE [OF table] [SKIP LOCKED] on PostgreSQL; nothing on SQLite, whose write
    transactions begin IMMEDIATE and so hold the database's one write lock already. `vendor`
    names the database ("postgresql", "sqlite") for a statement built without a connection;
    by default, the connection's."""
    if (vendor or connection.vendor) != "postgresql":
        return ""
    return "FOR UPDATE" + (f" OF {of}" if of else "") + (" SKIP LOCKED" if skip_locked else "")


def exclusive(name: str) -> None:
    """Inside a transaction: wait until no other transaction holds `name`, then hold it until
    this one ends. For a check and a write that must not interleave when no row exists yet to
    lock (PostgreSQL: an advisory lock; SQLite: nothing, its write transactions begin IMMEDIATE
    and hold the database's one write lock already)."""
    if not postgres():
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), signed=True)
    execute("SELECT pg_advisory_xact_lock(%s)", [key])


MAX_ID = 2**63 - 1


def is_id(value: int) -> bool:
    """Whether a value can be a row id at all; SQLite raises on larger integers."""
    return isinstance(value, int) and 1 <= value <= MAX_ID


def in_list(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def as_param(moment: datetime):
    """A datetime as the database stores it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def as_datetime(value) -> datetime:
    """A datetime read back from the database by raw SQL."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_datetime(value).replace(tzinfo=UTC)


def fetch_all(sql: str, params: Sequence = ()) -> list[tuple]:
    return _run(sql, params, _all)


def fetch_one(sql: str, params: Sequence = ()) -> tuple | None:
    return _run(sql, params, _one)


def execute(sql: str, params: Sequence = ()) -> int:
    return _run(sql, params, _count)


def _all(cursor) -> list[tuple]:
    return cursor.fetchall()


def _one(cursor) -> tuple | None:
    return cursor.fetchone()


def _count(cursor) -> int:
    return cursor.rowcount


def _run(sql: str, params: Sequence, result: Callable):
    """Run one statement and return `result(cursor)`.

    On PostgreSQL, with the connection's own psycopg cursor, made once (as Django makes each
    of its cursors) and kept. Why: Django's cursor costs about 46 us of CPU for a one-row
    statement and a kept psycopg cursor about 19 us, and a rush runs some 30,000 of these
    statements a round (docs/benchmarks.md, "A kept cursor for the hot statements"). What
    Django's cursor does around a statement still happens: the connection opened (or closed
    when its health check fails), the thread checked, no statement after an error broke the
    atomic block, the execute_wrappers run (tests/seat_writes.py's guard), and its database
    errors raised, so IntegrityError and OperationalError (a 503 while the database is down)
    are Django's as before. When the statements are logged (DEBUG, a test capturing them),
    Django's cursor runs them, so that its log has them."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.queries_logged:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return result(cursor)
    cursor = _kept_cursor(db)

    def run(sql, params, many, context):
        with db.wrap_database_errors:
            cursor.execute(sql, params)
            return result(cursor)

    if not db.execute_wrappers:
        return run(sql, params, False, None)
    executor = run
    for wrapper in reversed(db.execute_wrappers):  # as Django's cursor chains them
        executor = partial(wrapper, executor)
    return executor(sql, params, False, {"connection": db, "cursor": cursor})


def _kept_cursor(db):
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    kept = db.__dict__.get("sandali_cursor")
    if kept is None or kept.connection is not db.connection or kept.closed:
        with db.wrap_database_errors:
            kept = db.sandali_cursor = db.create_cursor()
    return kept
