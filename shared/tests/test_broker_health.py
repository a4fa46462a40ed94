"""A broker outage is logged a few times, not thousands: the Kafka client's lines are cut to a
few a minute (with how many were dropped), and the watch says when the outage started, once a
minute while it lasts, and when the broker is back."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from jrp_shared.bus.base import Bus
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.bus.health import BrokerWatch
from jrp_shared.logging import BrokerClientLogLimiter, configure_logging
from jrp_shared.metrics import ServiceMetrics


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _record(name: str, message: str = "Unable connect to node with id 1: %s") -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, ("refused",), None)


def test_the_kafka_client_logs_a_few_lines_a_minute_and_says_how_many_it_dropped() -> None:
    clock = _Clock()
    limiter = BrokerClientLogLimiter(burst=3, window_seconds=60, clock=clock)
    passed = []
    for i in range(850 * 60):  # a minute of the flood measured in issue 11
        clock.now = 1_000.0 + i / 850
        record = _record("aiokafka.client")
        if limiter.filter(record):
            passed.append(record)
    assert len(passed) == 3
    assert limiter.suppressed == 850 * 60 - 3
    clock.now += 1
    after = _record("aiokafka.conn")
    assert limiter.filter(after)
    assert "more broker client log lines suppressed" in after.getMessage()
    assert "Unable connect to node with id 1: refused" in after.getMessage()
    # Everything else passes untouched.
    ours = _record("jrp_shared.messaging.relay", "relay waiting")
    assert all(limiter.filter(ours) for _ in range(100))


class _Bus(EmbeddedBus):
    up = True

    async def healthy(self) -> bool:
        return self.up


async def test_the_outage_is_logged_when_it_starts_once_a_minute_and_when_it_ends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    configure_logging("svc", json=True)
    clock = _Clock()
    bus: Bus = _Bus("t", tmp_path / "bus.sqlite3")
    metrics = ServiceMetrics("svc")
    watch = BrokerWatch(
        bus,
        metrics,
        report_seconds=60,
        clock=clock,
        now=lambda: datetime(2026, 11, 29, 1, 0, tzinfo=UTC),
    )
    registry: CollectorRegistry = metrics.registry
    assert await watch.probe()
    assert registry.get_sample_value("jrp_bus_reachable") == 1
    _Bus.up = False
    try:
        capsys.readouterr()
        for second in range(0, 300, 5):  # five minutes of probes every 5 s
            clock.now = 1_000.0 + second
            assert not await watch.probe()
        assert registry.get_sample_value("jrp_bus_reachable") == 0
        assert watch.as_json() == {
            "reachable": False,
            "unreachable_since": "2026-11-29T01:00:00+00:00",
        }
        _Bus.up = True
        clock.now += 5
        assert await watch.probe()
        assert await watch.probe()
    finally:
        _Bus.up = True
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    events = [line["event"] for line in lines]
    assert len([m for m in events if "broker unreachable" in m]) == 1
    still = [line for line in lines if "still unreachable" in line["event"]]
    assert [line["outage_seconds"] for line in still] == [60.0, 120.0, 180.0, 240.0]
    assert len([m for m in events if "reachable again" in m]) == 1
    assert len(events) == 6
    assert registry.get_sample_value("jrp_bus_reachable") == 1
    assert watch.as_json() == {"reachable": True, "unreachable_since": None}
