"""List entries of the officer's department (trigger's published API; DOMAIN.md §5 step 1, §7):
the list (paged, by state and list type), one entry with its versions and history, the forms
to post one, correct and revoke it, and the bulk import (services/trigger/README.md "Bulk
import"): in the browser `static/bulk.js` sends the file in chunks of lines to
`POST /entries/bulk/chunk`; without script the form posts the whole file."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from jrp_console import i18n, session
from jrp_console.domain.entries import (
    FIELDS,
    LINKED_PERSON_ROWS,
    BulkFormat,
    Problems,
    bulk_answer,
    bulk_format,
    correction_form,
    correction_of,
    history_of,
    line_offset,
    may_correct,
    may_revoke,
    problems_of,
    revocation_of,
    submission_of,
)
from jrp_console.pages import (
    Officer,
    console_of,
    due_of,
    flash,
    form_of,
    lang_of,
    redirect,
    render,
)
from jrp_console.upstream import UpstreamError
from jrp_shared.vocabulary import (
    DisclosureClass,
    LinkedPersonRole,
    ListEntryStatus,
    NoticeChannel,
    SubjectType,
)

router = APIRouter()

PAGE_SIZE = 50
BULK_CHUNK_LINES = 200
"""Lines bulk.js sends per chunk: small enough for a steady progress bar, large enough that
trigger's chunked import (its own 500-line transactions) is not called a line at a time."""

STATUSES = [s.value for s in ListEntryStatus]
CHOICES: dict[str, list[Any]] = {
    "statuses": STATUSES,
    "subject_types": [s.value for s in SubjectType],
    "disclosure_classes": [d.value for d in DisclosureClass],
    "notice_channels": [c.value for c in NoticeChannel],
    "linked_roles": [r.value for r in LinkedPersonRole],
    "linked_rows": list(range(1, LINKED_PERSON_ROWS + 1)),
}


async def _list_types(request: Request, officer: session.SignedIn) -> list[dict[str, Any]]:
    """The list types in force in trigger's copy of the catalog (the one it judges entries
    by, DOMAIN.md §4), by code."""
    found: list[dict[str, Any]] = await console_of(request).upstream.get(
        "trigger", "/v1/catalog/list-types", token=officer.token
    )
    return sorted(found, key=lambda lt: str(lt.get("code")))


def _names(list_types: list[dict[str, Any]], lang: str) -> dict[str, str]:
    return {
        str(lt["code"]): str(lt.get("name_en") if lang == "en" else lt.get("name"))
        for lt in list_types
    }


# --- the list --------------------------------------------------------------------------------


@router.get("/entries", response_class=HTMLResponse)
async def entries(
    request: Request,
    officer: Officer,
    status: str = "",
    list_type: str = "",
    page: int = 1,
) -> HTMLResponse:
    page = max(1, min(page, 10_000))
    status = status if status in STATUSES else ""
    list_types = await _list_types(request, officer)
    list_type = list_type if any(lt["code"] == list_type for lt in list_types) else ""
    found = await console_of(request).upstream.get(
        "trigger",
        "/v1/list-entries",
        token=officer.token,
        status=status or None,
        list_type=list_type or None,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "entries.html",
        {
            "entries": found[:PAGE_SIZE],
            "more": len(found) > PAGE_SIZE,
            "page": page,
            "status": status,
            "list_type": list_type,
            "list_types": list_types,
            "names": _names(list_types, lang_of(request)),
            **CHOICES,
        },
    )


# --- a new entry -----------------------------------------------------------------------------


async def _initiated(request: Request, officer: session.SignedIn) -> list[dict[str, Any]]:
    """The list types the officer's department initiates (谁主管、谁负责; DOMAIN.md §4)."""
    return [
        lt
        for lt in await _list_types(request, officer)
        if officer.department in (lt.get("initiating_departments") or [])
    ]


def _entry_page(
    request: Request,
    list_types: list[dict[str, Any]],
    values: dict[str, str],
    problems: Problems,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "entry_new.html",
        {"list_types": list_types, "values": values, "problems": problems, **CHOICES},
        status_code=status_code,
    )


@router.get("/entries/new", response_class=HTMLResponse)
async def new_entry_form(request: Request, officer: Officer) -> HTMLResponse:
    return _entry_page(request, await _initiated(request, officer), {}, Problems())


@router.post("/entries/new", response_class=HTMLResponse, response_model=None)
async def new_entry(request: Request, officer: Officer) -> HTMLResponse | RedirectResponse:
    form = await form_of(request)
    values = {name: v for name in FIELDS if isinstance(v := form.get(name), str)}
    try:
        entry = await console_of(request).upstream.post(
            "trigger", "/v1/list-entries", token=officer.token, json=submission_of(form)
        )
    except UpstreamError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return _entry_page(
            request,
            await _initiated(request, officer),
            values,
            problems_of(exc.problems, exc.message),
            status_code=exc.status,
        )
    flash(request, i18n.t(lang_of(request), "entries.posted"), "success")
    return redirect(f"/entries/{entry['entry_id']}")


# --- bulk import -----------------------------------------------------------------------------


@router.get("/entries/bulk", response_class=HTMLResponse)
async def bulk_form(request: Request, officer: Officer) -> HTMLResponse:
    return render(request, "entries_bulk.html", {"chunk_lines": BULK_CHUNK_LINES})


async def _import(
    request: Request, officer: session.SignedIn, text: str, fmt: BulkFormat, first_line: int
) -> dict[str, Any]:
    """One body to trigger's bulk import; its answer numbered as the officer's file."""
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    try:
        response = await console_of(request).upstream.request(
            "trigger",
            "POST",
            "/v1/list-entries/bulk",
            token=officer.token,
            content=text.encode(),
            headers={"Content-Type": media},
        )
    except UpstreamError as exc:
        if exc.status not in (403, 413, 415, 422):
            raise
        return {"results": [], "summary": None, "error": exc.message}
    return bulk_answer(response.text, line_offset(fmt, first_line)).as_json()


@router.post("/entries/bulk", response_class=HTMLResponse)
async def bulk_upload(request: Request, officer: Officer) -> HTMLResponse:
    """Without script: the whole file in one post (small files), the results on the page."""
    form = await form_of(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        answer: dict[str, Any] = {
            "results": [],
            "summary": None,
            "error": i18n.t(lang_of(request), "bulk.no_file"),
        }
        status_code = 422
    else:
        try:
            text = (await upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is None:
            answer = {
                "results": [],
                "summary": None,
                "error": i18n.t(lang_of(request), "bulk.not_utf8"),
            }
            status_code = 422
        else:
            answer = await _import(
                request, officer, text, bulk_format(upload.filename, upload.content_type), 1
            )
            status_code = 200
    return render(
        request,
        "entries_bulk.html",
        {"chunk_lines": BULK_CHUNK_LINES, "answer": answer},
        status_code=status_code,
    )


@router.post("/entries/bulk/chunk")
async def bulk_chunk(request: Request, officer: Officer) -> Response:
    """One chunk from bulk.js: `{"format": "ndjson"|"csv", "first_line": N, "text": …}` (a CSV
    chunk is the header row then whole records; N is the file's line of its first line or
    record), the CSRF token in `X-CSRF-Token`. Answers `{results: [{line, record_id,
    accepted, status, entry_id, reasons}], summary, error}`, lines numbered as in the file."""
    session.check_csrf(request, request.headers.get("x-csrf-token"))
    try:
        sent = json.loads(await request.body())
    except ValueError:
        sent = None
    if (
        not isinstance(sent, dict)
        or sent.get("format") not in ("ndjson", "csv")
        or not isinstance(sent.get("text"), str)
        or not isinstance(sent.get("first_line"), int)
        or sent["first_line"] < 1
    ):
        return JSONResponse(
            {"error": "invalid_chunk", "message": "send {format, first_line, text}"}, 422
        )
    fmt: BulkFormat = "csv" if sent["format"] == "csv" else "ndjson"
    return JSONResponse(await _import(request, officer, sent["text"], fmt, sent["first_line"]))


# --- one entry -------------------------------------------------------------------------------

_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _checked(entry_id: str) -> str:
    """An entry id as trigger makes them; anything else is not found (never a path of its own
    on the service)."""
    if not _ENTRY_ID.match(entry_id):
        raise UpstreamError("trigger", 404, {"code": "not_found", "detail": "no such entry"})
    return entry_id


async def _entry_view(
    request: Request,
    officer: session.SignedIn,
    entry_id: str,
    *,
    correction: dict[str, str] | None = None,
    correction_problems: Problems | None = None,
    revocation_problems: Problems | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    upstream = console_of(request).upstream
    entry = await upstream.get(
        "trigger", f"/v1/list-entries/{_checked(entry_id)}", token=officer.token
    )
    list_types = await _list_types(request, officer)
    orders = []
    for department in entry.get("departments") or []:
        for order in department.get("orders") or []:
            orders.append(
                {
                    "department": department["department"],
                    **order,
                    "receipt": await due_of(request, officer, order.get("receipt_due")),
                    "feedback": await due_of(request, officer, order.get("feedback_due")),
                }
            )
    return render(
        request,
        "entry.html",
        {
            "entry": entry,
            "names": _names(list_types, lang_of(request)),
            "history": history_of(entry),
            "orders": orders,
            "may_correct": may_correct(entry, officer.department),
            "may_revoke": may_revoke(entry, officer.department),
            "correction": correction or correction_form(entry),
            "correction_problems": correction_problems or Problems(),
            "revocation_problems": revocation_problems or Problems(),
            **CHOICES,
        },
        status_code=status_code,
    )


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
async def entry_page(request: Request, officer: Officer, entry_id: str) -> HTMLResponse:
    return await _entry_view(request, officer, entry_id)


@router.post("/entries/{entry_id}/correction", response_class=HTMLResponse, response_model=None)
async def correct(
    request: Request, officer: Officer, entry_id: str
) -> HTMLResponse | RedirectResponse:
    form = await form_of(request)
    upstream = console_of(request).upstream
    entry = await upstream.get(
        "trigger", f"/v1/list-entries/{_checked(entry_id)}", token=officer.token
    )
    try:
        await upstream.post(
            "trigger",
            f"/v1/list-entries/{entry_id}/corrections",
            token=officer.token,
            json=correction_of(entry, form),
        )
    except UpstreamError as exc:
        if exc.status not in (403, 409, 422):
            raise
        values = {name: v for name in FIELDS if isinstance(v := form.get(name), str)}
        return await _entry_view(
            request,
            officer,
            entry_id,
            correction=values,
            correction_problems=problems_of(exc.problems, exc.message),
            status_code=exc.status,
        )
    flash(request, i18n.t(lang_of(request), "entries.corrected"), "success")
    return redirect(f"/entries/{entry_id}")


@router.post("/entries/{entry_id}/revocation", response_class=HTMLResponse, response_model=None)
async def revoke(
    request: Request, officer: Officer, entry_id: str
) -> HTMLResponse | RedirectResponse:
    form = await form_of(request)
    try:
        await console_of(request).upstream.post(
            "trigger",
            f"/v1/list-entries/{_checked(entry_id)}/revocation",
            token=officer.token,
            json=revocation_of(form),
        )
    except UpstreamError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _entry_view(
            request,
            officer,
            entry_id,
            revocation_problems=problems_of(exc.problems, exc.message),
            status_code=exc.status,
        )
    flash(request, i18n.t(lang_of(request), "entries.revoked"), "success")
    return redirect(f"/entries/{entry_id}")
