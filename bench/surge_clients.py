"""The surge's load generator: the crowd split over client processes (bench/surge_buyers.py),
and, with the waiting room on, one more process that buys for the admitted.

Why a process of its own for the admitted: the crowd's processes each carry thousands of
buyers joining and polling on the same 2 cores as the app, and a hold timed in one of them
waited for that process's event loop as well as for the system. Until 2026-11-30 the
admitted buyers bought there: nginx timed their holds at p99 65-91 ms while the load generator
timed the same holds at 90-168 ms. A buyer's browser runs on its own device; the admitted's
process, with a few hundred buyers at most, times their holds closer to how the browsers
would (it still shares the 2 cores, and parses each map it loads: docs/benchmarks.md has the
gap that is left). Without the room every buyer buys in the crowd's processes, as a crowd
with no room does."""

import multiprocessing
import random
import time
from collections import Counter
from dataclasses import replace

from bench.surge_buyers import HANDED_OFF, ClientPlan, client_process

COUNTERS = ("requests", "server_errors", "failures", "unreadable", "proxy_errors")


def _child(plan: ClientPlan, pipe, admitted: bool = False) -> None:
    result = client_process(plan, admitted)
    if plan.handoff is not None and not admitted:
        # Every visit handed over is in the queue before the parent, told this process is
        # done, puts the end after them (a put only hands the item to a feeder thread).
        plan.handoff.close()
        plan.handoff.join_thread()
    pipe.send(result)
    pipe.close()


def run_clients(
    plan: dict,
    bases: list[str],
    queue_bases: list[str],
    performance_id: int,
    *,
    room: bool,
    start: float,
) -> dict:
    """The crowd, split over plan["clients"] processes, arriving from `start` (epoch), and with
    the room the admitted's process; their results merged (each handed-over visit completed
    with what its buying did)."""
    rng = random.Random(17)
    arrivals = sorted(rng.uniform(0, plan["arrival_seconds"]) for _ in range(plan["buyers"]))
    opens_in = plan["early_share"] * plan["arrival_seconds"]
    context = multiprocessing.get_context("fork")
    handoff = context.Queue() if room else None
    base_plan = ClientPlan(
        bases=bases, queue_bases=queue_bases, performance_id=performance_id, room=room,
        start=start, opens=start + opens_in, connections=plan["connections"],
        queue_connections=plan["queue_connections"], arrivals=[],
        deadline=start + plan["max_seconds"], seed=0, handoff=handoff,
    )  # fmt: skip
    children = []
    for index in range(plan["clients"]):
        client_plan = replace(
            base_plan,
            arrivals=[(n, t) for n, t in enumerate(arrivals) if n % plan["clients"] == index],
            seed=index + (100 if room else 0),
        )
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(client_plan, sender))
        process.start()
        sender.close()  # the child's copy is the only one: its death ends recv() (EOFError)
        children.append((process, receiver))
    admitted = None
    if room:
        buying_plan = replace(base_plan, connections=plan["connections"] * plan["clients"])
        receiver, sender = context.Pipe(duplex=False)
        admitted = context.Process(target=_child, args=(buying_plan, sender, True))
        admitted.start()
        sender.close()
    results = [receiver.recv() for _process, receiver in children]
    if room:
        handoff.put(None)  # every crowd process has handed over all it will
        results.append(receiver.recv())
        admitted.join()
    for process, _receiver in children:
        process.join()
    return _merged(results, start=start, opens=start + opens_in)


def _merged(results: list[dict], *, start: float, opens: float) -> dict:
    merged = {"visits": [], **{name: Counter() for name in COUNTERS}, "cpu_seconds": 0.0}
    bought: dict[int, dict] = {}
    for result in results:
        if isinstance(result["visits"], dict):  # the admitted's: by buyer number
            bought.update(result["visits"])
            merged["admitted_process_cpu_seconds"] = round(result["cpu_seconds"], 1)
        else:
            merged["visits"].extend(result["visits"])
        for name in COUNTERS:
            merged[name].update(result[name])
        merged["cpu_seconds"] += result["cpu_seconds"]
    handed = [visit for visit in merged["visits"] if visit["outcome"] == HANDED_OFF]
    for visit in handed:
        visit.update(bought.pop(visit["n"]))
    assert not bought, "bought for buyers no crowd process handed over"
    merged["handed_off"] = len(handed)
    merged["start"], merged["opens"] = start, opens
    merged["wall_seconds"] = time.time() - start
    return merged
