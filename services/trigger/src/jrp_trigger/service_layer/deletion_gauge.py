"""`jrp_deletions_overdue`: entries whose deletion deadline has passed without a revocation
(法释〔2017〕7号 第十条), counted from PostgreSQL every `interval_seconds`, so every replica
reports the same."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from prometheus_client import Gauge

from jrp_shared.logging import get_logger
from jrp_shared.runtime import ServiceRuntime
from jrp_trigger.adapters.repositories import DeletionRepository

log = get_logger(__name__)


class DeletionsOverdue:
    def __init__(
        self, runtime: ServiceRuntime, today: Callable[[], date], interval_seconds: float
    ) -> None:
        self._runtime = runtime
        self._today = today
        self._interval = interval_seconds
        self.gauge = Gauge(
            "jrp_deletions_overdue",
            "List entries past their deletion deadline (法释〔2017〕7号 第十条) and not revoked",
            registry=runtime.metrics.registry,
        )

    async def refresh(self) -> int:
        async with self._runtime.db.sessions() as session:
            count = await DeletionRepository(session).overdue_count(self._today())
        self.gauge.set(count)
        return count

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # the database away: try again at the next round
                log.warning("deletions overdue: not counted this round", exc_info=True)
            await asyncio.sleep(self._interval)
