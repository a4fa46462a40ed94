"""The order lifecycle wired into the enforcement runtime: consumers, the calendar hook,
the expiry sweep and the HTTP routers (called once from `create_app`)."""

from __future__ import annotations

import functools
from datetime import date

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_enforcement.adapters import reminders as reminder_reads
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.entrypoints import consumers
from jrp_enforcement.entrypoints.expiry import run_expiry
from jrp_enforcement.entrypoints.http import orders, statistics, warning_list
from jrp_enforcement.entrypoints.reminders import run_reminders, supervision_handlers
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_enforcement.service_layer.entries import recompute_provisional_deadlines
from jrp_enforcement.service_layer.warning_list import WarningListKeeper
from jrp_shared.auth import ROLE_IMPLEMENTER
from jrp_shared.calendar import YearSchedule
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.counted_gauge import CountedGauge, LabelledCountedGauge
from jrp_shared.events import topics
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.vocabulary import ReminderLevel

ROUTERS: tuple[APIRouter, ...] = (orders.router, statistics.router, warning_list.router)


def wire_order_lifecycle(
    runtime: ServiceRuntime,
    copies: RegistryCopies,
    changes: EntryChanges,
    settings: EnforcementSettings,
) -> OrdersContext:
    context = OrdersContext(copies.catalog, copies.calendar.calendar, changes)
    # The warning list follows every entry change, in its transaction (DOMAIN.md §11).
    context.warnings = WarningListKeeper(
        context.cached_catalog, lambda: context.now(), settings.warning_key_areas
    )
    changes.before_commit_of_entries(context.warnings.entries_changed)
    runtime.add_consumer(
        "list-entries",
        [topics.LIST_ENTRIES],
        consumers.list_entry_handlers(context),
        prepare=consumers.read_entries_ahead(context),
    )
    runtime.add_consumer(
        "reports",
        [topics.DEPARTMENT_REPORTS],
        consumers.report_handlers(context),
        inbound_role=ROLE_IMPLEMENTER,
    )

    async def recompute(uow: UnitOfWork, _schedule: YearSchedule) -> None:
        await recompute_provisional_deadlines(uow, context)

    copies.calendar.on_schedule_loaded(recompute)
    runtime.add_task(
        "expiry", lambda: run_expiry(runtime.uow, context, settings.expiry_interval_seconds)
    )
    _wire_reminders(runtime, context, settings)
    return context


def _wire_reminders(
    runtime: ServiceRuntime, context: OrdersContext, settings: EnforcementSettings
) -> None:
    """The reminder sweep, the gauges of what is still open, and the forwarding of every
    reminder (this service's and appeals') to the department's sanction topic (docs/loop.md)."""
    runtime.add_consumer("supervision", [topics.SUPERVISION], supervision_handlers())
    runtime.add_task(
        "reminders",
        lambda: run_reminders(runtime.uow, context, settings.reminder_sweep_interval_seconds),
    )
    for level, name in (
        (ReminderLevel.REMINDER, "jrp_reminders_open"),
        (ReminderLevel.ESCALATION, "jrp_escalations_open"),
    ):
        gauge = CountedGauge(
            runtime,
            name=name,
            documentation=f"Orders reminded ({level}) and still late with the same receipt or "
            "feedback (DOMAIN.md §5 step 5; docs/loop.md)",
            count=functools.partial(_open_count, level),
            today=context.today,
            interval_seconds=settings.reminders_gauge_refresh_seconds,
        )
        runtime.add_task(name, gauge.run)
    overdue = LabelledCountedGauge(
        runtime,
        name="jrp_orders_overdue",
        documentation="Orders past their receipt (kind=receipt) or feedback (kind=feedback) due "
        "day and not done, by implementing department (DOMAIN.md §5; docs/loop.md)",
        labels=("kind", "department"),
        count=reminder_reads.overdue_counts,
        today=context.today,
        interval_seconds=settings.reminders_gauge_refresh_seconds,
    )
    runtime.add_task("jrp_orders_overdue", overdue.run)


async def _open_count(level: ReminderLevel, session: AsyncSession, today: date) -> int:
    return await reminder_reads.open_count(session, level, today)
