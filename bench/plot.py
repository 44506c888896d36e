"""Plot throughput and latency against concurrency from a bench/run JSON result.

.venv/bin/python -m bench.plot RESULT.json docs/benchmarks.png
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    result = json.loads(Path(sys.argv[1]).read_text())
    points = result["postgresql"]["concurrency"]
    buyers = [p["buyers"] for p in points]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(buyers, [p["orders_per_s"] for p in points], marker="o", label="Sandali")
    limit = result["postgresql"]["throughput"]["limit"]["orders_per_s"]
    left.axhline(
        limit, color="gray", linestyle="--", label=f"bare database, 200 buyers ({limit:.0f})"
    )
    left.set(xscale="log", xlabel="buyers who never pause", ylabel="orders per second",
             title="Throughput")  # fmt: skip
    left.legend()
    for key, label in (("hold_p50_ms", "hold p50"), ("hold_p99_ms", "hold p99"),
                       ("checkout_p99_ms", "checkout p99")):  # fmt: skip
        right.plot(buyers, [p[key] for p in points], marker="o", label=label)
    right.set(xscale="log", yscale="log", xlabel="buyers who never pause", ylabel="milliseconds",
              title="Latency (closed loop: grows with queueing)")  # fmt: skip
    right.legend()
    processes = result["postgresql"]["app_processes"]
    figure.suptitle(
        f"Sandali on PostgreSQL, {processes} app processes, {result['machine']['cpus']} cores"
    )
    figure.tight_layout()
    figure.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
