"""Two gates scanning the same ticket at the same instant: exactly one lets it in. Real
threads, each with its own connection to PostgreSQL."""

import threading

import pytest
from django.db import connections

from checkin.devices import device_for_token
from checkin.errors import AlreadyCheckedIn, TicketCancelled
from checkin.models import CheckIn
from checkin.services import Admission, OfflineScan, check_in, upload_scans
from core.dbtime import db_now
from orders.cancellation import cancel_order
from payments.providers import TestPaymentProvider
from tests.checkin.door import device, qr, sell
from tests.reservations.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_gates_scanning_one_ticket_at_once_admit_it_exactly_once(postgres_only, performance):
    tickets = sell(performance, 10)
    gates = [device_for_token(device(performance, name=f"Gate {n}")) for n in (1, 2)]
    for ticket in tickets:  # ten rounds: each a fresh race
        text = qr(ticket)
        outcomes = run_threads(2, lambda n: check_in(device=gates[n], text=text))  # noqa: B023
        admitted = [o for o in outcomes if isinstance(o, Admission)]
        refused = [o for o in outcomes if isinstance(o, AlreadyCheckedIn)]
        assert len(admitted) == 1 and len(refused) == 1, outcomes
        assert refused[0].details["device"] == admitted[0].checked_in.device
    assert CheckIn.objects.count() == len(tickets)


def test_gates_uploading_offline_scans_of_one_ticket_at_once_keep_the_earliest(
    postgres_only, performance
):
    (ticket,) = sell(performance)
    gates = [device_for_token(device(performance, name=f"Gate {n}")) for n in range(4)]
    now = db_now()
    scans = [OfflineScan(qr(ticket), now.replace(microsecond=n), f"g{n}") for n in range(4)]

    def upload(n: int):
        return upload_scans(device=gates[n], scans=[scans[n]])

    results = run_threads(4, upload)
    assert not [r for r in results if isinstance(r, BaseException)], results
    outcomes = [outcome for result in results for outcome in result]
    assert sorted(o.result for o in outcomes).count("admitted") >= 1
    checked_in = CheckIn.objects.select_related("device").get()
    assert checked_in.device.name == "Gate 0" and checked_in.local_id == "g0"
    assert ticket.checkin_conflicts.count() == 3


def test_a_scan_during_a_cancellation_waits_for_it_and_is_refused(
    postgres_only, performance, monkeypatch
):
    """The cancellation has voided the ticket but not committed (it is refunding): the gate
    must not let the ticket in on the validity it read before."""
    (ticket,) = sell(performance)
    gate = device_for_token(device(performance))
    refunding, refunded = threading.Event(), threading.Event()
    refund = TestPaymentProvider.refund

    def slow_refund(self, **charge):
        refunding.set()
        refunded.wait(timeout=20)
        return refund(self, **charge)

    monkeypatch.setattr(TestPaymentProvider, "refund", slow_refund)
    outcomes = {}

    def run(name, work):
        try:
            outcomes[name] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects the outcome
            outcomes[name] = error
        finally:
            connections.close_all()

    cancelling = threading.Thread(
        target=run, args=("cancel", lambda: cancel_order(order_id=ticket.order_id))
    )
    cancelling.start()
    assert refunding.wait(timeout=20)
    scanning = threading.Thread(
        target=run, args=("scan", lambda: check_in(device=gate, text=qr(ticket)))
    )
    scanning.start()
    scanning.join(timeout=1)
    assert scanning.is_alive(), outcomes  # waiting for the cancellation, not admitted
    refunded.set()
    cancelling.join(timeout=20)
    scanning.join(timeout=20)
    assert isinstance(outcomes["scan"], TicketCancelled), outcomes
    assert not CheckIn.objects.exists()
