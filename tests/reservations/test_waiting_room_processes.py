"""The waiting room across real app processes sharing a private Redis: one order whichever
process a buyer asks, the draw at opening agreed by all, and no place lost when the process
that a buyer queued through is killed (SIGKILL)."""

import json
import time
import urllib.request
from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.core.management import call_command

from core.dbtime import db_now
from tests.factories import make_performance
from tests.servers import SERVER_PROCESSES, redis_server, sandali_server

pytestmark = pytest.mark.django_db(transaction=True)


class ServerPair:
    """Two server processes on one private Redis, shared by the module's tests: starting one
    (Django's imports) was most of each test, 4 starts for 2 tests, and more on a loaded CI
    machine. Each test's performance is new (ids are never given again after a flush), so
    nothing a process keeps by performance reaches the next test; a process a test killed is
    started again for the next."""

    def __init__(self, stack: ExitStack, redis_url: str):
        self.stack, self.redis_url = stack, redis_url
        self.bases = [self.start(), self.start()]

    def start(self) -> str:
        return self.stack.enter_context(sandali_server(redis_url=self.redis_url))

    def alive(self) -> tuple[str, str]:
        for index, base in enumerate(self.bases):
            if SERVER_PROCESSES[base].poll() is not None:
                self.bases[index] = self.start()
        a, b = self.bases
        return a, b


@pytest.fixture(scope="module")
def server_pair(django_db_setup, django_db_blocker):
    with redis_server() as redis_url, ExitStack() as stack:
        if redis_url is None:
            pytest.skip("needs redis-server (Debian package redis-server; .ci/run installs it)")
        yield ServerPair(stack, redis_url)
    # As tests/servers.py module_server: the processes' task workers wrote after the last
    # test's flush, until they stopped.
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def servers(server_pair) -> tuple[str, str]:
    return server_pair.alive()


def with_room(*, opens_in: timedelta):
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = 1  # one a minute: nobody else is let in during the test
    performance.sales_start = db_now() + opens_in
    performance.save()
    return performance


def join(base: str, performance_id: int) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/performances/{performance_id}/queue",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def ask(base: str, token: str) -> dict:
    request = urllib.request.Request(f"{base}/api/v1/queue", headers={"Sandali-Queue-Token": token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_arrivals_before_opening_are_drawn_once_and_every_process_agrees(servers):
    a, b = servers
    performance = with_room(opens_in=timedelta(days=1))
    early = [join((a, b)[i % 2], performance.pk) for i in range(12)]
    assert all(p["position"] is None and not p["opened"] for p in early)
    assert early[-1]["waiting"] == 12
    # Then the sale opens, soon: once every process's terms, read at the joins, are older than
    # SANDALI_SNAPSHOT_SECONDS (1 s). Moved after the joins, not set 4 s ahead before them, so
    # that slow joins cannot straddle the opening nor need a margin.
    performance.sales_start = db_now() + timedelta(seconds=1.5)
    performance.save()
    while db_now() < performance.sales_start + timedelta(milliseconds=200):
        time.sleep(0.2)
    # Both processes ask at once after opening; the draw is done once.
    from_a = [ask(a, p["token"]) for p in early]
    from_b = [ask(b, p["token"]) for p in early]
    assert [p["position"] for p in from_a] == [p["position"] for p in from_b]
    assert sorted(p["position"] for p in from_a) == list(range(12))  # 0: let in
    assert [p["position"] for p in from_a] != list(range(12))  # 1 in 12! it is not drawn
    late = join(b, performance.pk)
    assert late["position"] == 12


def test_two_processes_keep_one_queue_and_a_killed_one_loses_no_place(servers):
    a, b = servers  # last in the module: the process it kills served the test before
    performance = with_room(opens_in=timedelta(seconds=-1))
    places = [join((a, b)[i % 2], performance.pk) for i in range(10)]
    # The first is let in at opening; the others wait in the order they came.
    assert places[0]["admitted"]
    assert [p["position"] for p in places[1:]] == list(range(1, 10))
    SERVER_PROCESSES[a].kill()  # SIGKILL: nothing of the queue lived in it
    SERVER_PROCESSES[a].wait(timeout=10)
    asked = [ask(b, p["token"]) for p in places[1:]]
    assert [p["position"] for p in asked] == list(range(1, 10))
    assert join(b, performance.pk)["position"] == 10
