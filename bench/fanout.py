"""Live updates at on-sale scale (issue #17 item 2): W watchers of one 2,000-seat performance
on uvicorn socket processes sharing Redis, the API on granian beside them (as production runs
them: the socket processes in Linux's idle scheduling class, README "Live updates for many
watchers"), a private PostgreSQL and Redis (bench/infra.py). Prints one JSON document.

    python -m bench.fanout [--quick] [--runs 1000x2,10000x1] [--output FILE]
        [--socket-class idle|normal] [--socket-nice N] [--client-nice N]

For each run (watchers, socket processes):
1. the API's hold latency with no watchers: an open loop of holds (each released at once) on
   another performance, for load_seconds;
2. the W watchers connect from CLIENTS client processes (bench/fanout_watchers.py) while the
   same load runs: the time until every watcher has its snapshot, and the API's hold latency
   meanwhile;
3. `holds` holds of one seat each on the watched performance, one after another, HOLD_GAP
   seconds apart: for each, the time from the hold's HTTP answer to each watcher receiving
   the change (wall clock; the clients run on this machine), and whether every watcher got
   every change (a client counts messages: the n-th after the snapshot is the n-th hold's;
   the holds start a snapshot's lifetime after the last connect, when no watcher can be sent
   the map again).
Also: the socket processes' memory per watcher and CPU, and the clients' CPU (a client that is
the bottleneck would show near a whole core)."""

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

import aiohttp

from bench.infra import ROOT, AppProcess, django_env, manage, private_postgres, private_redis
from bench.load import percentiles
from bench.main import seed

FULL = {"runs": [(1_000, 2), (10_000, 2), (10_000, 1)], "holds": 20, "load_seconds": 8}
QUICK = {"runs": [(200, 2), (1_000, 2), (1_000, 1)], "holds": 10, "load_seconds": 4}
CLIENTS = 4  # watcher processes
HOLD_GAP = 0.5  # seconds between the measured holds
LOAD_RATE = 20  # holds per second in the API's latency load
HANDSHAKES = 50  # in flight per client process
SNAPSHOT_SECONDS = 1.0  # SANDALI_SNAPSHOT_SECONDS's default, which the servers run with


def log(message: str) -> None:
    print(f"[fanout] {message}", file=sys.stderr, flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def hold_load(http, base: str, performance_id: int, seats: list[int],
                    stop: asyncio.Event) -> list[float]:  # fmt: skip
    """Holds at LOAD_RATE a second until `stop`, each released once answered; their
    latencies in seconds."""
    latencies: list[float] = []
    tasks = []
    rng = random.Random(5)

    async def one(seat: int) -> None:
        started = time.perf_counter()
        url = f"{base}/api/v1/performances/{performance_id}/holds"
        async with http.post(url, json={"seats": [seat]}) as response:
            body = await response.json()
        latencies.append(time.perf_counter() - started)
        if response.status == 201:
            headers = {"Authorization": f"Bearer {body['token']}"}
            async with http.delete(f"{base}/api/v1/holds/{body['id']}", headers=headers) as gone:
                await gone.read()

    started = time.perf_counter()
    n = 0
    while not stop.is_set():
        await asyncio.sleep(max(0.0, started + n / LOAD_RATE - time.perf_counter()))
        tasks.append(asyncio.ensure_future(one(rng.choice(seats))))
        n += 1
    await asyncio.gather(*tasks)
    return latencies


async def seat_ids(http, api: str) -> list[int]:
    async with http.get(f"{api}/seats") as response:
        return [row[0] for row in (await response.json())["seats"]]


async def start_clients(urls: list[str], watchers: int, nice: int = 0) -> list:
    """`nice` > 0: the watcher processes (the load generator, on the cores it measures) yield
    the CPU to the API and the socket processes, as browsers on other machines take none."""
    clients = []
    for n in range(CLIENTS):
        count = watchers // CLIENTS + (1 if n < watchers % CLIENTS else 0)
        spec = {"urls": urls, "count": count, "handshakes": HANDSHAKES}
        clients.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.fanout_watchers", json.dumps(spec), cwd=ROOT,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**28,
                preexec_fn=(lambda: os.nice(nice)) if nice else None,
            )
        )  # fmt: skip
    return clients


async def one_run(
    api: str, sockets: list[AppProcess], ids: dict, watchers: int, plan: dict, client_nice: int
):
    api_watched = f"{api}/api/v1/performances/{ids['watched']}"
    api_load = f"{api}/api/v1/performances/{ids['load']}"
    ws_urls = [
        f"{app.url.replace('http://', 'ws://')}/ws/performances/{ids['watched']}" for app in sockets
    ]
    pids = [app.process.pid for app in sockets]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        load_seats = await seat_ids(http, api_load)
        watched_seats = await seat_ids(http, api_watched)
        stop = asyncio.Event()
        load = asyncio.ensure_future(hold_load(http, api, ids["load"], load_seats, stop))
        await asyncio.sleep(plan["load_seconds"])
        stop.set()
        idle_latencies = await load

        memory_before = sum(rss_mb(pid) for pid in pids)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        stop = asyncio.Event()
        load = asyncio.ensure_future(hold_load(http, api, ids["load"], load_seats, stop))
        connect_started = time.time()
        clients = await start_clients(ws_urls, watchers, client_nice)
        for client in clients:
            assert (await client.stdout.readline()).strip() == b"ready"
        connected = time.time()
        stop.set()
        connecting_latencies = await load
        cpu_connected = sum(cpu_seconds(pid) for pid in pids)
        memory_after = sum(rss_mb(pid) for pid in pids)

        # A watcher that connected less than a snapshot's lifetime ago may still be sent the
        # map again (live/consumers.py); wait until none can be, so that every message from
        # now on is a change.
        await asyncio.sleep(SNAPSHOT_SECONDS + 0.5)
        measured = random.Random(9).sample(watched_seats, plan["holds"])
        answered: dict[int, float] = {}
        holds = []
        changes_started = time.time()
        for seat in measured:
            async with http.post(f"{api_watched}/holds", json={"seats": [seat]}) as response:
                body = await response.json()
                answered[seat] = time.time()
                assert response.status == 201, body
            holds.append(body)
            await asyncio.sleep(HOLD_GAP)
        cpu_changes = sum(cpu_seconds(pid) for pid in pids) - cpu_connected
        changes_seconds = time.time() - changes_started
        reports = []
        for client in clients:
            client.stdin.write(b"go\n")
            await client.stdin.drain()
            reports.append(json.loads(await client.stdout.readline()))
            await client.wait()
        for hold in holds:  # the next run measures the same seats
            headers = {"Authorization": f"Bearer {hold['token']}"}
            async with http.delete(f"{api}/api/v1/holds/{hold['id']}", headers=headers) as gone:
                await gone.read()
    return summarize(
        reports, answered, watchers=watchers, connect_started=connect_started,
        connected=connected, idle=idle_latencies, connecting=connecting_latencies,
        memory_mb=(memory_before, memory_after), cpu=(cpu_connected - cpu_before, cpu_changes),
        changes_seconds=changes_seconds, socket_processes=len(sockets),
    )  # fmt: skip


def summarize(reports, answered, *, watchers, connect_started, connected, idle, connecting,
              memory_mb, cpu, changes_seconds, socket_processes) -> dict:  # fmt: skip
    deltas, missed = [], 0
    connected_watchers = sum(report["watchers"] for report in reports)
    for n, answered_at in enumerate(answered.values()):
        times = [
            t for report in reports if n < len(report["received"]) for t in report["received"][n]
        ]
        missed += connected_watchers - len(times)
        deltas += [t - answered_at for t in times]
    delta = percentiles(deltas)
    snapshots = sorted(t for report in reports for t in report["snapshot_times"])
    failures = [failure for report in reports for failure in report["failures"]]
    idle_p, connecting_p = percentiles(idle), percentiles(connecting)
    return {
        "watchers": watchers,
        "socket_processes": socket_processes,
        "watchers_connected": connected_watchers,
        "watcher_failures": {name: failures.count(name) for name in set(failures)},
        "all_snapshots_seconds": round(snapshots[-1] - connect_started, 2) if snapshots else None,
        "connect_seconds": round(connected - connect_started, 2),
        "changes": len(answered),
        "watchers_delta_p50_ms": delta.get("p50"),
        "watchers_delta_p99_ms": delta.get("p99"),
        "watchers_delta_max_ms": round(max(deltas) * 1000, 1) if deltas else None,
        "deliveries_missed": missed,
        "every_watcher_got_every_change": missed == 0 and connected_watchers == watchers,
        "api_hold_p99_ms_no_watchers": idle_p.get("p99"),
        "api_hold_p99_ms_while_connecting": connecting_p.get("p99"),
        "api_hold_p50_ms_no_watchers": idle_p.get("p50"),
        "api_hold_p50_ms_while_connecting": connecting_p.get("p50"),
        "socket_memory_kb_per_watcher": round((memory_mb[1] - memory_mb[0]) * 1024 / watchers, 1),
        # CPU time is what a busy machine distorts least: the figures to compare across runs.
        "socket_cpu_ms_per_connect": round(cpu[0] * 1000 / watchers, 3),
        "socket_cpu_us_per_watcher_per_change": round(
            cpu[1] * 1e6 / (watchers * max(1, len(answered))), 1
        ),
        "socket_cpu_share_during_changes": round(cpu[1] / changes_seconds, 3),
        "clients": CLIENTS,
        "client_cpu_share_connecting": [report["connect_cpu_share"] for report in reports],
        "client_cpu_share_during_changes": [report["changes_cpu_share"] for report in reports],
    }


def run(plan: dict, socket_nice: int = 0, client_nice: int = 19, socket_idle: bool = True) -> dict:
    """`socket_idle`: the socket processes in Linux's idle scheduling class, as the README runs
    them beside the API (else at `socket_nice`); `client_nice`: the watcher processes' (the
    load generator's) niceness, so that on the cores it measures it takes CPU last."""
    with private_postgres() as (database_url, _control), private_redis() as redis_url:
        env = django_env(database_url, redis_url, SANDALI_MAX_SOCKETS_PER_CLIENT="0")
        manage(env, "migrate", "-v0")
        log("seeding")
        ids = seed(env, {"watched": 2_000, "load": 20_000})
        api = AppProcess(env, workers=2, threads=4).start()
        results = []
        try:
            for watchers, processes in plan["runs"]:
                log(f"{watchers} watchers on {processes} socket process(es)")
                sockets = [
                    AppProcess(
                        env, server="uvicorn", nice=socket_nice, idle_class=socket_idle
                    ).start()
                    for _ in range(processes)
                ]
                try:
                    measured = one_run(api.url, sockets, ids, watchers, plan, client_nice)
                    results.append(asyncio.run(measured))
                finally:
                    for app in sockets:
                        app.stop()
        finally:
            api.stop()
    return {
        "runs": results,
        "socket_processes_nice": socket_nice,
        "watcher_clients_nice": client_nice,
        "socket_processes_sched_idle": socket_idle,
        **headline(results),
    }


def headline(results: list[dict]) -> dict:
    """The figures issue #17 asks for, by number of watchers, on the most socket processes;
    and what a second socket process buys at the largest number."""
    by_size: dict[str, dict] = {}
    most = max(result["socket_processes"] for result in results)
    for result in results:
        if result["socket_processes"] == most:
            by_size[str(result["watchers"])] = {
                key: result[key]
                for key in ("watchers_delta_p50_ms", "watchers_delta_p99_ms",
                            "every_watcher_got_every_change", "all_snapshots_seconds",
                            "api_hold_p99_ms_no_watchers", "api_hold_p99_ms_while_connecting")
            }  # fmt: skip
    largest = max(result["watchers"] for result in results)
    scale = {r["socket_processes"]: r for r in results if r["watchers"] == largest}
    scale_out = {}
    if len(scale) > 1:
        one, two = scale[min(scale)], scale[max(scale)]
        scale_out = {
            "watchers": largest,
            "delta_p99_ms": {str(k): r["watchers_delta_p99_ms"] for k, r in scale.items()},
            "all_snapshots_seconds": {str(k): r["all_snapshots_seconds"] for k, r in scale.items()},
            "delta_p99_ratio_one_to_more": round(
                one["watchers_delta_p99_ms"] / max(0.01, two["watchers_delta_p99_ms"]), 2
            ),
        }
    return {"by_watchers": by_size, "scale_out": scale_out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 watchers")
    parser.add_argument(
        "--runs", help="watchers x socket processes, e.g. 1000x2,10000x1 (instead of the plan's)"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    parser.add_argument(
        "--socket-nice",
        type=int,
        default=0,
        help="the socket processes' niceness (os.nice), with --socket-class normal",
    )
    parser.add_argument(
        "--client-nice", type=int, default=19, help="the watcher processes' niceness (os.nice)"
    )
    parser.add_argument(
        "--socket-class",
        choices=["idle", "normal"],
        default="idle",
        help="the socket processes' scheduling class (idle: SCHED_IDLE, as the README runs them)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.runs:
        runs = [tuple(map(int, run.split("x"))) for run in args.runs.split(",")]
        plan = {**plan, "runs": runs}
    if args.socket_nice and args.socket_class == "idle":
        parser.error("--socket-nice weighs a normal process's share: with --socket-class normal")
    measured = run(plan, args.socket_nice, args.client_nice, args.socket_class == "idle")
    report = {"quick": args.quick, "cpus": os.cpu_count(), **measured}
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
