"""Small helpers for the few hot statements written in SQL (holding, checking out, releasing):
the same statement text on PostgreSQL and SQLite, differing only where the databases do.

The ORM costs a few hundred microseconds of CPU to build each query; on the paths every buyer
takes several times a second, that was most of a request's cost (see docs/benchmarks.md).
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import connection
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_one(sql: str, params: Sequence = ()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
