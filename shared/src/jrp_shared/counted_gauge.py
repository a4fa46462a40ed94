"""A gauge counted from the service's database every so often (`jrp_deletions_overdue`,
`jrp_publicity_overdue`, …): every replica reads the same table, so every replica reports the
same number, whichever of them made the change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.logging import get_logger
from jrp_shared.runtime import ServiceRuntime

log = get_logger(__name__)

Count = Callable[[AsyncSession, date], Awaitable[int]]
"""How many there are on a day (China), read in one session."""


class CountedGauge:
    def __init__(
        self,
        runtime: ServiceRuntime,
        *,
        name: str,
        documentation: str,
        count: Count,
        today: Callable[[], date],
        interval_seconds: float,
    ) -> None:
        self._runtime = runtime
        self._count = count
        self._today = today
        self._interval = interval_seconds
        self.name = name
        self.gauge = Gauge(name, documentation, registry=runtime.metrics.registry)

    async def refresh(self) -> int:
        async with self._runtime.db.sessions() as session:
            count = await self._count(session, self._today())
        self.gauge.set(count)
        return count

    async def run(self) -> None:
        """Count now and every `interval_seconds`, until cancelled; a failed round (the database
        away) is logged and tried again at the next."""
        while True:
            try:
                await self.refresh()
            except Exception:
                log.warning("gauge not counted this round", gauge=self.name, exc_info=True)
            await asyncio.sleep(self._interval)


LabelledCount = Callable[[AsyncSession, date], Awaitable[dict[tuple[str, ...], int]]]
"""How many there are on a day, by label values (in the order of the gauge's labels)."""


class LabelledCountedGauge:
    """A `CountedGauge` with labels (`jrp_orders_overdue{kind, department}`, …): every round
    replaces all its series, so a label set no longer counted drops out. Keep the labels
    bounded: a kind, a stage, a department; never a subject code or an id."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        *,
        name: str,
        documentation: str,
        labels: tuple[str, ...],
        count: LabelledCount,
        today: Callable[[], date],
        interval_seconds: float,
    ) -> None:
        self._runtime = runtime
        self._count = count
        self._today = today
        self._interval = interval_seconds
        self.name = name
        self.gauge = Gauge(name, documentation, list(labels), registry=runtime.metrics.registry)

    async def refresh(self) -> dict[tuple[str, ...], int]:
        async with self._runtime.db.sessions() as session:
            counts = await self._count(session, self._today())
        self.gauge.clear()
        for values, count in counts.items():
            self.gauge.labels(*values).set(count)
        return counts

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:
                log.warning("gauge not counted this round", gauge=self.name, exc_info=True)
            await asyncio.sleep(self._interval)
