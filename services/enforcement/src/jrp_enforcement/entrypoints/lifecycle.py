"""The order lifecycle wired into the enforcement runtime: consumers, the calendar hook,
the expiry sweep and the HTTP routers (called once from `create_app`)."""

from __future__ import annotations

from fastapi import APIRouter

from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.entrypoints import consumers
from jrp_enforcement.entrypoints.expiry import run_expiry
from jrp_enforcement.entrypoints.http import orders, statistics, warning_list
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_enforcement.service_layer.entries import recompute_provisional_deadlines
from jrp_enforcement.service_layer.warning_list import WarningListKeeper
from jrp_shared.auth import ROLE_IMPLEMENTER
from jrp_shared.calendar import YearSchedule
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.events import topics
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime

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
    return context
