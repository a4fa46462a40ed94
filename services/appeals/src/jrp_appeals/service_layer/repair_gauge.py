"""`jrp_repairs_overdue{stage, department}`: repairs late at their stage — the credit portal's
forwarding, the authority's decision, the result's push (DOMAIN.md §11; 国办发〔2025〕22号) — by
deciding department, counted from PostgreSQL every `interval_seconds`, so every replica reports
the same."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from prometheus_client import Gauge

from jrp_appeals.adapters.repositories import RepairRepository
from jrp_appeals.domain.repairs import RepairStage
from jrp_shared.logging import get_logger
from jrp_shared.runtime import ServiceRuntime

log = get_logger(__name__)


class RepairsOverdue:
    def __init__(
        self, runtime: ServiceRuntime, today: Callable[[], date], interval_seconds: float
    ) -> None:
        self._runtime = runtime
        self._today = today
        self._interval = interval_seconds
        self.gauge = Gauge(
            "jrp_repairs_overdue",
            "Credit repairs past the due date of their stage (forward 10, decision 3, push 3 "
            "working days; DOMAIN.md §11), by stage and deciding department",
            ["stage", "department"],
            registry=runtime.metrics.registry,
        )

    async def refresh(self) -> dict[tuple[RepairStage, str], int]:
        async with self._runtime.db.sessions() as session:
            counts = await RepairRepository(session).overdue_counts(self._today())
        self.gauge.clear()  # a department no longer late drops out
        for (stage, department), count in counts.items():
            self.gauge.labels(stage=str(stage), department=department).set(count)
        return counts

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # the database away: try again at the next round
                log.warning("repairs overdue: not counted this round", exc_info=True)
            await asyncio.sleep(self._interval)
