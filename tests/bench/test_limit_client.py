"""The benchmark's bare-database client runs the real schema's statements: if a migration
changes a table they use, this fails here instead of in the middle of a benchmark."""

import asyncio

import pytest

from ops.audit import audit
from orders.models import Order
from tests.factories import make_performance, seat_ids
from tests.servers import shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bare_client_holds_pays_and_releases_consistently(postgres_only):
    from bench.limit import BareDatabaseBuyer

    performance = make_performance()
    ids = seat_ids(performance)
    url = shared_database_url()

    async def run():
        import psycopg

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
