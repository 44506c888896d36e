"""The surge: far more buyers than seats in the first seconds of an on-sale, with the waiting
room on, and the same crowd without it, in one run. Prints one JSON document.

    python -m bench.surge [--quick | --test-size] [--processes N] [--threads T] [--clients C]
        [--queue-processes Q] [--queue-nice K] [--auto-rate] [--room-only] [--buyers B]
        [--arrival-seconds S]

20,000 buyers arrive within 20 s (at random moments; the first 5 % before the sale opens) for
a 2,000-seat hall. With the room on each joins the queue through the API, polls as the page
does (no sooner than `poll_seconds`), stops when the queue says `sold_out`, and once admitted
buys as in the rush (bench/surge_buyers.py). The buyers run in several client processes on
uvloop (joins and polls through bench/http_client.py, buying through aiohttp), so that the
load generator is not the bottleneck, and the admitted buy in a process of their own
(bench/surge_clients.py says why); their CPU is reported.

All the buyers come from 127.0.0.1: the per-address limits (SANDALI_RATE_QUEUE_JOINS,
SANDALI_RATE_HOLDS, ...) are turned off in the app's environment, as bench/infra.py does for
every benchmark; while the room is on, the passes carry the per-buyer limits anyway.

Fairness is Kendall's tau between the order in which buyers sent their first request and the
order in which they were served: with the room, the order they were let in (read from Redis
after the run), for those who came after opening (those before are
drawn at random, on purpose); without it, the order of their first successful hold.

--test-size is the quick plan at half its size (TEST_SIZE: 1,000 buyers in 2.5 s for 100
seats), for tests/bench/test_surge.py: what must hold on any machine is checked at the same
arrival rate and crowd per seat, in less time; its figures are not the benchmark's.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import psycopg
import redis

from bench.infra import (
    AppProcess,
    django_env,
    manage,
    private_postgres,
    private_redis,
)
from bench.load import percentiles
from bench.main import integrity, log, seats_left, seed
from bench.nginx import private_nginx, read_timing_log
from bench.surge_clients import run_clients

FULL = {
    "buyers": 20_000, "arrival_seconds": 20.0, "seats": 2_000, "early_share": 0.05,
    "rate_per_minute": 3_600, "clients": 4, "connections": 100, "queue_connections": 1_500,
    "max_seconds": 300,
}  # fmt: skip
QUICK = {
    **FULL, "buyers": 2_000, "arrival_seconds": 5.0, "seats": 200, "rate_per_minute": 6_000,
    "clients": 2, "connections": 50, "queue_connections": 300, "max_seconds": 60,
}  # fmt: skip
# A test size, not a measurement (tests/bench/test_surge.py): the quick surge at half its size,
# at the same arrival rate (400 a second) and the same ten buyers a seat. Its sell-out is about
# as long (the last seats come back from releases the buyers wait 2 s to see), but the queue
# is half as long, and the queued, who poll at half their wait, learn of the sell-out sooner:
# the room's run took 12 s instead of 22 on the 2-core machine; the crowd takes half the CPU.
TEST_SIZE = {**QUICK, "buyers": 1_000, "arrival_seconds": 2.5, "seats": 100}
# The sale's terms are set, every app process sees them, the client processes start: then the
# first buyer arrives.
START_DELAY_SECONDS = 3.0
# The queue processes' gunicorn --worker-connections, as the README runs them: above the
# crowd's connections (the full plan's 4 x 1,500), so that a join the process is behind on
# waits in it, its arrival stamped, instead of in a full accept queue until nginx gives up.
QUEUE_CONNECTIONS = 10_000


def kendall_tau(order: list[float]) -> float | None:
    """Kendall's tau between the position of each item and `order` (distinct values): 1 when
    served exactly in arrival order, -1 in reverse; inversions counted by merge sort,
    O(n log n)."""
    n = len(order)
    if n < 2:
        return None
    pairs = n * (n - 1) // 2
    return round(1 - 2 * _inversions(list(order)) / pairs, 4)


def _inversions(values: list) -> int:
    count, width, n = 0, 1, len(values)
    scratch = values[:]
    while width < n:
        for low in range(0, n, 2 * width):
            middle, high = min(low + width, n), min(low + 2 * width, n)
            i, j, k = low, middle, low
            while i < middle and j < high:
                if values[j] < values[i]:
                    count += middle - i  # every item left in the left half is bigger
                    scratch[k] = values[j]
                    j += 1
                else:
                    scratch[k] = values[i]
                    i += 1
                k += 1
            scratch[k : k + middle - i] = values[i:middle]
            k += middle - i
            scratch[k : k + high - j] = values[j:high]
        values, scratch = scratch, values
        width *= 2
    return count


def set_sale(database_url: str, performance_id: int, *, room: bool, rate: int, opens_at: float):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE catalog_performance SET waiting_room = %s, waiting_room_rate = %s,"
            " sales_start = to_timestamp(%s) WHERE id = %s",
            (room, rate, opens_at, performance_id),
        )


def queue_ranks(redis_url: str, performance_id: int) -> dict[str, int]:
    """The rank of every entry of the performance's queue (the SHA-256 of its token): the
    order in which it was let in, then, for those still waiting, their order of arrival."""
    client = redis.Redis.from_url(redis_url)
    base = f"sandali:queue:{performance_id}"
    let_in = client.zrange(f"{base}:admitted", 0, -1)  # by turn
    waiting = client.zrange(f"{base}:places", 0, -1)  # by arrival
    return {entry.decode(): rank for rank, entry in enumerate([*let_in, *waiting], start=1)}


def process_cpu_seconds(pids: list[int]) -> float:
    ticks = 100  # os.sysconf("SC_CLK_TCK") on Linux
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU seconds this machine's cores have spent busy since boot (all processes: the app,
    the load generator, PostgreSQL, Redis, nginx, and anything else running)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user .. steal


def summarize(run: dict, *, room: bool, ranks: dict[str, int] | None) -> dict:
    """The figures of one run from every buyer's visit."""
    from core.tokens import hash_token

    visits, opens = run["visits"], run["opens"]
    outcomes = Counter(visit["outcome"] for visit in visits)
    holds = [ms / 1000 for visit in visits for ms in visit["hold_ms"]]
    bought = [visit["bought_at"] for visit in visits if visit["bought_at"]]
    # Those who came after opening (without the room, those who came before send their first
    # request at opening too: they are left out alike), in the order they sent it.
    after_opening = sorted(
        (
            visit
            for visit in visits
            if visit["sent_at"] and run["start"] + visit["arrival"] >= opens
        ),
        key=lambda visit: visit["sent_at"],
    )
    held = [visit["first_hold_at"] for visit in after_opening if visit["first_hold_at"]]
    summary = {
        "buyers": len(visits),
        "outcomes": dict(sorted(outcomes.items())),
        "seats_bought": sum(visit["seats_bought"] for visit in visits),
        "requests": dict(sorted(run["requests"].items())),
        "server_errors": dict(run["server_errors"]),
        "proxy_errors": dict(run["proxy_errors"]),
        "requests_without_answer": dict(run["failures"]),
        "unreadable_answers": dict(run["unreadable"]),
        "hold_latency_ms": percentiles(holds),
        "sell_out_seconds": round(max(bought) - opens, 2) if bought else None,
        "first_hold_tau": kendall_tau(held),
        "first_hold_tau_buyers": len(held),
        "load_generator_cpu_seconds": round(run["cpu_seconds"], 1),
        # How late the load generator sent each buyer's first request against its plan: a
        # generator short of CPU would stretch the surge it is meant to make.
        "first_request_late_ms": percentiles(
            [
                visit["sent_at"] - run["start"] - visit["arrival"]
                for visit in visits
                if visit["sent_at"] and run["start"] + visit["arrival"] >= opens
            ]
        ),  # fmt: skip
        "wall_seconds": round(run["wall_seconds"], 1),
    }
    if room:
        joined = [visit for visit in after_opening if visit["token"]]  # not a failed join
        order = [ranks.get(hash_token(visit["token"])) for visit in joined]
        summary["fairness_tau"] = kendall_tau([rank for rank in order if rank is not None])
        summary["fairness_tau_buyers"] = sum(rank is not None for rank in order)
        summary["admitted"] = sum(1 for visit in visits if visit["admitted_at"])
        summary["longest_queue"] = max(visit["longest_queue"] for visit in visits)
        summary["queue_polls"] = sum(visit["polls"] for visit in visits)
        summary["paused_answers"] = sum(visit["paused_answers"] for visit in visits)
        joins = [visit["queue_ms"][0] / 1000 for visit in visits if visit["queue_ms"]]
        summary["join_latency_ms"] = percentiles(joins)
        polls = [ms / 1000 for visit in visits for ms in visit["queue_ms"][1:]]
        summary["poll_latency_ms"] = percentiles(polls)
        summary["polls_per_second"] = round(len(polls) / run["wall_seconds"], 1)
        told = [v for v in visits if v["outcome"] == "told_sold_out"]
        summary["told_sold_out"] = len(told)
        summary["bought_in_own_process"] = run["handed_off"]  # bench/surge_clients.py
        summary["admitted_process_cpu_seconds"] = run["admitted_process_cpu_seconds"]
    return summary


def surge_run(
    plan: dict,
    processes: int,
    threads: int,
    queue_processes: int = 1,
    queue_nice: int = 10,
    auto_rate: bool = False,
    room_only: bool = False,
) -> dict:
    """Every request goes through nginx with the production recipe (deploy/nginx/sandali.conf),
    which stamps when each arrived (the queue places buyers by it) and sends the waiting
    room's requests to `queue_processes` app processes of their own (0: none, every request
    to every process), started with `queue_nice` (10 by default, as the README runs them: the
    admitted buyers' requests come first, and a join the queue process is behind on waits in
    its long accept queue, stamped; until 2026-11-30 that queue was short, and at nice 10
    nginx gave up on a third of the joins, docs/benchmarks.md). `auto_rate`: the room's rate
    is "auto", starting at the plan's (reservations/admission_rate.py). `room_only`: no run
    without the room (to compare settings or arrival rates faster)."""
    result: dict = {
        "plan": plan,
        "app_processes": processes,
        "queue_app_processes": queue_processes,
        "queue_processes_nice": queue_nice if queue_processes else None,
        "threads_per_process": threads,
        "auto_rate": auto_rate,
    }
    timing_log = Path(tempfile.mkdtemp(prefix="sandali-surge-")) / "nginx-timing.log"
    try:
        return _surge_run(plan, processes, threads, queue_processes, queue_nice, auto_rate,
                          room_only, result, timing_log)  # fmt: skip
    finally:
        shutil.rmtree(timing_log.parent, ignore_errors=True)


def _surge_run(plan, processes, threads, queue_processes, queue_nice, auto_rate, room_only,
               result: dict, timing_log: Path) -> dict:  # fmt: skip
    with ExitStack() as stack:
        database_url, _control = stack.enter_context(private_postgres())
        redis_url = stack.enter_context(private_redis())
        env = django_env(database_url, redis_url, SANDALI_TRUSTED_PROXIES="1",
                         SANDALI_ARRIVAL_HEADER="X-Request-Start",
                         SANDALI_WAITING_ROOM_RATE=str(plan["rate_per_minute"]))  # fmt: skip
        manage(env, "migrate", "-v0")
        log("surge: seeding")  # with the migrations, most of a quick run's minute
        ids = seed(env, {"room": plan["seats"], "no_room": plan["seats"]})
        apps = [AppProcess(env, threads=threads).start() for _ in range(processes)]
        queue_apps = [
            AppProcess(
                env,
                threads=threads,
                server="gunicorn",
                nice=queue_nice,
                connections=QUEUE_CONNECTIONS,
            ).start()
            for _ in range(queue_processes)
        ]
        for app in [*apps, *queue_apps]:
            stack.callback(app.stop)
        upstream = [f"127.0.0.1:{app.port}" for app in apps]
        proxy = stack.enter_context(
            private_nginx(
                http_upstream=upstream,
                ws_upstream=upstream[0],  # no sockets in this benchmark
                queue_upstream=[f"127.0.0.1:{app.port}" for app in queue_apps] or upstream,
                connections=2 * plan["clients"] * (plan["queue_connections"] + plan["connections"])
                + 1024,
                per_address_limits=False,
                timing_log=timing_log,
            )
        )
        pids = [pid for app in [*apps, *queue_apps] for pid in app.pids()]
        opens_in = plan["early_share"] * plan["arrival_seconds"]
        runs = {}
        both = (("waiting_room", True), ("no_waiting_room", False))
        for name, room in both[:1] if room_only else both:
            performance_id = ids["room" if room else "no_room"]
            start = time.time() + START_DELAY_SECONDS
            rate = 0 if auto_rate else plan["rate_per_minute"]
            set_sale(database_url, performance_id, room=room, rate=rate, opens_at=start + opens_in)
            time.sleep(1.1)  # every process's cached terms see it (SANDALI_SNAPSHOT_SECONDS)
            log(f"surge: {name}")
            cpu_before, busy_before = process_cpu_seconds(pids), machine_busy_seconds()
            measured_from = time.time()
            run = run_clients(plan, [proxy], [proxy], performance_id, room=room, start=start)
            busy = machine_busy_seconds() - busy_before
            cpu = process_cpu_seconds(pids) - cpu_before
            elapsed = time.time() - measured_from
            ranks = queue_ranks(redis_url, performance_id) if room else None
            runs[name] = summarize(run, room=room, ranks=ranks)
            if room and auto_rate:  # where the derived rate ended
                meta = redis.Redis.from_url(redis_url).hget(
                    f"sandali:queue:{performance_id}:meta", "rate"
                )
                runs[name]["auto_rate_at_end"] = int(meta) if meta else None
            runs[name]["app_cpu_seconds"] = round(cpu, 1)
            answered = sum(run["requests"].values()) - sum(run["failures"].values())
            runs[name]["app_cpu_ms_per_request"] = round(cpu * 1000 / max(1, answered), 2)
            # Where the cores went: the app, the load generator, and the rest (PostgreSQL,
            # Redis, nginx; anything else running on the machine counts here too).
            cores = os.cpu_count() or 1
            runs[name]["machine_busy_share"] = round(busy / (elapsed * cores), 3)
            runs[name]["other_cpu_seconds"] = round(busy - cpu - run["cpu_seconds"], 1)
            runs[name]["seats_left"] = asyncio.run(seats_left(apps[0].url, performance_id))
        result.update(runs)
        result.update(integrity(env))
    # nginx has stopped, its log written whole: the holds' answer times as the system gave them
    for name, room in both[:1] if room_only else both:
        uri = f"/api/v1/performances/{ids['room' if room else 'no_room']}/holds"
        proxy_holds = read_timing_log(timing_log, "POST", uri)
        result[name]["hold_latency_at_proxy_ms"] = percentiles(proxy_holds)
    room, bare = result["waiting_room"], result.get("no_waiting_room")
    result["admission_rate_per_minute"] = plan["rate_per_minute"]
    result["admitted_hold_p99_ms"] = room["hold_latency_ms"].get("p99")
    # The same holds timed by nginx: without the load generator's own delays on shared cores
    result["admitted_hold_at_proxy_p99_ms"] = room["hold_latency_at_proxy_ms"].get("p99")
    # Every 5xx a buyer got: Sandali's own and nginx's (the app did not answer in time).
    result["surge_5xx"] = sum(room["server_errors"].values()) + sum(room["proxy_errors"].values())
    result["fairness_tau"] = room["fairness_tau"]
    result["sell_out_seconds"] = room["sell_out_seconds"]
    result["longest_queue"] = room["longest_queue"]
    if bare is not None:
        result["no_room_hold_p99_ms"] = bare["hold_latency_ms"].get("p99")
        result["no_room_5xx"] = sum(bare["server_errors"].values()) + sum(
            bare["proxy_errors"].values()
        )
        result["no_room_first_hold_tau"] = bare["first_hold_tau"]
    return result


def surge_plan(quick: bool, test_size: bool = False) -> dict:
    return dict(TEST_SIZE if test_size else QUICK if quick else FULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 buyers, 200 seats, < 1 min")
    parser.add_argument(
        "--test-size", action="store_true", help="1,000 buyers, 100 seats: a test, no figures"
    )
    parser.add_argument("--processes", type=int, default=2, help="app processes (granian)")
    parser.add_argument("--threads", type=int, default=4, help="threads per app process")
    parser.add_argument(
        "--queue-processes", type=int, default=1, help="app processes of the queue's own (0: none)"
    )
    parser.add_argument("--queue-nice", type=int, default=10, help="their niceness (os.nice)")
    parser.add_argument("--auto-rate", action="store_true", help='the room\'s rate "auto"')
    parser.add_argument("--clients", type=int, help="client processes (load generator)")
    parser.add_argument("--room-only", action="store_true", help="no run without the room")
    parser.add_argument("--buyers", type=int, help="how many arrive (20,000; quick 2,000)")
    parser.add_argument("--arrival-seconds", type=float, help="within how long (20; quick 5)")
    args = parser.parse_args()
    plan = surge_plan(args.quick, args.test_size)
    for option, key in (("clients", "clients"), ("buyers", "buyers"),
                        ("arrival_seconds", "arrival_seconds")):  # fmt: skip
        if getattr(args, option):
            plan[key] = getattr(args, option)
    started = time.perf_counter()
    report = surge_run(
        plan, args.processes, args.threads, args.queue_processes, args.queue_nice, args.auto_rate,
        args.room_only,
    )  # fmt: skip
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
