"""Wire the trigger once from its settings: runtime, registry copies, consumers, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jrp_shared.bus.base import Bus
from jrp_shared.calendar import YearSchedule
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.clock import Clock, china_date, system_clock
from jrp_shared.counted_gauge import CountedGauge
from jrp_shared.events import topics
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_trigger.adapters import orm
from jrp_trigger.adapters.catalog_versions import ListTypeVersions
from jrp_trigger.adapters.publicity import PublicityRepository
from jrp_trigger.adapters.repositories import DeletionRepository
from jrp_trigger.config import TriggerSettings
from jrp_trigger.entrypoints.consumers import add_consumers
from jrp_trigger.service_layer import deletions, publicity, supervision
from jrp_trigger.service_layer.handlers import SubmissionContext


@dataclass
class Trigger:
    settings: TriggerSettings
    runtime: ServiceRuntime
    copies: RegistryCopies
    clock: Clock = field(default=system_clock)
    deletions_overdue: CountedGauge | None = None
    publicity_overdue: CountedGauge | None = None
    reports_overdue: CountedGauge | None = None

    def today(self) -> date:
        return china_date(self.clock())

    def submissions_by(self, department: str) -> SubmissionContext:
        """A fresh context (and catalog cache) for one request or message."""
        return SubmissionContext(
            department=department,
            clock=self.clock,
            organisation_code_policy=self.settings.organisation_code_policy,
            list_types=ListTypeVersions(orm.catalog_copy.list_types),
            calendar=self.copies.calendar.calendar,
        )

    def publicity_by(self, department: str) -> publicity.PublicityContext:
        """What a double-publicity post of `department` is checked with."""
        return publicity.PublicityContext(
            department=department,
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
        topics_published=[topics.LIST_ENTRIES, topics.PUBLICITY],
    )
    copies = RegistryCopies(runtime, orm.catalog_copy, orm.calendar_copy)
    trigger = Trigger(settings, runtime, copies)
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

    copies.calendar.on_schedule_loaded(schedule_loaded)
    add_consumers(trigger)
    return trigger
