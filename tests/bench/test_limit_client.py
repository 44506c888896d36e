"""The benchmark's bare-database client runs the real schema's statements: if a migration
changes a table they use, this fails here instead of in the middle of a benchmark. Its seat
statements are the inventory's own, so a change to Sandali's SQL changes the limit's."""

import asyncio

import psycopg
import pytest

from catalog import inventory
from ops.audit import audit
from orders.models import Order
from reservations.models import Hold
from tests.factories import make_performance, seat_ids
from tests.seat_writes import SEAT_WRITE
from tests.servers import shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bare_client_holds_pays_and_releases_consistently(postgres_only):
    from bench.limit import BareDatabaseBuyer

    performance = make_performance()
    ids = seat_ids(performance)
    url = shared_database_url()

    async def run():
        async with await psycopg.AsyncConnection.connect(url) as bare:
            buyer = BareDatabaseBuyer(bare, performance.pk)
            assert len(await buyer.load_map()) == len(ids)
            paid = await buyer.hold(ids[:2])
            assert paid.hold and await buyer.checkout(paid.hold)
            released = await buyer.hold(ids[2:3])
            await buyer.release(released.hold)
            refused = await buyer.hold(ids[1:3])
            assert refused.refused == {ids[1]}

    asyncio.run(run())
    assert Order.objects.get().tickets.count() == 2
    assert audit()["inconsistency_count"] == 0


def test_the_bare_client_writes_seats_only_with_the_inventorys_statements(postgres_only):
    from bench.limit import POSTGRESQL, BareDatabaseBuyer

    performance = make_performance()
    ids = seat_ids(performance)
    sent: list[tuple[str, list]] = []

    class Recording(psycopg.AsyncCursor):
        async def execute(self, query, params=None, **options):
            sent.append((query, params))
            return await super().execute(query, params, **options)

    async def run():
        url = shared_database_url()
        async with await psycopg.AsyncConnection.connect(url, cursor_factory=Recording) as bare:
            buyer = BareDatabaseBuyer(bare, performance.pk)
            paid = await buyer.hold(ids[:2])
            assert await buyer.checkout(paid.hold)
            released = await buyer.hold(ids[2:5])
            await buyer.release(released.hold)
            return paid.hold, released.hold

    paid, released = asyncio.run(run())

    # What the inventory builds for the same holds, tickets and moments, in the same order:
    def take(hold_id: int, seats: list[int]) -> inventory.Statement:
        hold = Hold.objects.get(pk=hold_id)
        return inventory.take_statement(
            hold_id=hold_id,
            performance_id=performance.pk,
            seat_ids=seats,
            expires_at=hold.expires_at,
            now=hold.created_at,  # the hold is made at the "now" it takes with
            vendor=POSTGRESQL,
        )

    tickets = Order.objects.get().tickets.all()
    expected = [
        take(paid, ids[:2]),
        inventory.sell_statement(hold_id=paid, ticket_of_seat={t.seat_id: t.pk for t in tickets}),
        take(released, ids[2:5]),
        inventory.release_statement(hold_id=released),
    ]
    seat_writes = [(sql, params) for sql, params in sent if SEAT_WRITE.match(sql)]
    assert seat_writes == [(s.sql, s.params) for s in expected]
