"""The buyer's seat map on a phone: Debian's Chromium at 390 x 844 (a touch screen, device
pixel ratio 3) with its CPU slowed 4x, against a Sandali server started here on a fresh SQLite
database holding the demo arena (ops/demo_arena.py, about 15,000 seats and a standing floor).
Prints one JSON document: the seat data's size on the wire, the time from the seat data's
arrival to the map drawn, the long tasks until the page is interactive and when the live
snapshot is applied, pan and pinch frame rates, and the frame rate of an idle page under the
same throttle (what the machine can do at all); each figure against issue #16's target.

    python -m bench.map_phone [--quick] [--output FILE]

It reads the page only through what any map engine gives: the performance marks
"seatmap:drawn" (else body[data-ready]), the #seat-map element's box for the gestures, the
seat data's Resource Timing and the WebSocket's first message. Exit status 0 whether targets
pass or fail; non-zero only when the run itself broke."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.infra import ROOT, AppProcess, django_env, manage
from bench.map_phone_page import DECODE_COST, PAGE_PROBES, frame_rate, idle_page, pinch, swipe

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
THROTTLE = 4
TARGETS = {"drawn_ms": 1000, "long_task_ms": 200, "snapshot_long_tasks": 0, "fps": 50}
SETTLE_SECONDS = 1.5  # after the page is ready: late tasks (the live snapshot) still count


def log(message: str) -> None:
    print(f"[map_phone] {message}", file=sys.stderr, flush=True)


SEED = """
from datetime import timedelta
import django
django.setup()
from catalog.publishing import publish_performance
from core.dbtime import db_now
from ops.demo_arena import create_arena
now = db_now()
arena = create_arena(starts_at=now + timedelta(days=60), sales_start=now - timedelta(days=1))
publish_performance(performance_id=arena.pk)  # buyers see only published performances
print(arena.pk)
"""


def seed_arena(env: dict) -> int:
    """The demo arena alone (no other demo event, no sales): all the bench draws."""
    manage(env, "migrate", "-v0")
    output = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return int(output.stdout.strip().splitlines()[-1])


def wait_for(page, expression: str, timeout: float) -> None:
    """Poll from here: page.wait_for_function evaluates a string in the page, which the page's
    Content-Security-Policy refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.05)


def measure(base: str, performance_id: int, gesture_seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True, locale="en"
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
        page.add_init_script(PAGE_PROBES)
        socket = watch_socket(cdp)
        encodings = {}
        page.on(
            "response",
            lambda r: (
                "/seats" in r.url
                and encodings.setdefault(r.url, r.headers.get("content-encoding", "identity"))
            ),
        )
        page.goto(f"{base}/performances/{performance_id}/")
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        wait_for(page, "window.__bench.snapshotDone", timeout=60)
        time.sleep(SETTLE_SECONDS)
        loading = page.evaluate("window.__bench.loading()")
        url = loading["seat_data"]["url"]
        decoding = page.evaluate(DECODE_COST, {"page": url, "rows": url.split("?")[0]})
        box = page.locator("#seat-map").bounding_box()
        pan = frame_rate(page, lambda: swipe(cdp, box, gesture_seconds))
        pinching = frame_rate(page, lambda: pinch(cdp, box, gesture_seconds))
        idle = idle_page(context, cdp_rate=THROTTLE, seconds=gesture_seconds)
        browser.close()
    loading["seat_data"]["content_encoding"] = next(iter(encodings.values()), None)
    loading["seat_data"]["decoding"] = decoding
    return {**loading, "socket": socket, "pan": pan, "pinch": pinching, "idle_page": idle}


def watch_socket(cdp) -> dict:
    """The WebSocket's negotiated extensions (permessage-deflate compresses each message on
    the wire) and the size of its first message, the snapshot, as the page receives it."""
    seen: dict = {"extensions": None, "snapshot_bytes": None}

    def handshake(event):
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        seen["extensions"] = headers.get("sec-websocket-extensions", "")

    def frame(event):
        if seen["snapshot_bytes"] is None:
            seen["snapshot_bytes"] = len(event["response"]["payloadData"].encode())

    cdp.send("Network.enable")
    cdp.on("Network.webSocketHandshakeResponseReceived", handshake)
    cdp.on("Network.webSocketFrameReceived", frame)
    return seen


def verdicts(result: dict) -> dict:
    drawn = result["drawn_after_seat_data_ms"]
    longest = result["long_tasks_until_interactive"]["longest_ms"]
    at_snapshot = len(result["long_tasks_at_snapshot"])
    pan, pinching = result["pan"]["fps"], result["pinch"]["fps"]
    return {
        "drawn_within_1s": {
            "value_ms": drawn, "pass": drawn is not None and drawn <= TARGETS["drawn_ms"]
        },
        "no_task_over_200ms": {"longest_ms": longest, "pass": longest <= TARGETS["long_task_ms"]},
        "no_long_task_at_snapshot": {
            "count": at_snapshot, "pass": at_snapshot <= TARGETS["snapshot_long_tasks"]
        },
        "pan_50fps": {"fps": pan, "pass": pan >= TARGETS["fps"]},
        "pinch_50fps": {"fps": pinching, "pass": pinching >= TARGETS["fps"]},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1-second gestures")
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Debian's chromium at {CHROMIUM} (scripts/system-packages browser)")
    workdir = Path(tempfile.mkdtemp(prefix="sandali-map-phone-"))
    env = django_env(f"sqlite:///{workdir / 'arena.sqlite3'}")
    log("seeding the demo arena")
    performance_id = seed_arena(env)
    manage(env, "collectstatic", "--noinput", "-v0")  # production serves hashed names
    app = AppProcess(env, server="uvicorn").start()  # HTTP and the WebSocket, as scripts/run
    try:
        log("measuring in Chromium")
        result = measure(app.url, performance_id, 1.0 if args.quick else 2.0)
    finally:
        app.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "machine": {"cpus": os.cpu_count(), "cpu_throttling": THROTTLE, "viewport": PHONE},
        "performance_id": performance_id,
        **result,
        "targets": verdicts(result),
    }
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
