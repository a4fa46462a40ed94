"""What every page shares: the templates, the signed-in officer, the services, the working-day
calendar, flash messages and the CSRF check. Each area of pages is a router module beside this
one (`auth`, `home`, …) registered in `jrp_console.app.ROUTERS`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from jrp_console import i18n, session
from jrp_console.config import ConsoleSettings
from jrp_console.domain.countdown import Countdown, countdown, parse_day
from jrp_console.upstream import Upstream
from jrp_shared.calendar import WorkingDayCalendar, YearSchedule
from jrp_shared.clock import CHINA, china_date, system_clock
from jrp_shared.throttle import PublicThrottle

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Console:
    """The console's process-wide parts (`app.state.console`)."""

    settings: ConsoleSettings
    upstream: Upstream
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    )
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    calendar_loaded_at: float = 0.0
    sign_in_failures: PublicThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.templates.filters["when"] = when
        self.sign_in_failures = PublicThrottle(
            rate=self.settings.sign_in_failures_per_address,
            storage_uri=self.settings.throttle_storage_uri,
            scope="console-sign-in",
            what="failed sign-ins",
        )

    async def refresh_calendar(self, token: str) -> None:
        """The registry's official schedules (the library covers the rest), every
        `calendar_refresh_seconds` at most."""
        if time.monotonic() - self.calendar_loaded_at < self.settings.calendar_refresh_seconds:
            return
        schedules = await self.upstream.get("registry", "/v1/calendar/schedules", token=token)
        calendar = WorkingDayCalendar([YearSchedule.from_json(s) for s in schedules])
        self.calendar = calendar
        self.calendar_loaded_at = time.monotonic()


def when(value: Any) -> str:
    """A moment a service gave (ISO 8601) as an officer reads it: China time to the minute,
    e.g. `2026-11-29 20:05`. A moment without an offset is UTC (the services keep UTC)."""
    if not isinstance(value, str) or len(value) < 16:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


Officer = Annotated[session.SignedIn, Depends(session.require)]


def lang_of(request: Request) -> i18n.Language:
    return i18n.language(request.session.get("lang"))


def today() -> date:
    """The receiver's clock, in China (never a date a service or message sent)."""
    return china_date(system_clock())


def flash(request: Request, message: str, kind: str = "info") -> None:
    """A message shown once on the next page (after a redirect)."""
    queued = list(request.session.get("flash", []))
    queued.append({"kind": kind, "message": message})
    request.session["flash"] = queued[-5:]


async def form_of(request: Request) -> FormData:
    """The posted form, its CSRF token checked (403 otherwise)."""
    form = await request.form(max_files=1, max_fields=200)
    session.check_csrf(request, form.get("csrf"))
    return form


def redirect(url: str) -> RedirectResponse:
    """After a post: see the result on a page of its own (303)."""
    return RedirectResponse(url, status_code=303)


async def due_of(request: Request, officer: session.SignedIn, value: Any) -> Countdown | None:
    """The countdown to a due day given by a service (None without one)."""
    day = parse_day(value)
    if day is None:
        return None
    console = console_of(request)
    await console.refresh_calendar(officer.token)
    return countdown(console.calendar, day, today())


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    console = console_of(request)
    lang = lang_of(request)
    officer = session.current(request)

    def t(key: str, **values: object) -> str:
        return i18n.t(lang, key, **values)

    flashed = request.session.pop("flash", [])
    page = console.templates.get_template(template).render(
        {
            "request": request,
            "t": t,
            "lang": lang,
            "officer": officer,
            "csrf": session.csrf_token(request),
            "flashed": flashed,
            "path": request.url.path,
            **(context or {}),
        }
    )
    return HTMLResponse(page, status_code=status_code)
