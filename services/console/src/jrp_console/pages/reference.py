"""Read-only reference for every officer: the measures catalog with its versions (DOMAIN.md §4:
list types and measures, versioned with effective dates; from the registry) and the working-day
calendar (DOMAIN.md §10: official schedules loaded, and a month marking working days, holidays
and adjusted working days, provisional years marked)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jrp_console import i18n
from jrp_console.domain import calendar_view
from jrp_console.domain.dashboard import month_start, month_text, shift_month
from jrp_console.pages import Officer, console_of, lang_of, render, today
from jrp_shared.calendar import UnsupportedYearError

router = APIRouter()


def _on(value: str | None) -> date | None:
    """The catalog day asked for (`on=YYYY-MM-DD`); None (today) when absent or malformed."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/catalog", response_class=HTMLResponse)
async def catalog(request: Request, officer: Officer, on: str | None = None) -> HTMLResponse:
    """The list types and measures in force on a day (today by default), with their versions."""
    day = _on(on)
    upstream = console_of(request).upstream
    params: dict[str, Any] = {"on": day.isoformat() if day else None}
    list_types = await upstream.get(
        "registry", "/v1/catalog/list-types", token=officer.token, **params
    )
    measures = await upstream.get("registry", "/v1/catalog/measures", token=officer.token, **params)
    return render(
        request,
        "catalog.html",
        {
            "on": day.isoformat() if day else "",
            "list_types": sorted(list_types, key=lambda x: str(x["code"])),
            "measures": sorted(measures, key=lambda x: str(x["code"])),
        },
    )


@router.get("/catalog/list-types/{code}", response_class=HTMLResponse)
async def list_type(
    request: Request, officer: Officer, code: str, on: str | None = None
) -> HTMLResponse:
    """One list type as in force, its measures in force and its version history."""
    day = _on(on)
    found = await console_of(request).upstream.get(
        "registry",
        f"/v1/catalog/list-types/{code}",
        token=officer.token,
        on=day.isoformat() if day else None,
    )
    return render(
        request,
        "list_type.html",
        {"lt": found, "on": day.isoformat() if day else ""},
    )


@router.get("/calendar", response_class=HTMLResponse)
async def calendar(request: Request, officer: Officer, month: str | None = None) -> HTMLResponse:
    """The loaded official schedules and one month (this month by default)."""
    console = console_of(request)
    schedules = await console.upstream.get(
        "registry", "/v1/calendar/schedules", token=officer.token
    )
    await console.refresh_calendar(officer.token)
    lang = lang_of(request)
    try:
        first = month_start(month) if month else today().replace(day=1)
        weeks = calendar_view.month_weeks(console.calendar, first.year, first.month)
        source = console.calendar.source_of(first.year)
    except (ValueError, UnsupportedYearError):
        message = i18n.t(lang, "calendar.unsupported")
        return render(request, "error.html", {"status": 404, "message": message}, status_code=404)
    return render(
        request,
        "calendar.html",
        {
            "month": month_text(first),
            "previous": month_text(shift_month(first, -1)),
            "following": month_text(shift_month(first, 1)),
            "weeks": weeks,
            "source": source,
            "schedules": sorted(schedules, key=lambda s: int(s["year"])),
        },
    )
