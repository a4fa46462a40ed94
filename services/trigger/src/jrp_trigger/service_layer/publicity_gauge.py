"""`jrp_publicity_overdue`: double-publicity decisions unpublished past their 7-working-day
deadline (DOMAIN.md §9), counted from PostgreSQL every `interval_seconds`, so every replica
reports the same (like `jrp_deletions_overdue`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from prometheus_client import Gauge

from jrp_shared.logging import get_logger
from jrp_shared.runtime import ServiceRuntime
from jrp_trigger.adapters.publicity import PublicityRepository

log = get_logger(__name__)


class PublicityOverdue:
    def __init__(
        self, runtime: ServiceRuntime, today: Callable[[], date], interval_seconds: float
    ) -> None:
        self._runtime = runtime
        self._today = today
        self._interval = interval_seconds
        self.gauge = Gauge(
            "jrp_publicity_overdue",
            "Licence and penalty decisions unpublished past their 7-working-day deadline (双公示)",
            registry=runtime.metrics.registry,
        )

    async def refresh(self) -> int:
        async with self._runtime.db.sessions() as session:
            count = await PublicityRepository(session).overdue_count(self._today())
        self.gauge.set(count)
        return count

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # the database away: try again at the next round
                log.warning("publicity overdue: not counted this round", exc_info=True)
            await asyncio.sleep(self._interval)
