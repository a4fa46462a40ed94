"""The officer's inboxes (issue 16 item 2): objections, complaints and repairs to decide, sanction
orders to receive and feed back, recognition meetings awaiting a vote, each sorted by due day
with its working-day countdown (DOMAIN.md §10). Which cases wait for whom:
`jrp_console.domain.cases`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jrp_console import i18n
from jrp_console.domain import cases
from jrp_console.domain.countdown import Countdown, by_due
from jrp_console.pages import Officer, console_of, due_of, lang_of, render
from jrp_console.session import SignedIn

router = APIRouter()

LIMIT = 500


@dataclass(frozen=True)
class Row:
    id: str
    href: str
    subject: str
    list_type: str
    step: str
    countdown: Countdown | None
    overdue: bool


@dataclass
class Inbox:
    name: str
    rows: list[Row] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)


async def _row(
    request: Request,
    officer: SignedIn,
    *,
    id: str,
    href: str,
    subject: str,
    list_type: str,
    step: str,
    due: Any,
    overdue: bool,
) -> Row:
    countdown = await due_of(request, officer, due)
    late = overdue or (countdown is not None and countdown.overdue)
    return Row(id, href, subject, list_type, step, countdown, late)


async def _open_cases(
    request: Request,
    officer: SignedIn,
    kind: str,
    to_decide: Callable[[Mapping[str, Any]], bool],
) -> list[Row]:
    """Open objections or complaints (appeals lists both alike: `/v1/<kind>`, each with its
    `<kind>_id`) that `to_decide` says the officer decides."""
    identifier = f"{kind[:-1]}_id"
    upstream = console_of(request).upstream
    found = await upstream.get(
        "appeals", f"/v1/{kind}", token=officer.token, state="open", limit=LIMIT
    )
    return [
        await _row(
            request,
            officer,
            id=case[identifier],
            href=f"/{kind}/{case[identifier]}",
            subject=case["subject_code"],
            list_type=case["list_type"],
            step="decision",
            due=case.get("decision_due"),
            overdue=bool(case.get("overdue")),
        )
        for case in found
        if to_decide(case)
    ]


async def _objections(request: Request, officer: SignedIn) -> list[Row]:
    return await _open_cases(
        request,
        officer,
        "objections",
        lambda case: cases.objection_to_decide(case, officer.department),
    )


async def _complaints(request: Request, officer: SignedIn) -> list[Row]:
    return await _open_cases(request, officer, "complaints", cases.complaint_to_decide)


async def _repairs(request: Request, officer: SignedIn) -> list[Row]:
    upstream = console_of(request).upstream
    found = await upstream.get(
        "appeals", "/v1/repairs", token=officer.token, state="pending", limit=LIMIT
    )
    return [
        await _row(
            request,
            officer,
            id=repair["repair_id"],
            href=f"/repairs/{repair['repair_id']}",
            subject=repair["subject_code"],
            list_type=repair["entry_id"],
            step="decision",
            due=repair.get("decision_due"),
            overdue=bool(repair.get("overdue")),
        )
        for repair in found
        if cases.repair_to_decide(repair, officer.department)
    ]


async def _orders(request: Request, officer: SignedIn) -> list[Row]:
    upstream = console_of(request).upstream
    found = await upstream.get(
        "enforcement",
        "/v1/sanction-orders",
        token=officer.token,
        department=officer.department,
        limit=LIMIT,
    )
    rows = []
    for order in found:
        step = cases.order_step(order)
        if step is None:
            continue
        issued = order.get("issued") or {}
        target = issued.get("target") or {}
        rows.append(
            await _row(
                request,
                officer,
                id=order["order_id"],
                href=f"/orders/{order['order_id']}",
                subject=str(target.get("name") or target.get("code") or ""),
                list_type=str(issued.get("list_type_name") or issued.get("list_type") or ""),
                step=step,
                due=cases.order_due(order),
                overdue=cases.order_overdue(order),
            )
        )
    return rows


async def _recognition(request: Request, officer: SignedIn) -> list[Row]:
    upstream = console_of(request).upstream
    found = await upstream.get(
        "trigger",
        "/v1/list-entries",
        token=officer.token,
        status="awaiting_recognition",
        limit=LIMIT,
    )
    rows = []
    for summary in found:
        entry = await upstream.get(
            "trigger", f"/v1/list-entries/{summary['entry_id']}", token=officer.token
        )
        if not cases.awaits_vote(entry, officer.department):
            continue
        subject = entry.get("subject") or {}
        rows.append(
            Row(
                entry["entry_id"],
                f"/recognition/{entry['entry_id']}",
                str(subject.get("name") or subject.get("code") or ""),
                str(entry.get("list_type") or ""),
                "vote",
                None,
                False,
            )
        )
    return rows


_GATHER = {
    "objections": _objections,
    "complaints": _complaints,
    "repairs": _repairs,
    "orders": _orders,
    "recognition": _recognition,
}


async def gather(request: Request, officer: SignedIn) -> list[Inbox]:
    """The inboxes the officer's roles give, each sorted by due day (earliest first)."""
    found = []
    for name in cases.inboxes_for(officer.roles):
        rows = await _GATHER[name](request, officer)
        ordered = by_due((row.countdown.due if row.countdown else None, row) for row in rows)
        found.append(Inbox(name, ordered))
    return found


def summaries(request: Request, inboxes: list[Inbox]) -> list[dict[str, Any]]:
    """The home page's tiles: `{href, label, count, overdue}` per inbox."""
    lang = lang_of(request)
    return [
        {
            "href": f"/inbox#inbox-{inbox.name}",
            "label": i18n.t(lang, f"cases.inbox.{inbox.name}"),
            "count": len(inbox.rows),
            "overdue": inbox.overdue,
        }
        for inbox in inboxes
    ]


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, officer: Officer) -> HTMLResponse:
    return render(request, "inbox.html", {"inboxes": await gather(request, officer)})
