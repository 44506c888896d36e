"""The gauges computed at each scrape of /metrics; the counters are in core/metrics.py.

The inconsistency gauge is computed from the seat rows by one cheap query at every scrape and
must read 0.
"""

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from ops.audit import cheap_inconsistency_count


class InventoryInconsistencies(Collector):
    def describe(self):
        # Lets the registry learn the name without querying the database at import time.
        yield GaugeMetricFamily("sandali_inventory_inconsistencies", "")

    def collect(self):
        gauge = GaugeMetricFamily(
            "sandali_inventory_inconsistencies",
            "Seats whose status disagrees with their hold, ticket or order (must be 0).",
        )
        gauge.add_metric([], cheap_inconsistency_count())
        yield gauge


REGISTRY.register(InventoryInconsistencies())
