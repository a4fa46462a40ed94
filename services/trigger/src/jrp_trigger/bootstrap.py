"""Wire the trigger once from its settings: runtime, registry copies, consumers, clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

from jrp_shared.bus.base import Bus
from jrp_shared.calendar import YearSchedule
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.clock import Clock, china_date, system_clock
from jrp_shared.counted_gauge import CountedGauge
from jrp_shared.events import topics
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_trigger.adapters import orm
from jrp_trigger.adapters.catalog_versions import ListTypeVersions
from jrp_trigger.adapters.exchange import ExchangeRepository
from jrp_trigger.adapters.publicity import PublicityRepository
from jrp_trigger.adapters.repositories import DeletionRepository
from jrp_trigger.config import TriggerSettings
from jrp_trigger.domain.exchange import RetryPolicy
from jrp_trigger.entrypoints.consumers import add_consumers
from jrp_trigger.service_layer import deletions, exchange, publicity, supervision
from jrp_trigger.service_layer.exchange import ExchangeRecorder
from jrp_trigger.service_layer.handlers import SubmissionContext

log = get_logger(__name__)


@dataclass
class Trigger:
    settings: TriggerSettings
    runtime: ServiceRuntime
    copies: RegistryCopies
    clock: Clock = field(default=system_clock)
    deletions_overdue: CountedGauge | None = None
    publicity_overdue: CountedGauge | None = None
    reports_overdue: CountedGauge | None = None
    exchange_overdue: CountedGauge | None = None
    exchange: ExchangeRecorder | None = None
    """makes the exchange records (None while bootstrapping only)"""

    def today(self) -> date:
        return china_date(self.clock())

    def submissions_by(
        self, department: str, *, exchange_partner: bool = False, officer: str | None = None
    ) -> SubmissionContext:
        """A fresh context (and catalog cache) for one request or message; `exchange_partner`:
        the department is another platform (role `exchange`) submitting other regions'
        entries; `officer`: the one of its officers who submits."""
        return SubmissionContext(
            department=department,
            clock=self.clock,
            organisation_code_policy=self.settings.organisation_code_policy,
            list_types=ListTypeVersions(orm.catalog_copy.list_types),
            calendar=self.copies.calendar.calendar,
            exchange=self.exchange,
            exchange_partner=exchange_partner,
            officer=officer,
        )

    async def sweep_exchange(self) -> None:
        """Exits of ended periods recorded, unacknowledged records pushed again: once."""
        recorder = self.exchange
        if recorder is None:
            return
        while True:
            async with self.runtime.uow() as uow:
                if await recorder.record_exits(uow, self.today()) < exchange.SWEEP_BATCH:
                    break
        while True:
            async with self.runtime.uow() as uow:
                if await recorder.push_again(uow, self.clock()) < exchange.SWEEP_BATCH:
                    break

    async def run_exchange_sweeps(self) -> None:
        while True:
            try:
                await self.sweep_exchange()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a failed sweep is tried again at the next interval
                log.warning("exchange sweep failed", error=str(exc))
            await asyncio.sleep(self.settings.exchange_sweep_seconds)

    def publicity_by(
        self, department: str, officer: str | None = None
    ) -> publicity.PublicityContext:
        """What a double-publicity post of `department` (by `officer`, one of its officers) is
        checked with."""
        return publicity.PublicityContext(
            department=department,
            officer=officer,
            clock=self.clock,
            calendar=self.copies.calendar.calendar,
            periods=self.settings.publication_periods,
            organisation_code_policy=self.settings.organisation_code_policy,
        )


def bootstrap(settings: TriggerSettings, *, bus: Bus | None = None) -> Trigger:
    runtime = ServiceRuntime(
        settings,
        orm.messaging,
        bus=bus,
        topics_published=[topics.LIST_ENTRIES, topics.PUBLICITY, topics.EXCHANGE],
    )
    copies = RegistryCopies(runtime, orm.catalog_copy, orm.calendar_copy)
    trigger = Trigger(settings, runtime, copies)
    trigger.exchange = ExchangeRecorder(
        enabled=settings.exchange_enabled,
        deadline_working_days=settings.exchange_deadline_working_days,
        calendar=copies.calendar.calendar,
        catalog=copies.catalog,
        clock=lambda: trigger.clock(),
        retry=RetryPolicy(
            interval_seconds=settings.exchange_retry_seconds,
            max_attempts=settings.exchange_max_attempts,
        ),
    )
    if settings.exchange_enabled:
        runtime.add_task("exchange-sweep", trigger.run_exchange_sweeps)
    trigger.exchange_overdue = CountedGauge(
        runtime,
        name="jrp_exchange_overdue",
        documentation="Exchange records not accepted by the upper-level platform past their "
        "push deadline (DOMAIN.md §11: within 3 working days)",
        count=lambda session, today: ExchangeRepository(session).overdue_count(today),
        today=trigger.today,
        interval_seconds=settings.exchange_overdue_refresh_seconds,
    )
    runtime.add_task("exchange-overdue", trigger.exchange_overdue.run)
    trigger.deletions_overdue = CountedGauge(
        runtime,
        name="jrp_deletions_overdue",
        documentation="List entries past their deletion deadline (法释〔2017〕7号 第十条) and "
        "not revoked",
        count=lambda session, today: DeletionRepository(session).overdue_count(today),
        today=trigger.today,
        interval_seconds=settings.deletions_overdue_refresh_seconds,
    )
    runtime.add_task("deletions-overdue", trigger.deletions_overdue.run)
    trigger.publicity_overdue = CountedGauge(
        runtime,
        name="jrp_publicity_overdue",
        documentation="Licence and penalty decisions unpublished past their 7-working-day "
        "deadline (双公示)",
        count=lambda session, today: PublicityRepository(session).overdue_count(today),
        today=trigger.today,
        interval_seconds=settings.publicity_overdue_refresh_seconds,
    )
    runtime.add_task("publicity-overdue", trigger.publicity_overdue.run)
    trigger.reports_overdue = CountedGauge(
        runtime,
        name="jrp_monthly_reports_overdue",
        documentation="Departments that have not submitted the latest monthly report already "
        "due (typical cases of trustworthiness and dishonesty by the 20th, 004 四(四))",
        count=lambda session, today: supervision.reports_overdue(session, copies.catalog, today),
        today=trigger.today,
        interval_seconds=settings.reports_overdue_refresh_seconds,
    )
    runtime.add_task("reports-overdue", trigger.reports_overdue.run)

    async def schedule_loaded(uow: UnitOfWork, schedule: YearSchedule) -> None:
        await deletions.recompute_provisional(uow, copies.calendar.calendar, schedule)
        await publicity.recompute_provisional(uow, copies.calendar.calendar, schedule)
        await exchange.recompute_provisional(
            uow, copies.calendar.calendar, schedule, settings.exchange_deadline_working_days
        )

    copies.calendar.on_schedule_loaded(schedule_loaded)
    add_consumers(trigger)
    return trigger
