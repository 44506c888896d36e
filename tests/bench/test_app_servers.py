"""The benchmarks' app processes: by default on granian, the README's API server, which serves
the API's reads and writes on this test's database, and its CPU is counted, which
`bench.rush` reads from its processes; gunicorn only where its long accept queue is asked for
(the waiting room's queue processes); and `AppProcess(idle_class=True)`, how `bench.fanout`
starts its socket processes, puts them in Linux's idle scheduling class."""

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from bench.infra import AppProcess, django_env
from bench.rush import cpu_seconds
from catalog.models import Seat
from tests.factories import make_performance, seat_ids
from tests.servers import shared_database_url


def call(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_granian_serves_a_hold_and_its_processes_cpu_is_counted():
    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    seat = seat_ids(performance)[0]
    app = AppProcess(django_env(shared_database_url()), threads=2).start()
    try:
        status, body = call("POST", f"{app.url}/api/v1/performances/{performance.pk}/holds",
                            {"seats": [seat]})  # fmt: skip
        # The worker that ran Django is a child of granian's main process: both are counted.
        pids, used = app.pids(), cpu_seconds([app])[0]
        command = Path(f"/proc/{app.process.pid}/cmdline").read_bytes().split(b"\0")
    finally:
        app.stop()
    assert b"granian" in command and b"gunicorn" not in b" ".join(command)
    assert status == 201 and body["seats"][0]["id"] == seat
    assert Seat.objects.get(pk=seat).status == "reserved"
    assert len(pids) >= 2 and used > 0


def test_a_long_accept_queue_is_asked_of_gunicorn_only():
    env = django_env(shared_database_url())
    assert AppProcess(env, server="gunicorn", connections=10_000).connections == 10_000
    with pytest.raises(ValueError, match="worker-connections"):
        AppProcess(env, connections=10_000)


def test_a_process_started_in_the_idle_class_runs_in_it_and_others_do_not():
    # What AppProcess does in the child before the server starts, on a child that needs no
    # CPU to start (a process in the idle class may wait long for it on a busy machine).
    env = django_env(shared_database_url())
    starters = [AppProcess(env, idle_class=idle)._prepare_child for idle in (True, False)]
    children = [subprocess.Popen(["sleep", "30"], preexec_fn=start) for start in starters]
    try:
        classes = [os.sched_getscheduler(child.pid) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    assert classes == [os.SCHED_IDLE, os.sched_getscheduler(0)] != [os.SCHED_IDLE] * 2
