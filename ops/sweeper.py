"""The sweeper loop: frees expired holds every few seconds and tells watchers, settles payment
attempts that a crash left unsettled (orders/recovery.py), and enqueues again the mails whose
task was lost (orders/outbox.py).

Correctness never waits for it (expiry is lazy); it keeps rows tidy and makes an expiry reach
the seat maps within an interval with no API call. Any number may run at once.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from core.metrics import SWEEP_RUNS, SWEEP_SEATS_FREED
from orders.outbox import rescue_mails
from orders.recovery import recover_payments
from reservations.services import release_expired_holds

log = logging.getLogger(__name__)

_last_mail_rescue = float("-inf")  # time.monotonic() of this process's last rescue_mails


def sweep_once() -> int:
    """Free every expired hold now, settle stale payments and rescue lost mails; returns how
    many seats were freed."""
    close_old_connections()
    freed = 0
    while batch := release_expired_holds():
        freed += len(batch)
    recover_payments()
    _rescue_mails_now_and_then()
    SWEEP_RUNS.inc()
    SWEEP_SEATS_FREED.inc(freed)
    return freed


def _rescue_mails_now_and_then() -> None:
    """A lost mail task is rare, and rescued only once SANDALI_MAIL_RESCUE_SECONDS overdue:
    looking every half of that is enough, and spares the database a scan of every unsent mail
    each second while no worker runs (workers down, or the benchmark, which runs none)."""
    global _last_mail_rescue
    now = time.monotonic()
    if now - _last_mail_rescue >= settings.SANDALI_MAIL_RESCUE_SECONDS / 2:
        _last_mail_rescue = now
        rescue_mails()


def sweep_forever(*, interval: float, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            freed = sweep_once()
            if freed:
                log.info("Freed %d seats of expired holds.", freed)
        except Exception:  # a database restart must not end the loop
            log.exception("Sweep failed; trying again.")
        stop.wait(interval)


def start_sweeper_thread() -> threading.Event:
    stop = threading.Event()
    interval = settings.SANDALI_SWEEP_INTERVAL_SECONDS
    threading.Thread(
        target=sweep_forever, kwargs={"interval": interval, "stop": stop}, daemon=True
    ).start()
    return stop
