"""Prometheus metrics of one service, on a registry of its own (no process-wide globals)."""

from __future__ import annotations

from functools import lru_cache

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

_LABELLED = 4_096
"""Label combinations whose series are looked up once and kept (method × route × status:
bounded by the routes); every request counts itself, so the lookup is on the hot path."""


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        # Process and runtime (docs/operations.md, "Process and runtime"): `process_*` (CPU,
        # resident memory, open files, start time; Linux), `python_gc_*`, `python_info`.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        labels = {"service": service}
        self.http_requests = lru_cache(_LABELLED)(
            Counter(
                "jrp_http_requests_total",
                "HTTP requests by route and status",
                ["method", "route", "status"],
                registry=self.registry,
            ).labels
        )
        self.http_latency = lru_cache(_LABELLED)(
            Histogram(
                "jrp_http_request_seconds",
                "HTTP request latency",
                ["method", "route"],
                registry=self.registry,
                buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            ).labels
        )
        self.events_consumed = Counter(
            "jrp_events_consumed_total",
            "Events taken by consumers, by outcome (processed, duplicate, ignored, dead_lettered)",
            ["consumer", "outcome"],
            registry=self.registry,
        ).labels
        self.consumer_waits = Counter(
            "jrp_consumer_dependency_waits_total",
            "Retries of a consumer while the database or the broker was away, or what a "
            "message needs had not arrived yet (not counted as the message's attempts)",
            ["consumer"],
            registry=self.registry,
        ).labels
        self.consumer_stalled = Gauge(
            "jrp_consumer_stalled",
            "1 while a consumer keeps restarting without committing any progress, else 0",
            ["consumer"],
            registry=self.registry,
        ).labels
        self.events_published = Counter(
            "jrp_outbox_published_total",
            "Events the outbox relay published",
            registry=self.registry,
        )
        self.relay_failures = Counter(
            "jrp_outbox_relay_failures_total",
            "Failed attempts of the outbox relay to publish a batch",
            registry=self.registry,
        )
        self.outbox_unpublished = Gauge(
            "jrp_outbox_unpublished",
            "Outbox rows not yet published (the relay's backlog)",
            registry=self.registry,
        )
        self.outbox_oldest_unpublished_seconds = Gauge(
            "jrp_outbox_oldest_unpublished_seconds",
            "Age of the oldest unpublished outbox row (0 when none)",
            registry=self.registry,
        )
        self.table_rows = Gauge(
            "jrp_messaging_table_rows",
            "Rows in the outbox and the inbox",
            ["table"],
            registry=self.registry,
        ).labels
        self.table_bytes = Gauge(
            "jrp_messaging_table_bytes",
            "On-disk size of the outbox and the inbox with their indexes (PostgreSQL)",
            ["table"],
            registry=self.registry,
        ).labels
        self.retention_deleted = Counter(
            "jrp_retention_deleted_total",
            "Outbox and inbox rows deleted past their retention horizon",
            ["table"],
            registry=self.registry,
        ).labels
        self.outbox_seconds_since_publish = Gauge(
            "jrp_outbox_seconds_since_last_publish",
            "Seconds since the relay last published a batch or found nothing left to publish: "
            "near 0 while it keeps up, growing while events are owed and cannot be published",
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "jrp_consumer_lag",
            "Messages after the committed offset of each of this service's consumer groups, "
            "per topic and partition (read from the bus)",
            ["consumer", "topic", "partition"],
            registry=self.registry,
        )
        self.sanction_topic_lag = Gauge(
            "jrp_sanction_topic_lag",
            "Messages on a department's sanction topic after the committed offset of each "
            "consumer group reading it, per partition",
            ["department", "group", "partition"],
            registry=self.registry,
        )
        self.sanction_topic_unread = Gauge(
            "jrp_sanction_topic_unread",
            "Messages on a department's sanction topic that no consumer group has read yet",
            ["department"],
            registry=self.registry,
        )
        self.lag_refreshed = Gauge(
            "jrp_lag_refreshed_timestamp_seconds",
            "When the lag gauges were last read from the bus (unix time), by scope",
            ["scope"],
            registry=self.registry,
        )
        self.bus_reachable = Gauge(
            "jrp_bus_reachable",
            "1 when the last probe reached the bus (broker), 0 while it is unreachable",
            registry=self.registry,
        )
        self.dead_letters_waiting = Gauge(
            "jrp_dead_letters_waiting",
            "Dead letters of this service's consumers whose event has not been taken since "
            "(not replayed yet), within the replay horizon, by whether they can be replayed",
            ["consumer", "replayable"],
            registry=self.registry,
        )
        self.info = Gauge(
            "jrp_service_info", "Service identity", ["service"], registry=self.registry
        )
        self.info.labels(**labels).set(1)
