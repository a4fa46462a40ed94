"""Appeals service: objections, complaints and credit repair (DOMAIN.md §7, §8), and
whistle-blower reports (DOMAIN.md §9)."""

from __future__ import annotations

from fastapi import FastAPI

from jrp_appeals.bootstrap import Appeals, bootstrap
from jrp_appeals.config import AppealsSettings
from jrp_appeals.entrypoints.http import (
    complaints,
    entries,
    notifications,
    objections,
    repairs,
    whistleblowers,
)
from jrp_shared.bus.base import Bus
from jrp_shared.logging import configure_logging
from jrp_shared.web import create_service_app


def create_app(settings: AppealsSettings | None = None, *, bus: Bus | None = None) -> FastAPI:
    settings = settings or AppealsSettings()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    appeals = bootstrap(settings, bus=bus)
    app = create_service_app(
        appeals.runtime,
        title="Appeals",
        description=__doc__ or "",
        routers=[
            objections.router,
            complaints.router,
            repairs.router,
            notifications.router,
            entries.router,
            whistleblowers.router,
            *appeals.copies.routers(),
        ],
        large_body_routers=[(whistleblowers.public_router, settings.whistleblower_body_limit())],
        on_startup=[appeals.copies.restore],
    )
    app.state.appeals = appeals
    app.state.catalog_copy = appeals.copies.catalog
    app.state.calendar_copy = appeals.copies.calendar
    return app


def appeals_of(app: FastAPI) -> Appeals:
    appeals: Appeals = app.state.appeals
    return appeals
