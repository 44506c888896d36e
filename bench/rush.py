"""The rush alone: bench/main.py's rush phase (the 2,000-seat hall sold out by 200 buyers who
reload the map before each visit, then the bare client on its twin), without the other phases,
to iterate on it. Prints one JSON document.

    python -m bench.rush [--quick] [--processes N] [--threads T] [--repeat N] [--sample-waits]
                         [--seats N]

The setup is bench/main.py's: private PostgreSQL and Redis, the same seed, N granian
processes (the README's API server; --server gunicorn for gunicorn's threaded workers), the
same warm-up on a large performance. With --repeat each round sells out a fresh pair of halls,
Sandali then the bare client, so the ratios of one sitting can be compared.
--sample-waits says where the database connections spend the rush (WaitSampler).

--seats N is a test size, not a measurement (tests/bench/test_rush.py): the rush halls have N
seats (a multiple of 50, the seed's row) instead of the plan's 2,000, and unless --throughput
is asked the warm-up runs on a hall of WARMUP_SEATS instead of the plan's throughput hall
(50,000 quick, 200,000 full), which only a throughput round needs. Seeding and selling out
then take seconds, not a minute; the same buyers still race for every seat on both sides. The
figures of such a run are not comparable with the plan's: no --seats for those."""

import argparse
import asyncio
import json
import os
import threading
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

import psycopg

from bench.backends import SandaliHttp
from bench.infra import (
    AppProcess,
    django_env,
    manage,
    private_postgres,
    private_redis,
    setup_django,
)
from bench.load import closed_loop
from bench.main import (
    FULL,
    QUICK,
    http_view,
    integrity,
    log,
    run_limit,
    run_sandali,
    seats_left,
    seed,
    session,
)  # fmt: skip
from bench.surge import machine_busy_seconds

# The warm-up hall at a test size (--seats): the warm-up's buyers never reload the map and stop
# when it shows nothing free, so the hall must outlast the warm-up. Its 200 buyers sold about
# 500 seats in the quick plan's 2 seconds on the 2-core machine; seeding 5,000 seats takes
# half a second, the quick plan's 50,000 five.
WARMUP_SEATS = 5_000


class WaitSampler:
    """Samples pg_stat_activity every 20 ms while running. Sandali's app processes hold one
    connection per thread, so the samples say whether its requests wait on a lock, on the
    WAL's flush (a commit) or on the app (idle in transaction: Python between statements), and
    how many of its threads are in the database at all."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.samples: Counter = Counter()
        self.busy: Counter = Counter()
        self.count = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self) -> "WaitSampler":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def run(self) -> None:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.stopped.wait(0.02):
                rows = connection.execute(
                    """SELECT state, coalesce(wait_event_type || ':' || wait_event, 'running')
                       FROM pg_stat_activity
                       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
                         AND datname = current_database()"""
                ).fetchall()
                self.count += 1
                self.busy[sum(1 for state, _ in rows if state != "idle")] += 1
                self.samples.update(f"{state} / {wait}" for state, wait in rows if state != "idle")

    def summary(self) -> dict:
        """Connections in each (state / wait event), on average per sample, and how often N
        connections were not idle."""
        n = max(1, self.count)
        return {
            "samples": self.count,
            "mean_connections": {k: round(v / n, 2) for k, v in self.samples.most_common()},
            "not_idle_histogram": dict(sorted(self.busy.items())),
        }


def cpu_seconds(apps: list[AppProcess]) -> list[float]:
    """User + system CPU each app process (its server's main process and workers) has used
    so far."""
    tick = os.sysconf("SC_CLK_TCK")
    result = []
    for app in apps:
        total = 0
        for pid in app.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        result.append(round(total / tick, 2))
    return result


def cpu_used(apps: list[AppProcess], before: list[float]) -> list[float]:
    return [round(after - first, 2) for after, first in zip(cpu_seconds(apps), before, strict=True)]


def cpu_split(machine_before: float, client_before: float, app: float) -> dict:
    machine = machine_busy_seconds() - machine_before
    client = time.process_time() - client_before
    return {
        "machine": round(machine, 1),
        "app": round(app, 1),
        "client": round(client, 1),
        "rest": round(machine - app - client, 1),
    }


def throughput_round(apps: list[AppProcess], performance_id: int, buyers: int, seconds: float):
    """bench/main.py's throughput scenario (one shared map, no reloads), with each app
    process's CPU: whether the load generator's requests reach the processes evenly."""
    before = cpu_seconds(apps)
    summary = asyncio.run(
        run_sandali([app.url for app in apps], performance_id, buyers=buyers, seconds=seconds,
                    reload_map=False)
    )  # fmt: skip
    return {"sandali": summary, "app_cpu_seconds": cpu_used(apps, before)}


async def sandali_rush(bases: list[str], performance_id: int, buyers: int, map_format: str):
    """bench/main.py run_sandali with reload_map, the map in `map_format`."""
    view = await http_view(bases, performance_id)
    async with session() as http:
        backends = [SandaliHttp(http, bases, performance_id, map_format) for _ in range(buyers)]
        stats, elapsed = await closed_loop(
            backends, view, buyers=buyers, seconds=None, reload_map=True
        )
    return stats.summary(elapsed)


def rush_round(
    apps: list[AppProcess], database_url: str, sandali_id: int, limit_id: int, buyers: int,
    sample_waits: bool = False, map_format: str = "columns",
) -> dict:  # fmt: skip
    bases = [app.url for app in apps]
    waits = {}
    before, machine, client = cpu_seconds(apps), machine_busy_seconds(), time.process_time()
    with WaitSampler(database_url) if sample_waits else nullcontext() as sampler:
        rush = asyncio.run(sandali_rush(bases, sandali_id, buyers, map_format))
    app_cpu = cpu_used(apps, before)
    # Where the cores went: the app processes, this process (the load generator) and the rest
    # (PostgreSQL, Redis and anything else running).
    rush["cpu_seconds"] = cpu_split(machine, client, sum(app_cpu))
    if sampler:
        waits["sandali"] = sampler.summary()
    machine, client = machine_busy_seconds(), time.process_time()
    with WaitSampler(database_url) if sample_waits else nullcontext() as sampler:
        limit = asyncio.run(
            run_limit(database_url, limit_id, buyers=buyers, seconds=None, reload_map=True)
        )
    limit["cpu_seconds"] = cpu_split(machine, client, 0)
    if sampler:
        waits["limit"] = sampler.summary()
    return {
        **({"database_waits": waits} if waits else {}),
        "seats_left_unsold": asyncio.run(seats_left(bases[0], sandali_id)),
        "map_format": map_format,
        "sandali": rush,
        "app_cpu_seconds": app_cpu,
        "limit": limit,
        "sell_out_seconds": rush["seconds"],
        "limit_sell_out_seconds": limit["seconds"],
        "sell_out_ratio": round(rush["seconds"] / limit["seconds"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the quick plan's warm-up")
    parser.add_argument("--processes", type=int, default=2, help="app processes (granian)")
    parser.add_argument("--threads", type=int, default=4, help="threads per app process")
    parser.add_argument(
        "--server", choices=["granian", "gunicorn"], default="granian",
        help="the app processes' WSGI server",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="rounds, each on fresh halls")
    parser.add_argument(
        "--throughput", type=float, default=0, help="also SECONDS of the throughput scenario"
    )
    parser.add_argument(
        "--map-formats", default="columns",
        help="rows, columns or rows,columns: the rounds alternate them (as the page: columns)",
    )  # fmt: skip
    parser.add_argument(
        "--sample-waits", action="store_true", help="sample pg_stat_activity during each phase"
    )
    parser.add_argument(
        "--seats", type=int, default=0,
        help="a test size: N seats per rush hall (a multiple of 50), a small warm-up hall",
    )  # fmt: skip
    args = parser.parse_args()
    if args.seats and (args.seats < 50 or args.seats % 50):
        parser.error("--seats is a multiple of 50 (the seed's rows have 50 seats)")
    plan = QUICK if args.quick else FULL
    if args.seats:
        plan = {**plan, "rush_seats": args.seats}
        if not args.throughput:
            plan["throughput_seats"] = WARMUP_SEATS
    started = time.perf_counter()
    report: dict = {
        "app_processes": args.processes,
        "threads_per_process": args.threads,
        "server": args.server,
        **({"test_size_seats": args.seats} if args.seats else {}),
    }
    with private_postgres() as (database_url, _control), private_redis() as redis_url:
        env = django_env(database_url, redis_url)
        setup_django(env)  # the bare client runs the inventory's own statements
        manage(env, "migrate", "-v0")
        log("seeding")
        spec = {"throughput": plan["throughput_seats"]}
        for n in range(args.repeat):
            spec |= {f"rush_{n}": plan["rush_seats"], f"rush_limit_{n}": plan["rush_seats"]}
        ids = seed(env, spec)
        apps = [
            AppProcess(env, threads=args.threads, server=args.server).start()
            for _ in range(args.processes)
        ]
        bases = [app.url for app in apps]
        try:
            log("warm-up")
            asyncio.run(
                run_sandali(bases, ids["throughput"], buyers=plan["buyers"],
                            seconds=plan["warmup_seconds"], reload_map=False)
            )  # fmt: skip
            if args.throughput:
                log("throughput")
                report["throughput"] = throughput_round(
                    apps, ids["throughput"], plan["buyers"], args.throughput
                )
            rounds = []
            formats = args.map_formats.split(",")
            for n in range(args.repeat):
                log(f"rush {n + 1} of {args.repeat}")
                rounds.append(
                    rush_round(apps, database_url, ids[f"rush_{n}"], ids[f"rush_limit_{n}"],
                               plan["buyers"], args.sample_waits, formats[n % len(formats)])
                )  # fmt: skip
        finally:
            for app in apps:
                app.stop()
        report["rush"] = rounds
        report.update(integrity(env))
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
