"""The limit: Sandali's hold / checkout / release statements from a bare asyncio psycopg
client, one connection per buyer, no HTTP, no framework."""

import secrets

import psycopg

from bench.outcomes import HoldOutcome

HOLD_INSERT = """
INSERT INTO reservations_hold (performance_id, token_hash, client_key, created_at, expires_at)
VALUES (%(performance)s, %(token)s, '', now(), now() + interval '10 minutes')
RETURNING id, expires_at"""

HOLD_SEATS = """
UPDATE catalog_seat s
SET status = 'reserved', hold_id = %(hold)s, hold_expires_at = %(expires)s, version = s.version + 1
FROM (SELECT id FROM catalog_seat
      WHERE id = ANY(%(seats)s) AND performance_id = %(performance)s
        AND (status = 'available' OR (status = 'reserved' AND hold_expires_at <= now()))
      FOR UPDATE SKIP LOCKED) picked
WHERE s.id = picked.id
RETURNING s.id"""

# Checkout is two-phase, as in orders/checkout.py: the attempt is committed, the (test)
# provider records its charge outside any transaction, then one transaction makes the order.
ATTEMPT_INSERT = """
INSERT INTO orders_paymentattempt (hold_id, idempotency_key, order_token_hash, name, email,
  phone, amount, currency, seat_count, status, tries, provider_reference, refund_reference,
  refund_reason, created_at, updated_at)
SELECT h.id, %(key)s, %(token)s, 'Bench Buyer', 'buyer@example.org', '', sum(p.price), 'EUR',
  count(*), 'pending', 1, '', '', '', now(), now()
FROM reservations_hold h
JOIN catalog_seat s ON s.hold_id = h.id AND s.status = 'reserved'
JOIN catalog_sectiontickettype p
  ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
WHERE h.id = %(hold)s AND h.expires_at > now()
GROUP BY h.id
RETURNING id, amount"""

CHARGE_INSERT = """
INSERT INTO payments_charge (idempotency_key, amount, currency, approved, reference,
  refund_reference, cancelled, created_at)
VALUES (%(provider_key)s, %(amount)s, 'EUR', true, %(reference)s, '', false, now())"""

ORDER_INSERT = """
INSERT INTO orders_order (performance_id, hold_id, idempotency_key, token_hash, name, email,
  phone, total, currency, status, payment_reference, refund_reference, created_at)
SELECT h.performance_id, h.id, a.idempotency_key, a.order_token_hash, a.name, a.email, a.phone,
  a.amount, a.currency, 'paid', %(reference)s, '', now()
FROM reservations_hold h JOIN orders_paymentattempt a ON a.hold_id = h.id
WHERE a.id = %(attempt)s AND a.status = 'pending' AND h.expires_at > now()
RETURNING id"""

TICKETS_INSERT = """
INSERT INTO orders_ticket (order_id, seat_id, ticket_type_id, price, code, valid)
SELECT %(order)s, s.id, s.ticket_type_id, p.price, md5(random()::text || s.id), true
FROM catalog_seat s JOIN catalog_sectiontickettype p
  ON p.section_id = s.section_id AND p.ticket_type_id = s.ticket_type_id
WHERE s.hold_id = %(hold)s AND s.status = 'reserved'"""

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

SEATS_SOLD = """
UPDATE catalog_seat s
SET status = 'sold', hold_id = NULL, hold_expires_at = NULL, ticket_id = t.id,
  version = s.version + 1
FROM orders_ticket t WHERE t.order_id = %(order)s AND s.id = t.seat_id
RETURNING s.id"""

RELEASE = """
UPDATE catalog_seat SET status = 'available', hold_id = NULL, hold_expires_at = NULL,
  version = version + 1
WHERE hold_id = %(hold)s AND status = 'reserved'"""


class BareDatabase:
    """The limit: the same statements from a bare asyncio psycopg client, no HTTP."""

    def __init__(self, connection: psycopg.AsyncConnection, performance_id: int):
        self.connection = connection
        self.performance_id = performance_id
        self.pending = True

    async def load_map(self) -> list[int]:
        async with self.connection.cursor() as cursor:
            await cursor.execute(
                "SELECT id, status = 'reserved' AND hold_expires_at > now() FROM catalog_seat"
                " WHERE performance_id = %s AND status IN ('available', 'reserved')",
                [self.performance_id],
            )
            rows = await cursor.fetchall()
        await self.connection.commit()
        self.pending = any(held for _id, held in rows)
        return [seat for seat, held in rows if not held]

    async def hold(self, seats: list[int]) -> HoldOutcome:
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(
                HOLD_INSERT, {"performance": self.performance_id, "token": secrets.token_hex(32)}
            )
            hold_id, expires = await cursor.fetchone()
            await cursor.execute(
                HOLD_SEATS,
                {
                    "hold": hold_id,
                    "expires": expires,
                    "seats": seats,
                    "performance": self.performance_id,
                },
            )
            taken = {row[0] for row in await cursor.fetchall()}
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
            await cursor.execute(SEATS_SOLD, params)
            await cursor.execute(ATTEMPT_PAID, params)
        return True

    async def release(self, hold_id) -> None:
        async with self.connection.transaction(), self.connection.cursor() as cursor:
            await cursor.execute(RELEASE, {"hold": hold_id})


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
