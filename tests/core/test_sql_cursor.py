"""The hot statements' kept cursor (core/sql.py): on PostgreSQL one psycopg cursor per
connection runs them, Django's errors and checks still apply, and whoever observes the
statements (a test capturing them, an execute_wrapper such as tests/seat_writes.py's guard,
which the whole suite runs under) sees every one."""

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from core.sql import execute, fetch_all, fetch_one

pytestmark = pytest.mark.django_db(transaction=True)


def kept():
    return connections[DEFAULT_DB_ALIAS].__dict__.get("sandali_cursor")


def test_one_cursor_runs_the_statements_of_a_connection(postgres_only):
    assert fetch_one("SELECT %s", [1]) == (1,)
    first = kept()
    assert first is not None and first.connection is connection.connection
    assert fetch_all("SELECT n FROM generate_series(1, %s) n", [3]) == [(1,), (2,), (3,)]
    assert execute("SELECT 1") == 1
    assert kept() is first
    connection.close()  # as Django does past CONN_MAX_AGE, or after a broken connection
    assert fetch_one("SELECT %s", [2]) == (2,)
    assert kept() is not first and kept().connection is connection.connection


def test_a_database_error_is_djangos_and_the_atomic_block_is_broken(postgres_only):
    execute("CREATE TEMP TABLE kept_cursor_probe (id int PRIMARY KEY)")
    with transaction.atomic():
        execute("INSERT INTO kept_cursor_probe VALUES (1)")
        with pytest.raises(IntegrityError), transaction.atomic():  # Django's, as callers catch
            execute("INSERT INTO kept_cursor_probe VALUES (1)")
        assert fetch_one("SELECT count(*) FROM kept_cursor_probe") == (1,)
    with transaction.atomic():
        # With no savepoint, the error breaks the whole atomic block.
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            execute("INSERT INTO kept_cursor_probe VALUES (1)")
        with pytest.raises(TransactionManagementError):  # Django's check still runs
            fetch_one("SELECT 1")


def test_observers_see_every_statement(postgres_only):
    fetch_one("SELECT 1")  # the kept cursor exists
    with CaptureQueriesContext(connection) as captured:
        fetch_one("SELECT %s AS captured_probe", [5])
    assert any("captured_probe" in query["sql"] for query in captured.captured_queries)
    seen = []

    def wrapper(execute_, sql, params, many, context):
        seen.append(sql)
        return execute_(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fetch_all("SELECT 1 AS wrapped_probe")
    assert seen == ["SELECT 1 AS wrapped_probe"]


def test_without_wrappers_as_in_production_the_kept_cursor_runs_them(postgres_only):
    """The suite installs the seat-write guard on every connection (conftest.py); production
    runs no wrapper, the branch checked here."""
    fetch_one("SELECT 1")
    db = connections[DEFAULT_DB_ALIAS]
    wrappers = list(db.execute_wrappers)
    db.execute_wrappers.clear()
    try:
        first = kept()
        assert fetch_all("SELECT n FROM generate_series(1, %s) n", [2]) == [(1,), (2,)]
        assert kept() is first
        execute("CREATE TEMP TABLE kept_cursor_bare (id int PRIMARY KEY)")
        execute("INSERT INTO kept_cursor_bare VALUES (1)")
        with pytest.raises(IntegrityError):
            execute("INSERT INTO kept_cursor_bare VALUES (1)")
        assert fetch_one("SELECT count(*) FROM kept_cursor_bare") == (1,)
    finally:
        db.execute_wrappers.extend(wrappers)
