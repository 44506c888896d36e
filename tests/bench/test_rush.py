"""`python -m bench.rush` as a user runs it: it sells out a hall on each side and says where
the machine's CPU went in each, with no seat sold twice. Timings are not judged here."""

import json
import subprocess
import sys

from bench.infra import ROOT


def test_the_rush_alone_sells_out_both_halls_and_splits_the_cpu(postgres_only):
    # At a test size (--seats): 500-seat halls, not 2,000, and a small warm-up hall. The 200
    # buyers still race for every seat (most of their holds meet a conflict), and selling out
    # takes seconds, not half a minute a side; the figures are not the benchmark's.
    run = subprocess.run(
        [sys.executable, "-m", "bench.rush", "--quick", "--seats", "500"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["server"] == "granian"  # the README's API server
    assert report["test_size_seats"] == 500
    assert report["double_sold"] == 0 and report["inconsistencies"] == 0
    [round_] = report["rush"]
    assert round_["seats_left_unsold"] == 0
    for side, app in (("sandali", True), ("limit", False)):
        cpu = round_[side]["cpu_seconds"]
        assert cpu["client"] > 0 and cpu["machine"] > 0, side
        assert (cpu["app"] > 0) == app, side  # the bare client has no app processes
        assert abs(cpu["rest"] - (cpu["machine"] - cpu["app"] - cpu["client"])) <= 0.2, side
    assert round_["app_cpu_seconds"] and all(s > 0 for s in round_["app_cpu_seconds"])
