"""The must-check index on `/metrics` (docs/operations.md, "The must-check index"): read from
the live index at each scrape, so there is nothing to refresh and nothing to fall behind.

- `jrp_check_index_ready`: 1 once the index is loaded (the `/readyz` check `check_index`).
- `jrp_check_index_entries`, `jrp_check_index_subjects`: entries in force or suspended held,
  and distinct subject codes among them (a count, never a code: no label holds one).
- `jrp_check_index_bytes`: the index's own arrays (`CheckIndex.nbytes`).
- `jrp_check_index_load_seconds`: how long the last full load took (0 before the first).
- `jrp_check_index_reloads_total`, `jrp_check_index_reloaded_entries_total`: the reloads of
  changed entries since the start, and how many entries they reloaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from jrp_enforcement.adapters.check_index import LiveCheckIndex


class CheckIndexCollector(Collector):
    def __init__(self, live: LiveCheckIndex) -> None:
        self._live = live

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        live, stats = self._live, self._live.stats
        yield GaugeMetricFamily(
            "jrp_check_index_ready",
            "1 once the must-check index is loaded (readiness check check_index), else 0",
            value=1 if live.ready else 0,
        )
        yield GaugeMetricFamily(
            "jrp_check_index_entries",
            "List entries (in force or suspended) held by the must-check index",
            value=stats.entries,
        )
        yield GaugeMetricFamily(
            "jrp_check_index_subjects",
            "Distinct subject codes in the must-check index",
            value=stats.codes,
        )
        yield GaugeMetricFamily(
            "jrp_check_index_bytes",
            "Memory of the must-check index's own arrays, in bytes",
            value=stats.index_bytes,
        )
        yield GaugeMetricFamily(
            "jrp_check_index_load_seconds",
            "Duration of the last full load of the must-check index (0 before the first)",
            value=stats.load_seconds,
        )
        yield CounterMetricFamily(
            "jrp_check_index_reloads",
            "Reloads of changed entries into the must-check index since the start",
            value=stats.reloads,
        )
        yield CounterMetricFamily(
            "jrp_check_index_reloaded_entries",
            "Entries reloaded into the must-check index since the start",
            value=stats.reloaded_entries,
        )


def register_check_index_metrics(live: LiveCheckIndex, registry: CollectorRegistry) -> None:
    registry.register(CheckIndexCollector(live))
