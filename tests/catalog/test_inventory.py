"""The inventory is the one writer of seats, and its rules mean the same in SQL and the ORM."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import inventory
from catalog.models import HeldBackSeat, Seat, SeatStatus
from core.dbtime import db_now
from core.sql import as_param, fetch_all
from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.seat_writes import ROOT, SeatWrittenOutsideInventory

pytestmark = pytest.mark.django_db

ROGUE = """
from core.sql import execute

def release_everything(performance_id):
    return execute("UPDATE catalog_seat SET version = version + 1 WHERE performance_id = %s",
                   [performance_id])
"""


ROGUE_WITH = """
from core.sql import execute

def release_everything(performance_id):
    return execute(
        "WITH chosen AS (SELECT id FROM catalog_seat WHERE performance_id = %s) "
        "UPDATE catalog_seat SET version = version + 1 FROM chosen "
        "WHERE catalog_seat.id = chosen.id",
        [performance_id],
    )
"""


def test_a_seat_write_behind_a_with_clause_is_caught_too(performance):
    namespace: dict = {}
    exec(compile(ROGUE_WITH, str(ROOT / "reservations" / "rogue.py"), "exec"), namespace)
    with pytest.raises(SeatWrittenOutsideInventory, match="reservations/rogue.py"):
        namespace["release_everything"](performance.pk)


def test_a_product_module_that_writes_seats_itself_fails_the_test(performance):
    namespace: dict = {}
    exec(compile(ROGUE, str(ROOT / "reservations" / "rogue.py"), "exec"), namespace)
    with pytest.raises(SeatWrittenOutsideInventory, match="reservations/rogue.py"):
        namespace["release_everything"](performance.pk)


def test_every_inventory_write_bumps_versions_and_returns_them(performance):
    ids = seat_ids(performance)[:3]
    before = dict(Seat.objects.filter(id__in=ids).values_list("id", "version"))
    changes = inventory.block(performance_id=performance.pk, seat_ids=ids, now=db_now())
    assert [(c.seat_id, c.status, c.version) for c in changes] == [
        (i, SeatStatus.BLOCKED, before[i] + 1) for i in ids
    ]
    assert dict(Seat.objects.filter(id__in=ids).values_list("id", "version")) == {
        c.seat_id: c.version for c in changes
    }


# (A sold seat needs a ticket; like a blocked one it is neither free nor live.)
# A "+channel" seat is held back for a channel (catalog/models/house_seats.py): an expired desk
# hold of it is not free, it went back to the channel.
STATES = st.sampled_from(
    ["available", "blocked", "reserved-live", "reserved-expired"]
    + ["blocked+channel", "reserved-live+channel", "reserved-expired+channel"]
)


@settings(max_examples=25, deadline=None)
@given(states=st.lists(STATES, min_size=1, max_size=12), offset=st.integers(-90, 90))
def test_free_and_live_select_the_same_seats_in_sql_and_in_the_orm(states, offset):
    """Rows are planted as a restored backup might hold them (not through the inventory)."""
    performance = make_performance(sections=1, rows=2, seats_per_row=6)
    now = db_now()
    hold = Hold.objects.create(
        performance=performance, token_hash="x" * 64, created_at=now - timedelta(hours=1),
        expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    ids = seat_ids(performance)[: len(states)]
    for seat_id, state in zip(ids, states, strict=True):
        state, _, channel = state.partition("+")
        status, _, when = state.partition("-")
        if channel:
            HeldBackSeat.objects.create(
                seat_id=seat_id, performance=performance, channel="sponsors", held_at=now
            )
        expiry = now + timedelta(seconds=offset if when == "live" else -abs(offset) - 1)
        Seat.objects.filter(id=seat_id).update(
            status=status, hold=hold if status == "reserved" else None,
            hold_expires_at=expiry if status == "reserved" else None,
        )  # fmt: skip
    for sql, orm in ((inventory.FREE_SQL, inventory.free), (inventory.LIVE_SQL, inventory.live)):
        in_sql = {
            row[0]
            for row in fetch_all(
                f"SELECT id FROM catalog_seat WHERE performance_id = %s AND {sql}",
                [performance.pk, as_param(now)],
            )
        }
        in_orm = set(
            Seat.objects.filter(orm(now), performance=performance).values_list("id", flat=True)
        )
        assert in_sql == in_orm
