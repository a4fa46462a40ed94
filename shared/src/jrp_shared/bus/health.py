"""Is the bus (the Kafka broker) reachable, since when not, and saying so a few times only.

A broker outage does not take a service out of service: its HTTP API keeps answering from
the database and the outbox buffers the events it owes (stored in the same transaction as
the change they announce: `jrp_shared.messaging`), so `/readyz` reports the outage as a
degradation, not as "not ready" (docs/operations.md). This watch probes the bus every few
seconds and logs the outage three ways: when it starts, once every `report_seconds` while
it lasts (with how long and how many probes failed), and when the broker is back. The Kafka
client's own flood of connection errors is cut by `jrp_shared.logging.BrokerClientLogLimiter`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from jrp_shared.bus.base import Bus
from jrp_shared.logging import broker_client_log_limiter, get_logger
from jrp_shared.metrics import ServiceMetrics

log = get_logger(__name__)


class BrokerWatch:
    def __init__(
        self,
        bus: Bus,
        metrics: ServiceMetrics,
        *,
        probe_seconds: float = 5.0,
        report_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._bus = bus
        self._metrics = metrics
        self._probe_seconds = probe_seconds
        self._report_seconds = report_seconds
        self._clock = clock
        self._now = now
        self.reachable = True
        self.unreachable_since: datetime | None = None
        self._down_at = 0.0
        self._reported_at = 0.0
        self._failed_probes = 0
        metrics.bus_reachable.set(1)

    def observe(self, reachable: bool) -> None:
        """Record one probe's answer (the watch's own, or `/readyz`'s)."""
        self._metrics.bus_reachable.set(1 if reachable else 0)
        moment = self._clock()
        if reachable:
            if not self.reachable:
                log.warning(
                    "broker reachable again",
                    outage_seconds=round(moment - self._down_at, 1),
                    failed_probes=self._failed_probes,
                )
            self.reachable = True
            self.unreachable_since = None
            self._failed_probes = 0
            return
        self._failed_probes += 1
        if self.reachable:
            self.reachable = False
            self.unreachable_since = self._now()
            self._down_at = self._reported_at = moment
            log.error(
                "broker unreachable; the API keeps serving and the outbox keeps the events "
                "until it is back",
                bus=type(self._bus).__name__,
            )
        elif moment - self._reported_at >= self._report_seconds:
            self._reported_at = moment
            log.error(
                "broker still unreachable",
                since=self.unreachable_since.isoformat() if self.unreachable_since else None,
                outage_seconds=round(moment - self._down_at, 1),
                failed_probes=self._failed_probes,
                client_lines_suppressed=broker_client_log_limiter.suppressed,
            )

    async def probe(self) -> bool:
        try:
            reachable = await self._bus.healthy()
        except Exception:  # a probe that fails for any reason means "not reachable"
            reachable = False
        self.observe(reachable)
        return reachable

    def as_json(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "unreachable_since": (
                self.unreachable_since.isoformat() if self.unreachable_since else None
            ),
        }

    async def run(self) -> None:
        while True:
            await self.probe()
            await asyncio.sleep(self._probe_seconds)
