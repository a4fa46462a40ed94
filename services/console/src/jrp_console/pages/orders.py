"""A sanction order's page (issue 16 item 2; DOMAIN.md §5 steps 3-5): what the implementing
department is asked to apply, to whom, from which list entry; its receipt and feedback
countdowns; the receipt form, then the feedback form with one outcome per measure
(000 (十九): applied, not applicable, failed with a reason)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jrp_console import i18n
from jrp_console.domain import cases
from jrp_console.pages import Officer, console_of, due_of, flash, form_of, lang_of, redirect, render
from jrp_console.session import SignedIn
from jrp_console.upstream import UpstreamError
from jrp_shared.clock import system_clock

router = APIRouter()


async def _order(request: Request, officer: SignedIn, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = await console_of(request).upstream.get(
        "enforcement", f"/v1/sanction-orders/{order_id}", token=officer.token
    )
    return order


async def _page(
    request: Request,
    officer: SignedIn,
    order: dict[str, Any],
    *,
    error: str | None = None,
    status: int = 200,
    form: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    upstream = console_of(request).upstream
    entry = await upstream.get(
        "trigger", f"/v1/list-entries/{order['entry_id']}", token=officer.token
    )
    step = cases.order_step(order)
    mine = order.get("department") == officer.department and officer.has("implementer")
    context = {
        "order": order,
        "entry": entry,
        "step": step if mine else None,
        "receipt_countdown": await due_of(request, officer, order.get("receipt_due")),
        "feedback_countdown": await due_of(request, officer, order.get("feedback_due")),
        "outcomes": cases.FEEDBACK_OUTCOMES,
        "error": error,
        "form": form or {},
    }
    return render(request, "order.html", context, status_code=status)


def _refused(exc: UpstreamError) -> bool:
    return exc.status not in (401, 404) and exc.status < 500


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def order_page(request: Request, officer: Officer, order_id: str) -> HTMLResponse:
    return await _page(request, officer, await _order(request, officer, order_id))


@router.post("/orders/{order_id}/receipt", response_model=None)
async def receive(
    request: Request, officer: Officer, order_id: str
) -> HTMLResponse | RedirectResponse:
    form = await form_of(request)
    note = str(form.get("note") or "").strip()
    try:
        await console_of(request).upstream.post(
            "enforcement",
            f"/v1/sanction-orders/{order_id}/receipt",
            token=officer.token,
            json={"note": note} if note else {},
        )
    except UpstreamError as exc:
        if not _refused(exc):
            raise
        order = await _order(request, officer, order_id)
        return await _page(request, officer, order, error=exc.message, status=exc.status)
    flash(request, i18n.t(lang_of(request), "cases.received"), "success")
    return redirect(f"/orders/{order_id}")


@router.post("/orders/{order_id}/feedback", response_model=None)
async def feed_back(
    request: Request, officer: Officer, order_id: str
) -> HTMLResponse | RedirectResponse:
    form = await form_of(request)
    order = await _order(request, officer, order_id)
    codes = [str(m["code"]) for m in order.get("measures", [])]
    measures, problems = cases.measure_feedback(form, codes, system_clock())
    lang = lang_of(request)
    fields = {key: str(value) for key, value in form.items() if key != "csrf"}
    if problems:
        message = "; ".join(
            f"{p.measure}: {i18n.t(lang, 'cases.problem.' + p.reason)}"
            if p.measure
            else i18n.t(lang, "cases.problem." + p.reason)
            for p in problems
        )
        return await _page(request, officer, order, error=message, status=422, form=fields)
    try:
        await console_of(request).upstream.post(
            "enforcement",
            f"/v1/sanction-orders/{order_id}/feedback",
            token=officer.token,
            json={"measures": measures},
        )
    except UpstreamError as exc:
        if not _refused(exc):
            raise
        return await _page(
            request, officer, order, error=exc.message, status=exc.status, form=fields
        )
    flash(request, i18n.t(lang, "cases.fed_back"), "success")
    return redirect(f"/orders/{order_id}")
