"""The gauges computed at each scrape of /metrics; the counters are in core/metrics.py.

The inconsistency gauge is computed from the seat rows by one cheap query at every scrape and
must read 0; the door's gauges (admitted / expected by section, conflicts) by one grouped query
each over the ticket and check-in rows.
"""

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from checkin import selectors as door_selectors
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


class DoorCounts(Collector):
    """Check-ins per performance and section, counted from the check-in and ticket rows at
    each scrape (never a counter that could drift from them), for the performances some
    check-in device that is not revoked serves."""

    NAMES = ("sandali_checkin_admitted", "sandali_checkin_expected", "sandali_checkin_conflicts")

    def describe(self):
        for name in self.NAMES:
            yield GaugeMetricFamily(name, "")

    def collect(self):
        admitted = GaugeMetricFamily(
            "sandali_checkin_admitted",
            "Valid tickets checked in, by performance and section.",
            labels=["performance", "section"],
        )
        expected = GaugeMetricFamily(
            "sandali_checkin_expected",
            "Valid tickets sold, by performance and section.",
            labels=["performance", "section"],
        )
        conflicts = GaugeMetricFamily(
            "sandali_checkin_conflicts",
            "Scans that let somebody in whom the door should have refused (learnt from offline "
            "scanners), by performance and kind.",
            labels=["performance", "kind"],
        )
        watched = door_selectors.performances_at_the_door()
        for count in door_selectors.door_counts(performance_ids=watched):
            labels = [str(count.performance_id), count.section]
            admitted.add_metric(labels, count.admitted)
            expected.add_metric(labels, count.expected)
        for performance_id, kind, number in door_selectors.conflict_counts(performance_ids=watched):
            conflicts.add_metric([str(performance_id), kind], number)
        yield from (admitted, expected, conflicts)


REGISTRY.register(DoorCounts())
