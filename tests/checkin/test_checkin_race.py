"""Two gates scanning the same ticket at the same instant: exactly one lets it in. Real
threads, each with its own connection to PostgreSQL."""

import pytest

from checkin.devices import device_for_token
from checkin.errors import AlreadyCheckedIn
from checkin.models import CheckIn
from checkin.services import Admission, OfflineScan, check_in, upload_scans
from core.dbtime import db_now
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
