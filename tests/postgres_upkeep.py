"""Upkeep of the PostgreSQL test database, so that a test's queries are planned for the rows it
has, whatever ran before it.

Most tests run in a transaction that is rolled back, so the test database's tables hold only
dead rows. Left to autovacuum, a table is vacuumed whenever autovacuum comes round, mostly while
a test is running; the running test's transaction holds a lock on the table, so the vacuum
cannot truncate the emptied pages and records 0 live rows on them. From then on the planner
reckons the table empty (0 rows a page) however many rows the running test puts in it, and
plans nested loops over the seat table: in CI's PostgreSQL pass tests/bench/test_stranded.py
took 78 s instead of 2 s, and the state machine test three times as long as alone.

So autovacuum is off for the test database's tables, and between tests, when no test's
transaction holds a lock, a table with many dead rows is vacuumed on a connection of its own:
the vacuum then truncates the emptied pages, the table is 0 pages again, and the planner
reckons it by its actual size. (A table that was never vacuumed, or was truncated by a
transactional test's flush, is reckoned by its actual size too.)
"""

import psycopg

# A table with more dead rows than this is vacuumed before the next test: a few pages.
DEAD_ROWS = 1000


def turn_off_autovacuum(cursor) -> None:
    cursor.execute(
        """SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'r' AND n.nspname = current_schema()"""
    )
    for (table,) in cursor.fetchall():
        cursor.execute(
            f"ALTER TABLE {table} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)"
        )


def upkeep_connection(settings_dict: dict) -> psycopg.Connection:
    """A connection of its own to the test database, outside any test's transaction."""
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def vacuum_dead_rows(upkeep: psycopg.Connection) -> list[str]:
    """Vacuum the tables with more than DEAD_ROWS dead rows; returns their names."""
    tables = [
        table
        for (table,) in upkeep.execute(
            """SELECT format('%%I.%%I', schemaname, relname) FROM pg_stat_user_tables
               WHERE n_dead_tup > %s""",
            [DEAD_ROWS],
        )
    ]
    if tables:
        upkeep.execute(f"VACUUM {', '.join(tables)}")
    return tables
