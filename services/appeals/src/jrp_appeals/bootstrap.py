"""Wire the appeals service once from its settings: runtime, registry copies, consumers,
the exit-notice sweep, the repairs-overdue gauge, clock, the whistle-blower reports' identity
vault and public rate limits."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters import orm
from jrp_appeals.adapters import reminders as reminder_reads
from jrp_appeals.adapters.identity_vault import IdentityVault
from jrp_appeals.adapters.repositories import cases_overdue_counts
from jrp_appeals.config import AppealsSettings
from jrp_appeals.entrypoints.consumers import add_consumers
from jrp_appeals.entrypoints.expiry import run_exit_sweep
from jrp_appeals.entrypoints.reminders import run_reminders
from jrp_appeals.service_layer.context import AppealsContext
from jrp_appeals.service_layer.repair_gauge import RepairsOverdue
from jrp_shared.bus.base import Bus
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.clock import Clock, china_date, system_clock
from jrp_shared.counted_gauge import CountedGauge, LabelledCountedGauge
from jrp_shared.events import topics
from jrp_shared.logging import get_logger
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.throttle import PublicThrottle
from jrp_shared.vocabulary import ReminderLevel

log = get_logger(__name__)


@dataclass
class Appeals:
    settings: AppealsSettings
    runtime: ServiceRuntime
    copies: RegistryCopies
    clock: Clock = field(default=system_clock)
    """Replaceable, so tests can move time (deadlines, windows, repair dates)."""
    repairs_overdue: RepairsOverdue | None = None
    cases_overdue: LabelledCountedGauge | None = None
    vault: IdentityVault = field(default_factory=IdentityVault.ephemeral)
    """Seals the whistle-blowers' identities (docs/whistleblowers.md)."""
    public_throttle: PublicThrottle | None = None
    code_failures: PublicThrottle | None = None

    def today(self) -> date:
        return china_date(self.clock())

    def context(self) -> AppealsContext:
        """A fresh context per request or message, with the clock as it is now set."""
        return AppealsContext(
            settings=self.settings,
            calendar=self.copies.calendar.calendar,
            catalog=self.copies.catalog,
            clock=self.clock,
        )


def bootstrap(settings: AppealsSettings, *, bus: Bus | None = None) -> Appeals:
    runtime = ServiceRuntime(
        settings,
        orm.messaging,
        bus=bus,
        topics_published=[topics.APPEALS, topics.SUBJECT_NOTIFICATIONS, topics.SUPERVISION],
    )
    copies = RegistryCopies(runtime, orm.catalog_copy, orm.calendar_copy)
    appeals = Appeals(settings, runtime, copies)
    if not settings.whistleblower_identity_key_files:
        log.warning(
            "no whistleblower_identity_key_files: reporters' identities are sealed with a key "
            "of this process alone (development only)"
        )
    appeals.vault = IdentityVault.from_files(
        settings.whistleblower_identity_key_files, settings.whistleblower_identity_key_id
    )
    appeals.public_throttle = PublicThrottle(
        rate=settings.public_rate_limit,
        storage_uri=settings.public_rate_limit_storage,
        scope="whistleblower-public",
        what="whistle-blower requests from this address",
    )
    appeals.code_failures = PublicThrottle(
        rate=settings.whistleblower_code_failures,
        storage_uri=settings.public_rate_limit_storage,
        scope="whistleblower-code-failures",
        what="wrong query codes",
    )
    add_consumers(appeals)
    appeals.repairs_overdue = RepairsOverdue(
        runtime, appeals.today, settings.repairs_overdue_refresh_seconds
    )
    runtime.add_task("repairs-overdue", appeals.repairs_overdue.run)
    appeals.cases_overdue = LabelledCountedGauge(
        runtime,
        name="jrp_cases_overdue",
        documentation="Objections and complaints late with a decision, a correction or an "
        "appeal's decision (DOMAIN.md §7), by kind and providing department",
        labels=("kind", "department"),
        count=cases_overdue_counts,
        today=appeals.today,
        interval_seconds=settings.repairs_overdue_refresh_seconds,
    )
    runtime.add_task("cases-overdue", appeals.cases_overdue.run)
    runtime.add_task(
        "exit-notices",
        lambda: run_exit_sweep(runtime.uow, appeals.context, settings.exit_sweep_interval_seconds),
    )
    _wire_reminders(appeals)
    return appeals


def _wire_reminders(appeals: Appeals) -> None:
    """The reminder sweep and the gauges of what is still open (docs/due-process.md)."""
    runtime, settings = appeals.runtime, appeals.settings
    runtime.add_task(
        "reminders",
        lambda: run_reminders(
            runtime.uow, appeals.context, settings.reminder_sweep_interval_seconds
        ),
    )
    for level, name in (
        (ReminderLevel.REMINDER, "jrp_reminders_open"),
        (ReminderLevel.ESCALATION, "jrp_escalations_open"),
    ):
        gauge = CountedGauge(
            runtime,
            name=name,
            documentation=f"Cases and repair stages reminded ({level}) and still not decided "
            "(DOMAIN.md §5 step 5; docs/due-process.md)",
            count=functools.partial(_open_count, level, settings.office_department),
            today=appeals.today,
            interval_seconds=settings.reminders_gauge_refresh_seconds,
        )
        runtime.add_task(name, gauge.run)


async def _open_count(level: ReminderLevel, office: str, session: AsyncSession, day: date) -> int:
    return await reminder_reads.open_count(session, level, day, office)
