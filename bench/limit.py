"""The limit: Sandali's hold / checkout / release statements from a bare asyncio psycopg
client, one connection per buyer, no HTTP, no framework.

The seat statements (take, release, sell) are not copies: they are built by the inventory's
own builders (catalog/inventory.py), and "now" is the product's (core/dbtime.py), so a change
to Sandali's SQL changes the limit's (tests/bench/test_limit_client.py checks it). Importing
this module needs Django set up (bench.infra.setup_django); nothing here uses Django's
connection. The other statements are the product's in shape, written for one round trip each.
"""

import secrets

import psycopg

from bench.outcomes import HoldOutcome
from catalog import inventory
from core.dbtime import NOW_SQL

POSTGRESQL = "postgresql"
NOW = NOW_SQL[POSTGRESQL]

# The hold's "now" is the one the seats are taken with, as in reservations/services.py.
HOLD_INSERT = f"""
INSERT INTO reservations_hold (performance_id, token_hash, client_key, created_at, expires_at)
VALUES (%(performance)s, %(token)s, '', {NOW}, {NOW} + interval '10 minutes')
RETURNING id, created_at, expires_at"""

# The seats the map shows held: the inventory's LIVE rule.
MAP = f"""
SELECT id, {inventory.live_sql(NOW)} FROM catalog_seat
WHERE performance_id = %s AND status IN ('available', 'reserved')"""

# Checkout is two-phase, as in orders/checkout.py: the attempt is committed, the (test)
# provider records its charge outside any transaction, then one transaction makes the order.
ATTEMPT_INSERT = f"""
INSERT INTO orders_paymentattempt (hold_id, idempotency_key, order_token_hash, name, email,
  phone, amount, currency, seat_count, status, tries, provider_reference, refund_reference,
  refund_reason, created_at, updated_at)
SELECT h.id, %(key)s, %(token)s, 'Bench Buyer', 'buyer@example.org', '', sum(p.price), 'EUR',
  count(*), 'pending', 1, '', '', '', {NOW}, {NOW}
FROM reservations_hold h
JOIN catalog_seat s ON s.hold_id = h.id AND s.status = 'reserved'
JOIN catalog_sectiontickettype p
  ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
WHERE h.id = %(hold)s AND h.expires_at > {NOW}
GROUP BY h.id
RETURNING id, amount"""

CHARGE_INSERT = """
INSERT INTO payments_charge (idempotency_key, amount, currency, approved, reference,
  refund_reference, cancelled, created_at)
VALUES (%(provider_key)s, %(amount)s, 'EUR', true, %(reference)s, '', false, now())"""

ORDER_INSERT = f"""
INSERT INTO orders_order (performance_id, hold_id, idempotency_key, token_hash, name, email,
  phone, total, currency, status, payment_reference, refund_reference, created_at)
SELECT h.performance_id, h.id, a.idempotency_key, a.order_token_hash, a.name, a.email, a.phone,
  a.amount, a.currency, 'paid', %(reference)s, '', {NOW}
FROM reservations_hold h JOIN orders_paymentattempt a ON a.hold_id = h.id
WHERE a.id = %(attempt)s AND a.status = 'pending' AND h.expires_at > {NOW}
RETURNING id"""

TICKETS_INSERT = """
INSERT INTO orders_ticket (order_id, seat_id, ticket_type_id, price, code, valid)
SELECT %(order)s, s.id, s.ticket_type_id, p.price, md5(random()::text || s.id), true
FROM catalog_seat s JOIN catalog_sectiontickettype p
  ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
WHERE s.hold_id = %(hold)s AND s.status = 'reserved'
RETURNING seat_id, id"""

ATTEMPT_REFUNDED = """
WITH refund AS (
  UPDATE payments_charge SET refund_reference = 'bare-refund-' || reference
  WHERE reference = %(reference)s)
UPDATE orders_paymentattempt SET status = 'refunded', provider_reference = %(reference)s,
  refund_reference = 'bare-refund-' || %(reference)s::text, refund_reason = 'hold_expired',
  updated_at = now()
WHERE id = %(attempt)s"""

ATTEMPT_PAID = """
UPDATE orders_paymentattempt SET status = 'paid', order_id = %(order)s,
  provider_reference = %(reference)s, updated_at = now()
WHERE id = %(attempt)s"""


class BareDatabase:
    """The limit: the same statements from a bare asyncio psycopg client, no HTTP."""

    def __init__(self, connection: psycopg.AsyncConnection, performance_id: int):
        self.connection = connection
        self.performance_id = performance_id
        self.pending = True

    async def load_map(self) -> list[int]:
        async with self.connection.cursor() as cursor:
            await cursor.execute(MAP, [self.performance_id])
            rows = await cursor.fetchall()
        await self.connection.commit()
        self.pending = any(held for _id, held in rows)
        return [seat for seat, held in rows if not held]

    async def hold(self, seats: list[int]) -> HoldOutcome:
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(
                HOLD_INSERT, {"performance": self.performance_id, "token": secrets.token_hex(32)}
            )
            hold_id, now, expires_at = await cursor.fetchone()
            take = inventory.take_statement(
                hold_id=hold_id,
                performance_id=self.performance_id,
                seat_ids=seats,
                expires_at=expires_at,
                now=now,
                vendor=POSTGRESQL,
            )
            await cursor.execute(take.sql, take.params)
            taken = {inventory.TakenSeat(*row).id for row in await cursor.fetchall()}
            if len(taken) != len(seats):
                raise _Refused(set(seats) - taken)  # leaving the block rolls back
        return HoldOutcome(hold=hold_id)

    async def checkout(self, hold_id) -> bool:
        key, reference = secrets.token_hex(8), f"bare-{secrets.token_hex(8)}"
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(
                "SELECT id FROM reservations_hold WHERE id = %s FOR UPDATE", [hold_id]
            )
            await cursor.execute(
                ATTEMPT_INSERT, {"hold": hold_id, "key": key, "token": secrets.token_hex(32)}
            )
            attempt = await cursor.fetchone()
        if attempt is None:
            return False
        attempt_id, amount = attempt
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(
                CHARGE_INSERT,
                {
                    "provider_key": f"hold-{hold_id}-{key}-1",
                    "amount": amount,
                    "reference": reference,
                },
            )
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(
                "SELECT id FROM reservations_hold WHERE id = %s FOR UPDATE", [hold_id]
            )
            await cursor.execute(
                "SELECT id FROM orders_paymentattempt WHERE id = %s FOR UPDATE", [attempt_id]
            )
            params = {"hold": hold_id, "attempt": attempt_id, "reference": reference}
            await cursor.execute(ORDER_INSERT, params)
            order = await cursor.fetchone()
            if order is None:  # the hold expired meanwhile: the payment goes back
                await cursor.execute(ATTEMPT_REFUNDED, params)
                return False
            params["order"] = order[0]
            await cursor.execute(TICKETS_INSERT, params)
            ticket_of_seat = dict(await cursor.fetchall())
            sell = inventory.sell_statement(hold_id=hold_id, ticket_of_seat=ticket_of_seat)
            await cursor.execute(sell.sql, sell.params)
            await cursor.execute(ATTEMPT_PAID, params)
        return True

    async def release(self, hold_id) -> None:
        release = inventory.release_statement(hold_id=hold_id)
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(release.sql, release.params)


class _Refused(Exception):
    def __init__(self, seats: set[int]):
        self.seats = seats


class BareDatabaseBuyer(BareDatabase):
    """Turns a refused hold (rolled back by the transaction block) into a HoldOutcome."""

    async def hold(self, seats: list[int]) -> HoldOutcome:
        try:
            return await super().hold(seats)
        except _Refused as refused:
            return HoldOutcome(refused=refused.seats)
