"""The office's supervision dashboard (issue 16 item 5; DOMAIN.md §5 step 5, §9): four charts
over the trigger's supervision reports and enforcement's statistics, each with a table of the
same numbers; and the monthly report page with its PDF and CSV passed on from the trigger."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jrp_console import i18n
from jrp_console.domain import dashboard as charts
from jrp_console.pages import Officer, console_of, lang_of, render, today

router = APIRouter()

REPORT_NAME = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2]))(?:\.(pdf|csv))?$")


PAGE = 500
MAX_PAGES = 20
"""The outcomes chart reads at most 10,000 cases of each kind, newest first (appeals lists
them so); a period further back than that shows what those cases say."""


async def _filed_since(upstream: Any, token: str, kind: str, start: date) -> list[Any]:
    """The office's cases of one kind (appeals: all, newest first) back to the period's start."""
    found: list[Any] = []
    for page in range(MAX_PAGES):
        batch = await upstream.get(
            "appeals", f"/v1/{kind}", token=token, limit=PAGE, offset=page * PAGE
        )
        found.extend(batch)
        oldest = (batch[-1].get("filed_at") or batch[-1].get("applied_at") or "") if batch else ""
        if len(batch) < PAGE or str(oldest)[:10] < start.isoformat():
            break
    return found


def _forbidden(request: Request) -> HTMLResponse:
    message = i18n.t(lang_of(request), "dashboard.office_only")
    return render(request, "error.html", {"status": 403, "message": message}, status_code=403)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    officer: Officer,
    month: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> HTMLResponse:
    """Office only (the joint conference office supervises every department, DOMAIN.md §1)."""
    if not officer.is_office:
        return _forbidden(request)
    lang = lang_of(request)
    picked = {"month": month or "", "start": start or "", "end": end or ""}
    try:
        period = charts.pick_period(today(), month, start, end)
    except charts.PeriodError as exc:
        return render(
            request,
            "dashboard.html",
            {"error": i18n.t(lang, exc.key), "picked": picked, "period": None},
            status_code=422,
        )
    upstream = console_of(request).upstream
    token = officer.token

    async def report_of(first: date, last: date, whole: str | None) -> Any:
        if whole is not None:
            return await upstream.get("trigger", f"/v1/reports/monthly/{whole}", token=token)
        params = {"from": first.isoformat(), "to": last.isoformat()}
        return (
            await upstream.request("trigger", "GET", "/v1/reports", token=token, params=params)
        ).json()

    slices = period.slices()
    found = await asyncio.gather(
        report_of(period.start, period.end, period.month),
        upstream.get("enforcement", "/v1/statistics", token=token),
        *(report_of(first, last, text if period.month else None) for text, first, last in slices),
    )
    report, statistics, monthly = found[0], found[1], found[2:]
    cases = dict(
        zip(
            charts.OUTCOME_KINDS,
            await asyncio.gather(
                *(
                    _filed_since(upstream, token, kind, period.start)
                    for kind in charts.OUTCOME_KINDS
                )
            ),
            strict=True,
        )
    )
    board = charts.dashboard(
        report,
        statistics,
        zip([s[0] for s in slices], monthly, strict=True),
        cases,
        (period.start, period.end),
    )

    def label(key: str) -> str:
        known = f"dashboard.series.{key}"
        return i18n.t(lang, known) if known in i18n.MESSAGES else key

    data = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": report.get("as_of"),
        "statistics_as_of": statistics.get("as_of"),
        "charts": {c.key: c.as_json(label) for c in board.charts()},
    }
    for chart in data["charts"].values():
        if chart["key"] in ("cases", "outcomes"):
            chart["labels"] = [label(k) for k in chart["categories"]]
    return render(
        request,
        "dashboard.html",
        {
            "error": None,
            "picked": picked,
            "period": period,
            "report": report,
            "data": data,
            "board": board,
            "label": label,
        },
    )


@router.get("/reports/monthly/{name}", response_model=None)
async def monthly_report(
    request: Request, officer: Officer, name: str, department: str | None = None
) -> Response:
    """`YYYY-MM`: the month's report as a page; `YYYY-MM.pdf` / `.csv`: the trigger's file.
    The office reads the platform (or one department); a department its own (the trigger
    decides who reads what: docs/supervision.md)."""
    matched = REPORT_NAME.match(name)
    if matched is None:
        lang = lang_of(request)
        message = i18n.t(lang, "dashboard.bad_month")
        return render(request, "error.html", {"status": 404, "message": message}, status_code=404)
    month, extension = matched.group(1), matched.group(2)
    upstream = console_of(request).upstream
    params = {"department": department}
    if extension is not None:
        answer = await upstream.request(
            "trigger",
            "GET",
            f"/v1/reports/monthly/{month}",
            token=officer.token,
            params={**params, "format": extension},
        )
        media = "application/pdf" if extension == "pdf" else "text/csv; charset=utf-8"
        filename = f"jrp-report-{month}{f'-{department}' if department else ''}.{extension}"
        disposition = answer.headers.get(
            "content-disposition", f'attachment; filename="{filename}"'
        )
        return Response(
            answer.content,
            media_type=answer.headers.get("content-type", media),
            headers={"Content-Disposition": disposition},
        )
    report = await upstream.get(
        "trigger", f"/v1/reports/monthly/{month}", token=officer.token, **params
    )
    return render(
        request,
        "report.html",
        {
            "month": month,
            "department": department,
            "report": report,
            "case_kinds": charts.CASE_KINDS,
            "rate": charts.percent,
        },
    )
