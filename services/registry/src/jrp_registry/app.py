"""The registry's FastAPI app, built by a factory (nothing happens at import)."""

from __future__ import annotations

from fastapi import FastAPI

from jrp_registry.adapters.repositories import CalendarRepository
from jrp_registry.bootstrap import Registry, bootstrap
from jrp_registry.config import RegistrySettings
from jrp_registry.entrypoints.http import (
    calendar,
    cases,
    catalog,
    credit,
    departments,
    event_schemas,
    oauth,
    officers,
    public,
    public_decisions,
    subjects,
)
from jrp_shared.bus.base import Bus
from jrp_shared.calendar_copy import deadline_router, follow_calendar
from jrp_shared.clock import Clock, system_clock
from jrp_shared.logging import configure_logging
from jrp_shared.web import create_service_app


def create_app(
    settings: RegistrySettings | None = None, *, bus: Bus | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or RegistrySettings()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    registry = bootstrap(settings, bus=bus, clock=clock or system_clock)

    async def load_calendar() -> None:
        # Operator-loaded official schedules override the library (DOMAIN.md §10).
        async with registry.runtime.db.sessions() as session:
            for schedule in await CalendarRepository(session).all():
                registry.calendar.load_schedule(schedule)

    runtime = registry.runtime
    runtime.add_task(
        "calendar-follower",
        lambda: follow_calendar(runtime.bus, registry.calendar, name="registry.calendar-follower"),
    )
    app = create_service_app(
        registry.runtime,
        title="Registry",
        description="Subjects, departments and the versioned measures catalog — the only "
        "legal basis for any measure (DOMAIN.md §4).",
        routers=[
            oauth.router,
            oauth.well_known,
            credit.router,
            credit.public_router,
            subjects.router,
            public.router,
            cases.router,
            departments.router,
            officers.router,
            catalog.router,
            calendar.router,
            public_decisions.router,
            event_schemas.router,
            deadline_router(lambda _request: registry.calendar),
        ],
        on_startup=[load_calendar],
    )
    app.state.registry = registry
    return app


def registry_of(app: FastAPI) -> Registry:
    registry: Registry = app.state.registry
    return registry
