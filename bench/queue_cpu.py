"""The app's CPU per queue join and per poll over HTTP, with the lean path (api/queue_lean.py)
and without it (SANDALI_QUEUE_LEAN_PATH=0: Django's whole stack), in the same sitting.

One gunicorn process (gthread, 4 threads, as bench/surge.py runs them) on a private PostgreSQL
and Redis, one performance whose room is on and open; one client on one keep-alive connection
sends N joins, then N polls of an admitted place (each signs a new pass). The CPU is the app
process's own (utime + stime from /proc), which stays meaningful on a busy machine where wall
time does not. Alternating rounds (Django, lean, Django, lean) show the spread.

    python -m bench.queue_cpu [--requests N]   (prints JSON)
"""

import argparse
import http.client
import json
import sys
import time
from urllib.parse import urlsplit

from bench.infra import AppProcess, django_env, manage, private_postgres, private_redis
from bench.main import seed
from bench.surge import process_cpu_seconds, set_sale


def measure(app: AppProcess, performance_id: int, requests: int) -> dict[str, float]:
    address = urlsplit(app.url)
    connection = http.client.HTTPConnection(address.hostname, address.port)
    join_path = f"/api/v1/performances/{performance_id}/queue"

    def ask(method: str, path: str, expected: int, **kwargs) -> dict:
        connection.request(method, path, **kwargs)
        response = connection.getresponse()
        body = response.read()
        if response.status != expected:
            raise RuntimeError(f"{method} {path}: {response.status} {body[:200]!r}")
        return json.loads(body)

    def join() -> dict:
        return ask("POST", join_path, 201, body="{}", headers={"Content-Type": "application/json"})

    token = join()["token"]

    def poll() -> dict:
        return ask("GET", "/api/v1/queue", 200, headers={"Sandali-Queue-Token": token})

    for _ in range(100):  # warm up: connections to PostgreSQL and Redis, the scripts loaded
        poll()
    if not poll()["admitted"]:
        raise RuntimeError("the measured place must be admitted (its polls sign a pass)")
    cpu_ms = {}
    for kind, send in (("join", join), ("poll", poll)):
        before = process_cpu_seconds(app.pids())
        for _ in range(requests):
            send()
        used = process_cpu_seconds(app.pids()) - before
        cpu_ms[kind] = round(used * 1000 / requests, 3)
    connection.close()
    return cpu_ms


def queue_cpu(requests: int) -> dict:
    with private_postgres() as (database_url, _control), private_redis() as redis_url:
        env = django_env(database_url, redis_url)
        manage(env, "migrate", "-v0")
        performance_id = seed(env, {"queue": 200})["queue"]
        # Open a second ago, letting in 60,000 a minute: every join is admitted at its poll.
        set_sale(database_url, performance_id, room=True, rate=60_000, opens_at=time.time() - 1)
        rounds = []
        for lean in (False, True, False, True):
            app = AppProcess({**env, "SANDALI_QUEUE_LEAN_PATH": "1" if lean else "0"}).start()
            try:
                rounds.append({"lean": lean, **measure(app, performance_id, requests)})
            finally:
                app.stop()
    result = {"requests_each": requests, "rounds": rounds}
    for lean, name in ((False, "django"), (True, "lean")):
        for kind in ("join", "poll"):
            values = [r[kind] for r in rounds if r["lean"] == lean]
            result[f"{name}_{kind}_cpu_ms"] = min(values)
    for kind in ("join", "poll"):
        result[f"lean_over_django_{kind}"] = round(
            result[f"lean_{kind}_cpu_ms"] / result[f"django_{kind}_cpu_ms"], 2
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="joins, then polls, a round")
    args = parser.parse_args()
    print(json.dumps(queue_cpu(args.requests), indent=2))


if __name__ == "__main__":
    sys.exit(main())
