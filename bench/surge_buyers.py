"""The surge's buyers, in one client process of several (bench/surge.py starts them): each
arrives at its planned moment; while the waiting room is on it joins the queue through the API
and asks where it stands no sooner than the answer's `poll_seconds`, stops when the queue says
`sold_out`, and once admitted buys as in the rush (bench/load.py): loads the seat map (in
columns, as the page does), holds
1-4 seats that look free with its pass, then checks out (70 %) or gives them back (30 %), and
leaves. Without the room it does the same at once (at opening, if it came before).

Every answer over 499 is counted, by kind of request and status, Sandali's (problem+json) apart
from the proxy's own error pages (HTML: the app did not answer in time); so is every request
that never got an answer (a timeout, a refused connection), and every answer under 500 that
is not the JSON the API sends."""

import asyncio
import json
import random
import resource
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import aiohttp
import uvloop

from bench.backends import free_in_columns
from bench.http_client import Answer, NoAnswer, Pool

HOLD_ATTEMPTS = 6  # hold requests before a buyer gives up (a pass allows more)
SOLD_OUT_WAIT_SECONDS = 2  # nothing free but seats held: they may come back
# Looks at a map with nothing free (every seat left held) before a buyer gives up: a real
# buyer does not reload twice a second for minutes (until 2026-11-30 the surge's did, and
# stranded holds turned into tens of thousands of map reads).
NOTHING_FREE_LOOKS = 6
REQUEST_SECONDS = 60


@dataclass
class Visit:
    """What one buyer did; times are epoch seconds (every client process shares the clock)."""

    n: int
    arrival: float  # planned, seconds after the start
    sent_at: float | None = None  # its first request (the join; without a room, the map)
    token: str | None = None
    admitted_at: float | None = None
    first_hold_at: float | None = None
    bought_at: float | None = None
    seats_bought: int = 0
    outcome: str = "unfinished"
    polls: int = 0
    paused_answers: int = 0  # answers that said admission is paused (no seat free)
    longest_queue: int = 0  # the most buyers waiting that an answer showed
    hold_ms: list[float] = field(default_factory=list)
    queue_ms: list[float] = field(default_factory=list)  # the join, then each poll


@dataclass(frozen=True)
class ClientPlan:
    bases: list[str]  # the app processes that serve buying (the map, holds, checkouts)
    queue_bases: list[str]  # those that serve joins and polls (the same, or their own)
    performance_id: int
    room: bool
    start: float  # epoch: arrival offsets count from here
    opens: float  # epoch: the sale opens
    arrivals: list[tuple[int, float]]  # (buyer number, seconds after the start)
    connections: int  # for buying
    queue_connections: int  # for joins and polls
    deadline: float  # epoch: a buyer still busy then stops, "unfinished"
    seed: int
    # With the room: a multiprocessing queue to the process that buys for the admitted
    # (admitted_process); None: each buyer buys here, as without the room.
    handoff: object = None


class AiohttpPool:
    """Buying (the map, holds, checkouts) goes through aiohttp, as in every surge run before
    2026-11-30: with bench/http_client.py for it too, the run without the room went another
    way (its buyers' holds waited 60 s, not 0.2-3.6 s, and mostly found their seats taken;
    in the quick form 5,475 holds against 814), a difference in how the two clients load the
    app that is not understood yet. The queue's joins and polls, most of the requests and of
    the load generator's CPU, use the small client."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def request(self, method: str, url: str, *, json_body=None, headers=None) -> Answer:
        try:
            async with self.session.request(
                method, url, json=json_body, headers=headers
            ) as response:
                body = await response.read()
                names = {name.lower(): value for name, value in response.headers.items()}
                return Answer(response.status, names, body)
        except aiohttp.ClientError as error:
            raise NoAnswer(str(error)) from error


class Client:
    """The process's buyers' HTTP, counting what went wrong. Queueing (joins and polls) and
    buying go through two pools of connections, so that an admitted buyer's hold never waits
    in this process behind the crowd's joins: as if each browser had its own connection."""

    QUEUEING = ("join", "poll")

    def __init__(self, queueing: Pool, buying: "AiohttpPool", plan):
        self.pools = {"queueing": queueing, "buying": buying}
        self.plan = plan
        self.requests: Counter = Counter()  # by kind
        self.server_errors: Counter = Counter()  # "kind status": Sandali's answers over 499
        self.proxy_errors: Counter = Counter()  # "kind status": the proxy's own, over 499
        self.failures: Counter = Counter()  # "kind ExceptionName": no answer
        self.unreadable: Counter = Counter()  # "kind status": an answer under 500, not JSON

    async def call(self, n: int, kind: str, method: str, path: str, **options):
        """(status, parsed JSON body, headers with lower-case names); (None, None, {}) when
        there was no answer, counted."""
        queueing = kind in self.QUEUEING
        bases = self.plan.queue_bases if queueing else self.plan.bases
        base = bases[n % len(bases)]
        pool = self.pools["queueing" if queueing else "buying"]
        self.requests[kind] += 1
        try:
            answer = await pool.request(method, base + path, **options)
        except (TimeoutError, NoAnswer) as error:
            self.failures[f"{kind} {type(error).__name__}"] += 1
            return None, None, {}
        if answer.status >= 500:
            # nginx's own error page (502/504: the app did not answer in time) says "nginx";
            # anything else came from Sandali. Both are 5xx to the buyer.
            errors = self.proxy_errors if b"<center>nginx" in answer.body else self.server_errors
            errors[f"{kind} {answer.status}"] += 1
            return answer.status, None, answer.headers
        body = None
        if answer.status not in (204, 304):
            try:
                body = json.loads(answer.body)
            except ValueError:
                self.unreadable[f"{kind} {answer.status}"] += 1
                return None, None, answer.headers
        return answer.status, body, answer.headers


async def queue_until_admitted(client: Client, visit: Visit, rng: random.Random) -> dict | None:
    """The pass headers once admitted; None when the buyer stops (sold out, an error)."""
    path = f"/api/v1/performances/{client.plan.performance_id}/queue"
    visit.sent_at = time.time()
    began = time.perf_counter()
    status, body, _ = await client.call(visit.n, "join", "POST", path, json_body={})
    visit.queue_ms.append((time.perf_counter() - began) * 1000)
    if status != 201:
        visit.outcome = f"join_{status}"
        return None
    visit.token = body["token"]
    while not body["admitted"]:
        visit.longest_queue = max(visit.longest_queue, body["waiting"])
        visit.paused_answers += bool(body.get("paused"))
        if body["sold_out"]:
            visit.outcome = "told_sold_out"
            return None
        if time.time() > client.plan.deadline:
            return None
        await asyncio.sleep(body["poll_seconds"] * (1 + rng.random() / 4))  # never sooner
        headers = {"Sandali-Queue-Token": visit.token}
        began = time.perf_counter()
        status, body, _ = await client.call(
            visit.n, "poll", "GET", "/api/v1/queue", headers=headers
        )
        visit.queue_ms.append((time.perf_counter() - began) * 1000)
        visit.polls += 1
        if status != 200:
            visit.outcome = f"poll_{status}"
            return None
    visit.admitted_at = time.time()
    if body["sold_out"]:  # let in after the sell-out: the answer says so, no map to load
        visit.outcome = "found_sold_out"
        return None
    return {"Sandali-Pass": body["pass"], "Sandali-Queue-Token": visit.token}


async def buy(client: Client, visit: Visit, rng: random.Random, headers: dict) -> None:
    """As a buyer in the rush: map, hold what looks free, buy or give back, leave."""
    performance_id = client.plan.performance_id
    free: list[int] = []
    etag, pending, attempts, looks = "", True, 0, 0
    while attempts < HOLD_ATTEMPTS and time.time() < client.plan.deadline:
        status, body, answer_headers = await client.call(
            visit.n, "map", "GET", f"/api/v1/performances/{performance_id}/seats?format=columns",
            headers={"If-None-Match": etag} if etag else {},
        )  # fmt: skip
        if status == 200:  # columns, as the buyer's page reads the map (a tenth of the rows')
            etag = answer_headers.get("etag", "")
            free, pending = free_in_columns(body)
        elif status != 304:
            visit.outcome = f"map_{status}"
            return
        if not free:
            if not pending:
                visit.outcome = "found_sold_out"
                return
            looks += 1
            if looks >= NOTHING_FREE_LOOKS:
                visit.outcome = "gave_up_all_held"
                return
            await asyncio.sleep(SOLD_OUT_WAIT_SECONDS)
            etag = ""  # the snapshot may show the same seats: read them again
            continue
        seats = rng.sample(free, min(len(free), rng.randint(1, 4)))
        began = time.perf_counter()
        status, body, _ = await client.call(
            visit.n, "hold", "POST", f"/api/v1/performances/{performance_id}/holds",
            json_body={"seats": seats}, headers=headers,
        )  # fmt: skip
        visit.hold_ms.append((time.perf_counter() - began) * 1000)
        attempts += 1
        if status == 409:
            refused = set((body or {}).get("seats") or seats)
            free = [seat for seat in free if seat not in refused]
            continue
        if status != 201:
            visit.outcome = f"hold_{status}"
            return
        visit.first_hold_at = time.time()
        await settle(client, visit, rng, body, len(seats))
        return
    visit.outcome = "gave_up" if attempts >= HOLD_ATTEMPTS else "unfinished"


async def settle(client: Client, visit: Visit, rng, hold: dict, seats: int) -> None:
    auth = {"Authorization": f"Bearer {hold['token']}"}
    if rng.random() < 0.7:
        status, _, _ = await client.call(
            visit.n, "checkout", "POST", f"/api/v1/holds/{hold['id']}/checkout",
            json_body={"name": "Surge Buyer", "email": "buyer@example.org"},
            headers={**auth, "Idempotency-Key": secrets.token_hex(8)},
        )  # fmt: skip
        if status == 201:
            visit.bought_at, visit.seats_bought, visit.outcome = time.time(), seats, "bought"
        else:
            visit.outcome = f"checkout_{status}"
        return
    status, _, _ = await client.call(
        visit.n, "release", "DELETE", f"/api/v1/holds/{hold['id']}", headers=auth
    )
    visit.outcome = "released" if status in (200, 204) else f"release_{status}"


async def one_buyer(client: Client, visit: Visit) -> None:
    plan = client.plan
    rng = random.Random(plan.seed * 1_000_003 + visit.n)
    await asyncio.sleep(max(0.0, plan.start + visit.arrival - time.time()))
    if plan.room:
        headers = await queue_until_admitted(client, visit, rng)
        if headers is None:
            return
        if plan.handoff is not None:
            plan.handoff.put((visit.n, plan.seed, headers))
            visit.outcome = HANDED_OFF
            return
    else:
        headers = {}
        if time.time() < plan.opens:  # came early: reloads the page as the sale opens
            await asyncio.sleep(plan.opens - time.time() + rng.random() * 0.2)
        visit.sent_at = time.time()
    await buy(client, visit, rng, headers)


HANDED_OFF = "handed_off"  # admitted, and buying in the admitted's own process
# What the admitted's process measures of a visit, to be merged into the crowd's record of it
BOUGHT_FIELDS = ("hold_ms", "first_hold_at", "bought_at", "seats_bought", "outcome")


async def buy_for_the_admitted(plan: ClientPlan) -> dict:
    """The admitted buyers' buying, in a process of its own: each visit the crowd's processes
    hand over (buyer number, its process's seed, its pass) buys as in the rush, until None
    comes. Their holds are timed here, not in a process busy with thousands of others' polls,
    as each buyer's browser would time them on its own device."""
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=plan.connections)
    timeout = aiohttp.ClientTimeout(total=REQUEST_SECONDS)
    visits: dict[int, Visit] = {}
    tasks = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        client = Client(Pool(1, timeout=REQUEST_SECONDS), AiohttpPool(session), plan)
        while (item := await loop.run_in_executor(None, plan.handoff.get)) is not None:
            n, seed, headers = item
            visits[n] = visit = Visit(n=n, arrival=0)
            rng = random.Random(seed * 1_000_003 + n)
            tasks.append(asyncio.ensure_future(buy(client, visit, rng, headers)))
        await asyncio.gather(*tasks)
        client.pools["queueing"].close()
    return {
        "visits": {
            n: {name: getattr(v, name) for name in BOUGHT_FIELDS} for n, v in visits.items()
        },
        "requests": dict(client.requests),
        "server_errors": dict(client.server_errors),
        "failures": dict(client.failures),
        "unreadable": dict(client.unreadable),
        "proxy_errors": dict(client.proxy_errors),
    }


async def run_buyers(plan: ClientPlan) -> dict:
    visits = [Visit(n=n, arrival=arrival) for n, arrival in plan.arrivals]

    queueing = Pool(plan.queue_connections, timeout=REQUEST_SECONDS)
    connector = aiohttp.TCPConnector(limit=plan.connections)
    timeout = aiohttp.ClientTimeout(total=REQUEST_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        client = Client(queueing, AiohttpPool(session), plan)
        try:
            await asyncio.gather(*(one_buyer(client, visit) for visit in visits))
        finally:
            queueing.close()
    return {
        "visits": [asdict(visit) for visit in visits],
        "requests": dict(client.requests),
        "server_errors": dict(client.server_errors),
        "failures": dict(client.failures),
        "unreadable": dict(client.unreadable),
        "proxy_errors": dict(client.proxy_errors),
    }


def client_process(plan: ClientPlan, admitted: bool = False) -> dict:
    """One client process's buyers (`admitted`: the process that buys for the admitted);
    with the CPU it spent (user + system seconds)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # a socket per connection
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # uvloop (uvicorn's, installed with it): the load generator shares the app's cores, so
    # the less CPU it takes per request, the more of them the app has.
    result = uvloop.run(buy_for_the_admitted(plan) if admitted else run_buyers(plan))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result
