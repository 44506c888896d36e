"""What each of the rush's requests costs the app: statements sent and CPU used, per kind.

The rush's requests (bench/backends.py), through the whole Django stack (middleware, Ninja,
the services) with Django's test client in this one process, against PostgreSQL: the map
reloaded (a 304 while the snapshot is cached), a hold of two seats, the same hold refused
(409), a checkout and a release. CPU is this process's (`time.process_time`), not the wall
clock, so other work on the machine moves it less; the statements are counted by an execute
wrapper (CaptureQueriesContext would add its own formatting of each statement to the CPU) and
are the same on every machine.

python -m bench.rush_requests DATABASE_URL [--buyers N] [--profile KIND] [--statements KIND]
DATABASE_URL names an empty database the script migrates; prints JSON (with --profile, the
top functions of that kind by cumulative time, from cProfile, on stderr; with --statements,
the SQL of the last request of that kind, on stderr).
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time

from bench.infra import django_env

KINDS = ("map", "hold", "hold_refused", "checkout", "release")


def _summary(cpu: list[float], statements: list[int]) -> dict:
    return {
        "requests": len(cpu),
        "cpu_ms_median": round(statistics.median(cpu) * 1000, 3),
        "cpu_ms_mean": round(statistics.fmean(cpu) * 1000, 3),
        "statements": sorted(set(statements)),
    }


def rush_requests(*, buyers: int, profile: str = "", show: str = "") -> dict:
    from django.db import connection
    from django.test import Client

    from bench.stranded import make_hall
    from catalog.models import Seat

    performance_id = make_hall(seats=4 * buyers + 100, refuse_single_seat_gaps=False)
    seats = list(
        Seat.objects.filter(performance_id=performance_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    client = Client(HTTP_HOST="127.0.0.1")
    profiler = cProfile.Profile(time.process_time)
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    statements: dict[str, list[int]] = {kind: [] for kind in KINDS}
    statuses: dict[str, set[int]] = {kind: set() for kind in KINDS}

    shown: list[str] = []

    def timed(kind: str, send, url: str, **options):
        sent = []
        with connection.execute_wrapper(
            lambda execute, *args: sent.append(args[0]) or execute(*args)
        ):
            if kind == profile:
                profiler.enable()
            began = time.process_time()
            response = send(url, **options)
            cpu[kind].append(time.process_time() - began)
            if kind == profile:
                profiler.disable()
        statements[kind].append(len(sent))
        if kind == show:
            shown[:] = sent
        statuses[kind].add(response.status_code)
        return response

    map_url = f"/api/v1/performances/{performance_id}/seats?format=columns"
    hold_url = f"/api/v1/performances/{performance_id}/holds"
    buyer = {"name": "Bench Buyer", "email": "buyer@example.org"}
    client.get(map_url, HTTP_ACCEPT_ENCODING="gzip")  # warm: the first snapshot, imports
    etag = ""
    for n in range(buyers):
        headers = {"HTTP_ACCEPT_ENCODING": "gzip"}
        if etag:
            headers["HTTP_IF_NONE_MATCH"] = etag
        etag = timed("map", client.get, map_url, **headers).headers.get("ETag", etag)
        pair = {"seats": seats[4 * n : 4 * n + 2]}
        json_body = {"data": pair, "content_type": "application/json"}
        held = timed("hold", client.post, hold_url, **json_body).json()
        timed("hold_refused", client.post, hold_url, **json_body)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {held['token']}"}
        if n % 3 == 2:
            timed("release", client.delete, f"/api/v1/holds/{held['id']}", **auth)
            continue
        timed(
            "checkout",
            client.post,
            f"/api/v1/holds/{held['id']}/checkout",
            data=buyer,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{n}",
            **auth,
        )
    if profile:
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(45)
        stats.print_stats("middleware|ninja", 40)
    for number, sql in enumerate(shown, start=1):  # the last request of that kind
        print(f"-- {number}\n{' '.join(sql.split())}", file=sys.stderr)
    return {
        kind: {**_summary(cpu[kind], statements[kind]), "statuses": sorted(statuses[kind])}
        for kind in KINDS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--profile", choices=KINDS, default="")
    parser.add_argument("--statements", choices=KINDS, default="", help="print one's SQL")
    args = parser.parse_args()
    os.environ.update(django_env(args.database_url))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(
        json.dumps(
            rush_requests(buyers=args.buyers, profile=args.profile, show=args.statements), indent=1
        )
    )


if __name__ == "__main__":
    main()
