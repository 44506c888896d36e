"""bench/run: Sandali under an on-sale rush, beside the bare-database limit and the naive
capacity design, measured in the same run on the same machine. Prints one JSON document."""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import psycopg

from bench.backends import SandaliHttp
from bench.infra import (
    ROOT,
    AppProcess,
    django_env,
    manage,
    peak_memory_mb,
    private_postgres,
    private_redis,
    setup_django,
)
from bench.load import SeatView, closed_loop, open_loop, percentiles

FULL = {
    "throughput_seats": 200_000, "throughput_seconds": 20, "buyers": 200,
    "latency_seconds": 30, "growth": [1_000, 10_000, 100_000], "reads_seats": 20_000,
    "rush_seats": 2_000, "sqlite_seats": 20_000, "sqlite_seconds": 10,
    "concurrency": [1, 5, 10, 25, 50, 100, 200, 400], "concurrency_seconds": 8,
    "warmup_seconds": 5,
}  # fmt: skip
QUICK = {
    **FULL, "throughput_seats": 50_000, "throughput_seconds": 6, "latency_seconds": 6,
    "growth": [1_000, 10_000, 100_000], "sqlite_seconds": 4, "sqlite_seats": 5_000,
    "concurrency": [1, 10, 50, 200], "concurrency_seconds": 3, "warmup_seconds": 2,
}  # fmt: skip


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def seed(env: dict, spec: dict) -> dict[str, int]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.seed", json.dumps(spec)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


def integrity(env: dict) -> dict:
    """Seats sold twice and audit inconsistencies, read from the database after a run."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.integrity"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


async def http_view(bases: list[str], performance_id: int) -> SeatView:
    async with aiohttp.ClientSession() as session:
        free = await SandaliHttp(session, bases, performance_id).load_map()
    return SeatView(free or [])


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))


async def run_sandali(bases, performance_id, *, buyers, seconds, reload_map):
    view = await http_view(bases, performance_id)
    async with session() as http:
        # One client per buyer: each keeps its own seat map and ETag.
        backends = [SandaliHttp(http, bases, performance_id) for _ in range(buyers)]
        stats, elapsed = await closed_loop(
            backends, view, buyers=buyers, seconds=seconds, reload_map=reload_map
        )
    return stats.summary(elapsed)


async def run_limit(database_url, performance_id, *, buyers, seconds, reload_map):
    from bench.limit import BareDatabaseBuyer  # needs Django set up: see postgres_run

    connections = [await psycopg.AsyncConnection.connect(database_url) for _ in range(buyers)]
    try:
        backends = [BareDatabaseBuyer(c, performance_id) for c in connections]
        view = SeatView(await backends[0].load_map())
        stats, elapsed = await closed_loop(
            backends, view, buyers=buyers, seconds=seconds, reload_map=reload_map
        )
    finally:
        for connection in connections:
            await connection.close()
    return stats.summary(elapsed)


async def run_latency(bases, performance_id, *, rate, seconds):
    view = await http_view(bases, performance_id)
    async with session() as http:
        stats, elapsed = await open_loop(
            SandaliHttp(http, bases, performance_id), view, rate=rate, seconds=seconds
        )
    summary = stats.summary(elapsed)
    summary["arrival_rate_per_s"] = round(rate, 1)
    summary["hold_p99_ms"] = summary["latency_ms"].get("hold", {}).get("p99")
    summary["checkout_p99_ms"] = summary["latency_ms"].get("checkout", {}).get("p99")
    return summary


async def timed_gets(url: str, count: int, headers=None) -> dict:
    samples = []
    async with session() as http:
        for _ in range(count):
            started = time.perf_counter()
            async with http.get(url, headers=headers or {}) as response:
                body = await response.read()
                status = response.status
            samples.append(time.perf_counter() - started)
    return {**percentiles(samples), "status": status, "bytes": len(body)}


async def seats_left(base: str, performance_id: int) -> int:
    async with session() as http, http.get(f"{base}/api/v1/performances/{performance_id}") as r:
        body = await r.json()
    return sum(t["available"] for section in body["sections"] for t in section["ticket_types"])


async def run_concurrency(bases, performance_id: int, levels: list[int], seconds: float) -> list:
    """Throughput and latency as the number of buyers who never pause grows."""
    points = []
    for buyers in levels:
        summary = await run_sandali(
            bases, performance_id, buyers=buyers, seconds=seconds, reload_map=False
        )
        points.append(
            {
                "buyers": buyers,
                "orders_per_s": summary["orders_per_s"],
                "hold_p50_ms": summary["latency_ms"]["hold"]["p50"],
                "hold_p99_ms": summary["latency_ms"]["hold"]["p99"],
                "checkout_p99_ms": summary["latency_ms"]["checkout"]["p99"],
            }
        )
    return points


async def run_growth(bases, performances: dict[str, int]) -> dict:
    result = {}
    for size, performance_id in performances.items():
        view = await http_view(bases, performance_id)
        async with session() as http:
            backend = SandaliHttp(http, bases, performance_id)
            stats, elapsed = await closed_loop(
                [backend], view, buyers=4, seconds=4, reload_map=False, seed=3
            )
        availability = await timed_gets(f"{bases[0]}/api/v1/performances/{performance_id}", 100)
        result[size] = {
            "hold_p50_ms": stats.summary(elapsed)["latency_ms"]["hold"]["p50"],
            "availability_p50_ms": availability["p50"],
        }
    sizes = list(result)
    result["hold_p50_ratio_largest_to_smallest"] = round(
        result[sizes[-1]]["hold_p50_ms"] / result[sizes[0]]["hold_p50_ms"], 2
    )
    return result


async def run_reads(cached_base: str, cold_base: str, performance_id: int) -> dict:
    url = f"/api/v1/performances/{performance_id}/seats"
    cold = await timed_gets(f"{cold_base}{url}", 20)
    warm = await timed_gets(f"{cached_base}{url}", 50)
    async with session() as http, http.get(f"{cached_base}{url}") as response:
        etag = response.headers["ETag"]
        await response.read()
    not_modified = await timed_gets(f"{cached_base}{url}", 200, {"If-None-Match": etag})
    return {"seat_map_cold": cold, "seat_map_cached": warm, "seat_map_304": not_modified}


def naive_comparison(env: dict, performance_id: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.naive", str(performance_id)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    figures["naive_ratio"] = round(figures["naive_ms"] / figures["sandali_ms"], 1)
    figures["naive_ratio_uncached"] = round(figures["naive_ms"] / figures["grouped_query_ms"], 2)
    return figures


def stranded_comparison(env: dict, seats: int) -> dict:
    """Stranded single seats at sell-out, best available against buyers picking by hand
    (bench/stranded.py): counts from a fixed seed, not timings."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.stranded", str(seats)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


def postgres_run(plan: dict, processes: int, threads: int) -> dict:
    result: dict = {"app_processes": processes, "threads_per_process": threads}
    with private_postgres() as (database_url, _control), private_redis() as redis_url:
        env = django_env(database_url, redis_url)
        setup_django(env)  # the limit runs the inventory's own statements (bench/limit.py)
        manage(env, "migrate", "-v0")
        log("seeding")
        spec = {
            "throughput": plan["throughput_seats"],
            "rush": plan["rush_seats"],
            "rush_limit": plan["rush_seats"],
            "reads": [plan["reads_seats"], 3],
            **{f"growth_{size}": size for size in plan["growth"]},
        }
        ids = seed(env, spec)
        apps = [AppProcess(env, threads=threads).start() for _ in range(processes)]
        cold_app = AppProcess({**env, "SANDALI_SNAPSHOT_SECONDS": "0"}, threads=2).start()
        bases = [app.url for app in apps]
        try:
            log("warm-up")  # connections, prepared statements, caches, as in a running site
            asyncio.run(
                run_sandali(bases, ids["throughput"], buyers=plan["buyers"],
                            seconds=plan["warmup_seconds"], reload_map=False)
            )  # fmt: skip
            log("throughput (Sandali)")
            sandali = asyncio.run(
                run_sandali(bases, ids["throughput"], buyers=plan["buyers"],
                            seconds=plan["throughput_seconds"], reload_map=False)
            )  # fmt: skip
            log("throughput (the limit)")
            limit = asyncio.run(
                run_limit(database_url, ids["throughput"], buyers=plan["buyers"],
                          seconds=plan["throughput_seconds"], reload_map=False)
            )  # fmt: skip
            result["throughput"] = {
                "seats": plan["throughput_seats"],
                "buyers": plan["buyers"],
                "sandali": sandali,
                "limit": limit,
                "orders_per_s": sandali["orders_per_s"],
                "limit_ratio": round(sandali["orders_per_s"] / limit["orders_per_s"], 3),
            }
            log("rush")
            rush = asyncio.run(
                run_sandali(
                    bases, ids["rush"], buyers=plan["buyers"], seconds=None, reload_map=True
                )
            )
            rush_limit = asyncio.run(
                run_limit(database_url, ids["rush_limit"], buyers=plan["buyers"], seconds=None,
                          reload_map=True)
            )  # fmt: skip
            left = asyncio.run(seats_left(bases[0], ids["rush"]))
            result["rush"] = {
                "seats_left_unsold": left,
                "seats": plan["rush_seats"],
                "sandali": rush,
                "limit": rush_limit,
                "sell_out_seconds": rush["seconds"],
                "limit_sell_out_seconds": rush_limit["seconds"],
                "sell_out_ratio": round(rush["seconds"] / rush_limit["seconds"], 2),
            }
            log("latency (open loop)")
            rate = max(1.0, sandali["holds_per_s"] / 2)
            result["latency"] = asyncio.run(
                run_latency(bases, ids["throughput"], rate=rate, seconds=plan["latency_seconds"])
            )
            log("concurrency")
            result["concurrency"] = asyncio.run(
                run_concurrency(bases, ids["throughput"], plan["concurrency"],
                                plan["concurrency_seconds"])
            )  # fmt: skip
            log("growth")
            growth_ids = {f"{size}_seats": ids[f"growth_{size}"] for size in plan["growth"]}
            result["growth"] = asyncio.run(run_growth(bases, growth_ids))
            log("reads")
            result["reads"] = asyncio.run(run_reads(bases[0], cold_app.url, ids["reads"]))
            result["reads"]["availability"] = naive_comparison(env, ids["reads"])
            log("stranded seats")  # a count: the apps stand idle meanwhile
            result["stranded_seats"] = stranded_comparison(env, plan["rush_seats"])
            result["peak_memory_mb_per_app_process"] = max(
                peak_memory_mb(app.pids()) for app in apps
            )
        finally:
            for app in [*apps, cold_app]:
                app.stop()
        result.update(integrity(env))
    return result


def sqlite_run(plan: dict) -> dict:
    """The same buyers against one app process on SQLite."""
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"sandali-bench-sqlite-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = django_env(database_url, "")
    manage(env, "migrate", "-v0")
    ids = seed(env, {"throughput": plan["sqlite_seats"], "rush": plan["rush_seats"]})
    app = AppProcess(env, server="uvicorn").start()  # as scripts/run serves it
    try:
        throughput = asyncio.run(
            run_sandali([app.url], ids["throughput"], buyers=50, seconds=plan["sqlite_seconds"],
                        reload_map=False)
        )  # fmt: skip
        rush = asyncio.run(
            run_sandali([app.url], ids["rush"], buyers=50, seconds=None, reload_map=True)
        )
        memory = peak_memory_mb(app.pids())
    finally:
        app.stop()
    return {
        "app_processes": 1,
        "throughput": {"seats": plan["sqlite_seats"], "buyers": 50, "sandali": throughput},
        "rush": {"seats": plan["rush_seats"], "buyers": 50, "sandali": rush},
        "peak_memory_mb_per_app_process": memory,
        **integrity(env),
    }


def map_phone_run(quick: bool) -> dict:
    """The buyer's seat map on a throttled phone in Chromium (bench/map_phone.py), in its own
    process: it starts its own server on its own SQLite database."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.map_phone", *(["--quick"] if quick else [])],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout)


def fanout_run(quick: bool) -> dict:
    """Live updates to many watchers (bench/fanout.py), in its own process: it starts its own
    PostgreSQL, Redis, API and socket processes."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.fanout", *(["--quick"] if quick else [])],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(output.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small version, under 3 minutes")
    parser.add_argument("--processes", type=int, default=2, help="app processes (granian)")
    parser.add_argument("--threads", type=int, default=4, help="threads per app process")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--no-browser", action="store_true", help="skip the phone map run")
    parser.add_argument("--no-surge", action="store_true", help="skip the surge (bench/surge.py)")
    parser.add_argument("--no-fanout", action="store_true", help="skip the live fan-out run")
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "quick": args.quick,
        "postgresql": postgres_run(plan, args.processes, args.threads),
    }
    if not args.no_sqlite:
        log("sqlite")
        report["sqlite"] = sqlite_run(plan)
    if not args.no_surge:
        from bench.surge import surge_plan, surge_run  # it imports this module's helpers

        log("surge (waiting room)")
        report["surge"] = surge_run(surge_plan(args.quick), args.processes, args.threads)
    if not args.no_browser:
        log("the seat map on a phone (Chromium)")
        report["map_phone"] = map_phone_run(args.quick)
    if not args.no_fanout:
        log("live updates to many watchers")
        report["fanout"] = fanout_run(args.quick)
    report["seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
