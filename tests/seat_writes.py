"""Only the inventory writes seat rows (catalog/inventory.py): every statement that a test runs
through Django's connection is checked, and one that writes the seat table from any other
module of the product fails the test that made it."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "catalog", "reservations", "payments", "orders", "api", "web", "live", "ops",
           "sandali", "bench")  # fmt: skip
OWNER = ROOT / "catalog" / "inventory.py"
SQL_HELPERS = ROOT / "core" / "sql.py"  # the owner runs its statements through these
SEAT_WRITE = re.compile(r'^\s*(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?catalog_seat"?[\s(]', re.I)
# A write behind a WITH clause (the inventory's take_places is one).
SEAT_WRITE_AFTER_WITH = re.compile(
    r'^\s*WITH\b.*\)\s*(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?catalog_seat"?[\s(]', re.I | re.S
)


class SeatWrittenOutsideInventory(AssertionError):
    pass


def writer_of_statement() -> Path | None:
    """The product module that runs the statement being executed (None: a test or a
    migration, which may plant any state, or Django itself, e.g. a cascade)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(ROOT) and path != SQL_HELPERS:
            parts = path.relative_to(ROOT).parts
            if parts[0] in PRODUCT and "migrations" not in parts:
                return path
            if parts[0] == "tests" or "migrations" in parts:
                return None
        frame = frame.f_back
    return None


def guard_seat_writes(execute, sql, params, many, context):
    if SEAT_WRITE.match(sql) or SEAT_WRITE_AFTER_WITH.match(sql):
        writer = writer_of_statement()
        if writer is not None and writer != OWNER:
            raise SeatWrittenOutsideInventory(
                f"{writer.relative_to(ROOT)} writes the seat table; only {OWNER.relative_to(ROOT)}"
                " may (DESIGN.md principle 8)"
            )
    return execute(sql, params, many, context)
