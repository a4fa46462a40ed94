"""Enforcement service: fans list entries out to implementing departments, collects
feedback and answers the must-check query (DOMAIN.md §5, §6)."""

from __future__ import annotations

from fastapi import FastAPI

from jrp_enforcement.adapters import orm
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.domain.batches import BatchPolicy
from jrp_enforcement.entrypoints import lifecycle
from jrp_enforcement.entrypoints.http import checks
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.checks import wire_checks
from jrp_shared.bus.base import Bus
from jrp_shared.catalog_copy import RegistryCopies
from jrp_shared.logging import configure_logging
from jrp_shared.messaging.lag_watch import SanctionTopicsWatch
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.web import create_service_app


def create_app(settings: EnforcementSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    settings = settings or EnforcementSettings()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    runtime = ServiceRuntime(settings, orm.messaging, bus=bus)
    copies = RegistryCopies(runtime, orm.catalog_copy, orm.calendar_copy)
    entry_changes = EntryChanges()
    orders = lifecycle.wire_order_lifecycle(runtime, copies, entry_changes, settings)
    check_service = wire_checks(
        runtime,
        copies.catalog,
        entry_changes,
        clock=orders.now,
        batch_policy=BatchPolicy(
            max_codes_per_mask=settings.batch_max_codes_per_mask,
            flag_persons_over=settings.batch_flag_persons_over,
        ),
        seal_interval_seconds=settings.audit_seal_interval_seconds,
        seal_batch=settings.audit_seal_batch,
    )
    # The office sees an agency that stopped reading its topic (docs/operations.md).
    sanction_topics = SanctionTopicsWatch(
        runtime.bus, runtime.metrics, interval_seconds=settings.sanction_lag_refresh_seconds
    )
    runtime.add_task("sanction-topic-lag", sanction_topics.run)
    app = create_service_app(
        runtime,
        title="Enforcement",
        description=__doc__ or "",
        # must-check first: routes are matched in order and it is the hottest one
        hot_routes=checks.single.routes,
        routers=[checks.router, *copies.routers(), *lifecycle.ROUTERS],
        on_startup=[copies.restore],
    )
    app.state.catalog_copy = copies.catalog
    app.state.calendar_copy = copies.calendar
    app.state.entry_changes = entry_changes
    app.state.orders = orders
    app.state.checks = check_service
    app.state.sanction_topics = sanction_topics
    return app
