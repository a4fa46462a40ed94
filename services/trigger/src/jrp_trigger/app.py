"""Trigger service: initiating departments post, recognise, correct and revoke list
entries (DOMAIN.md §5)."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from jrp_shared.bus.base import Bus
from jrp_shared.logging import configure_logging
from jrp_shared.web import create_service_app
from jrp_trigger.bootstrap import Trigger, bootstrap
from jrp_trigger.config import TriggerSettings
from jrp_trigger.entrypoints.http import (
    bulk,
    deletions,
    entries,
    exchange,
    expert_pools,
    feeds,
    publicity,
    recognition,
    reports,
)


def create_app(settings: TriggerSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    settings = settings or TriggerSettings()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    trigger = bootstrap(settings, bus=bus)

    async def freeze_startup_objects() -> None:
        if settings.freeze_startup_objects:
            gc.collect()
            gc.freeze()

    app = create_service_app(
        trigger.runtime,
        title="Trigger",
        description=__doc__ or "",
        # The bulk route first (`/bulk` must not be taken for an entry id), with its own body
        # limit: its lines are read as they arrive.
        large_body_routers=[
            (bulk.router, settings.bulk_max_body_bytes),
            (feeds.lines_router, settings.bulk_max_body_bytes),
            (publicity.bulk_router, settings.publicity_bulk_max_bytes),
        ],
        # `/deletions` before `/{entry_id}`.
        routers=[
            deletions.router,
            feeds.router,
            entries.router,
            recognition.router,
            expert_pools.router,
            publicity.router,
            reports.router,
            exchange.router,
            *trigger.copies.routers(),
        ],
        on_startup=[trigger.copies.restore, freeze_startup_objects],
    )
    app.state.trigger = trigger
    app.state.catalog_copy = trigger.copies.catalog
    app.state.calendar_copy = trigger.copies.calendar
    return app


def trigger_of(app: FastAPI) -> Trigger:
    trigger: Trigger = app.state.trigger
    return trigger
