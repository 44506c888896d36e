"""Settling payment attempts that a crash or a provider failure left unsettled.

An attempt pending for longer than SANDALI_PAYMENT_RECOVERY_SECONDS lost its request. Its
charge key is cancelled at the provider, which answers with the charge if one was made: the
attempt is settled by that answer as the request would have settled it (orders/settlement.py),
an order if the hold still has its seats, a refund if not; with no charge it is void, and a
charge the lost request sends later is refused, so no money can arrive after the void. A
refund cut short is finished. An attempt whose buyer is at the provider's hosted page is
only asked how it went, until the hold's time there is over, and then ended there the same
way (orders/redirect.py recover_visit): settled within that time and this one. Every visit
whose try has ended is then closed at the provider, a payment made there refunded
(orders/visit_closing.py). It is a
periodic task (ops/periodic.py enqueues it every SANDALI_SWEEP_INTERVAL_SECONDS); any number
of workers may run it at once: settling is idempotent under the attempt's lock. An attempt
that fails is tried again after the others.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings

from core.dbtime import db_now
from core.metrics import PAYMENTS_RECOVERED
from core.sql import as_param
from core.tasks import periodic_task
from orders.models import PaymentStatus
from orders.payment_states import postpone_recovery
from orders.redirect import recover_visit, visit_of
from orders.selectors import payment_attempts
from orders.settlement import finish_refund, settle_payment
from orders.visit_closing import close_ended_visits
from payments.providers import payment_provider

log = logging.getLogger(__name__)

BATCH = 100


@periodic_task
def recover_payments() -> dict[str, int]:
    """Settle every attempt unsettled for too long; returns how many ended in each status."""
    cutoff = db_now() - timedelta(seconds=settings.SANDALI_PAYMENT_RECOVERY_SECONDS)
    stale = payment_attempts(
        "status IN ('pending', 'refunding') AND updated_at <= %s",
        [as_param(cutoff)],
        limit=BATCH,
        order_by="updated_at",
    )
    outcomes: Counter[str] = Counter()
    for attempt in stale:
        try:
            visit = visit_of(attempt) if attempt.status == PaymentStatus.PENDING else None
            if visit is not None:
                # Its buyer was sent to the provider's page: asked, and ended there only once
                # the hold's time at the page is over (orders/redirect.py).
                attempt = recover_visit(visit).attempt
            elif attempt.status == PaymentStatus.PENDING:
                result = payment_provider().cancel(idempotency_key=attempt.provider_key)
                settled = settle_payment(attempt=attempt, result=result)
                attempt = settled.attempt
            if attempt.status == PaymentStatus.REFUNDING:
                attempt = finish_refund(attempt)
        except Exception:  # one failing attempt must not stop the others
            log.exception("Could not settle payment attempt %s; trying again later.", attempt.pk)
            postpone_recovery(attempt)  # to the back of the queue
            continue
        if attempt.status in (PaymentStatus.PENDING, PaymentStatus.REFUNDING):
            postpone_recovery(attempt)  # resumed by its buyer meanwhile, or the refund failed
            continue
        outcomes[str(attempt.status)] += 1
        PAYMENTS_RECOVERED.labels(attempt.status).inc()
        log.warning("Settled payment attempt %s left unsettled: %s.", attempt.pk, attempt.status)
    # Then the pages of tries that have ended, this sweep's included: a payment made there
    # whose webhook was lost is found and refunded (orders/visit_closing.py).
    close_ended_visits()
    return dict(outcomes)
