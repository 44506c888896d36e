"""Closing, at the provider, the hosted-page visits whose try has ended (issue #19).

A try ends while its page may still take money: the buyer declined at the page and then paid
in another tab, a Stripe session stays open after the buyer pressed "cancel" there, the
sweeper voided the attempt, the buyer tried again with a new try. A payment made there is a
late payment: refunded when its webhook arrives (orders/redirect.py). This is for the webhook
that never arrives. After every sweep of orders/recovery.py, each visit whose try has ended
(the attempt is past that try, or no longer pending) and that is not yet closed is ended at
the provider with `cancel` (Stripe expires the session; the test provider refuses the key
afterwards), whose answer is the payment made there if there is one: refunded unless its own
try took it (account_for, _refund_late: once, reported and mailed), then the visit is
recorded closed and never asked again.

A visit whose payment its own try took (its order) is closed without asking: the page takes
one payment at most. Bound: a visit is closed by the first sweep after its try ends (the
sweeper runs every SANDALI_SWEEP_INTERVAL_SECONDS), so within one
SANDALI_PAYMENT_RECOVERY_SECONDS plus one sweep as recovery.py promises, unless the provider
fails: then it stays open and is asked again at a later sweep (batches are drawn at random,
so visits the provider keeps failing on do not hold up the others).

A webhook and the sweeper may close the same late payment at once: both ask the provider,
both may ask it to refund (it refunds once per payment, however often asked), and only the
first to write the refund on the visit's row reports it and records the mail.
"""

import logging

from core.dbtime import db_now
from core.sql import fetch_all
from orders.models import GatewayVisit
from orders.redirect import account_for
from orders.selectors import payment_attempts
from payments.providers import payment_provider

log = logging.getLogger(__name__)

BATCH = 100

# Visits not closed whose try has ended: the attempt has a later try, or is no longer pending.
# The partial index visit_open holds only the visits not closed (the few of the last minutes).
# In random order: visits the provider keeps failing on stay open, and must not fill every
# batch ahead of the others.
_ENDED = """SELECT v.id FROM orders_gatewayvisit v
    JOIN orders_paymentattempt a ON a.id = v.attempt_id
    WHERE v.closed_at IS NULL AND (v.tries < a.tries OR a.status <> 'pending')
    ORDER BY random() LIMIT %s"""


def close_ended_visits() -> int:
    """Close at the provider every visit whose try has ended (up to BATCH a sweep); returns
    how many were closed. One the provider fails to answer stays for the next sweep."""
    closed = 0
    for (visit_id,) in fetch_all(_ENDED, [BATCH]):
        visit = GatewayVisit.objects.get(pk=visit_id)
        try:
            close_visit(visit)
        except Exception:  # one failing visit must not stop the others
            log.exception("Could not close payment page visit %s; trying again later.", visit.pk)
            continue
        closed += 1
    return closed


def close_visit(visit: GatewayVisit) -> None:
    """End the visit's payment at the provider, refund what it reveals that no try accounts
    for, and record the visit closed. A page takes one payment at most (a Checkout Session,
    a key, a bank's authority): once its payment is accounted for (the try's order or refund)
    or refunded as late, there is nothing left to end, and the provider is not asked."""
    if not (visit.accounted_reference or visit.late_refund_reference):
        provider = payment_provider()
        # A bank gateway whose verify takes the money ends an ended try's payment without
        # taking it (ZarinPal's `end`: the bank gives it back); the others cancel.
        ending = getattr(provider, "end", provider.cancel)
        result = ending(idempotency_key=visit.provider_key)
        (attempt,) = payment_attempts("id = %s", [visit.attempt_id])
        account_for(visit, attempt, result)
    GatewayVisit.objects.filter(pk=visit.pk, closed_at__isnull=True).update(closed_at=db_now())
