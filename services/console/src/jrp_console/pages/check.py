"""Must-check (应查必查, DOMAIN.md §6; docs/must-check.md): a code or a name in; the answer as an
officer needs it — listed, suspended (and why), rewarded, on the warning list, the measures due
by the officer's department with the entries behind them — and the audit id enforcement
recorded the check under.

Codes travel in the posted form, never in the address (a resident ID is personal data,
DOMAIN.md §2); the page shows them masked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jrp_console.domain.check import as_code, is_masked, measures_due, shown_code
from jrp_console.pages import Officer, console_of, form_of, render
from jrp_console.upstream import UpstreamError
from jrp_shared.vocabulary import CheckPurpose

router = APIRouter()

PURPOSES = [p.value for p in CheckPurpose]


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.get("/check", response_class=HTMLResponse)
async def check_form(request: Request, officer: Officer) -> HTMLResponse:
    return render(request, "check.html", {"purposes": PURPOSES, "form": {}})


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request, officer: Officer) -> HTMLResponse:
    form = await form_of(request)
    typed = _text(form, "q", 100)
    purpose = _text(form, "purpose", 40)
    reference = _text(form, "business_reference", 200)
    shown_form = {"q": "" if as_code(typed) else typed, "purpose": purpose, "reference": reference}
    context: dict[str, Any] = {"purposes": PURPOSES, "form": shown_form}
    if not typed:
        return render(request, "check.html", context, status_code=422)
    upstream = console_of(request).upstream
    code = as_code(typed)
    if code is None:
        found = await upstream.get("registry", "/v1/subjects", token=officer.token, q=typed)
        matches = [{**s, "checkable": not is_masked(str(s.get("code", "")))} for s in found]
        return render(request, "check.html", {**context, "matches": matches, "searched": typed})
    try:
        answer = await upstream.get(
            "enforcement",
            f"/v1/checks/{code}",
            token=officer.token,
            purpose=purpose or None,
            business_reference=reference or None,
        )
    except UpstreamError as exc:
        if exc.status != 422:
            raise
        return render(request, "check.html", {**context, "error": exc.message}, status_code=422)
    suspensions = await _suspensions(request, officer.token, answer)
    return render(
        request,
        "check.html",
        {
            **context,
            "answer": answer,
            "shown_code": shown_code(code),
            "measures": measures_due(answer),
            "suspensions": suspensions,
        },
    )


async def _suspensions(request: Request, token: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Why each suspended entry is suspended: the open objection or complaint, as trigger
    shows it on the entry (`suspension: {case_kind, case_id, since}`, DOMAIN.md §7)."""
    upstream = console_of(request).upstream
    found: dict[str, Any] = {}
    for entry in answer.get("entries") or []:
        if entry.get("status") != "suspended":
            continue
        try:
            read = await upstream.get(
                "trigger", f"/v1/list-entries/{entry['entry_id']}", token=token
            )
        except UpstreamError:
            continue  # the note enforcement gives is still shown
        if read.get("suspension"):
            found[entry["entry_id"]] = read["suspension"]
    return found
