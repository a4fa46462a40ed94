"""Case pages (issue 16 item 2): an objection, a complaint, a credit repair or a recognition
meeting, with the list entry it is about (its versions), the case's history and evidence, the
due countdown, and the decision form posting to the service's decision route. Who may decide
is the service's rule (docs/due-process.md); the console shows the form to whom the rule names
(`jrp_console.domain.cases`) and shows a refusal as the service worded it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jrp_console import i18n
from jrp_console.domain import cases
from jrp_console.pages import Officer, console_of, due_of, flash, form_of, lang_of, redirect, render
from jrp_console.session import SignedIn
from jrp_console.upstream import Service, UpstreamError

router = APIRouter()


@dataclass(frozen=True)
class Kind:
    """One kind of case: where the service keeps it and how it is decided."""

    name: str
    service: Service
    path: str
    decide_path: str
    outcomes: tuple[str, ...]
    body: Callable[[Mapping[str, Any]], dict[str, Any]]
    may_decide: Callable[[Mapping[str, Any], SignedIn], bool]
    remedies: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    "objections": Kind(
        "objections",
        "appeals",
        "/v1/objections/{id}",
        "/v1/objections/{id}/decision",
        cases.OBJECTION_OUTCOMES,
        cases.objection_decision,
        lambda case, officer: (
            cases.works(officer.roles, "objections")
            and cases.objection_to_decide(case, officer.department)
        ),
        cases.REMEDIES,
    ),
    "complaints": Kind(
        "complaints",
        "appeals",
        "/v1/complaints/{id}",
        "/v1/complaints/{id}/decision",
        cases.OBJECTION_OUTCOMES,
        cases.objection_decision,
        lambda case, officer: (
            cases.works(officer.roles, "complaints") and cases.complaint_to_decide(case)
        ),
        cases.REMEDIES,
    ),
    "repairs": Kind(
        "repairs",
        "appeals",
        "/v1/repairs/{id}",
        "/v1/repairs/{id}/decision",
        cases.REPAIR_OUTCOMES,
        cases.repair_decision,
        lambda case, officer: (
            cases.works(officer.roles, "repairs")
            and cases.repair_to_decide(case, officer.department)
        ),
    ),
    "recognition": Kind(
        "recognition",
        "trigger",
        "/v1/list-entries/{id}",
        "/v1/list-entries/{id}/recognition/votes",
        cases.VOTES,
        cases.recognition_vote,
        lambda entry, officer: (
            cases.works(officer.roles, "recognition")
            and cases.awaits_vote(entry, officer.department)
        ),
    ),
}


def _state(kind: Kind, case: Mapping[str, Any]) -> str:
    return str(case.get("status") if kind.name == "recognition" else case.get("state"))


async def _page(
    request: Request,
    officer: SignedIn,
    kind: Kind,
    case_id: str,
    *,
    error: UpstreamError | None = None,
    form: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    upstream = console_of(request).upstream
    case = await upstream.get(kind.service, kind.path.format(id=case_id), token=officer.token)
    if kind.name == "recognition":
        entry = case
    else:
        entry = await upstream.get(
            "trigger", f"/v1/list-entries/{case['entry_id']}", token=officer.token
        )
    decision = case.get("decision") or {}
    context = {
        "kind": kind,
        "case_id": case_id,
        "case": case,
        "state": _state(kind, case),
        "entry": entry,
        "countdown": await due_of(request, officer, case.get("decision_due")),
        "decision": decision,
        "may_decide": kind.may_decide(case, officer),
        "error": error,
        "form": form or {},
    }
    return render(request, "case.html", context, status_code=error.status if error else 200)


async def _decide(request: Request, officer: SignedIn, kind: Kind, case_id: str) -> Any:
    form = await form_of(request)
    fields = {key: form.get(key) for key in ("outcome", "reasons", "remedy")}
    try:
        await console_of(request).upstream.post(
            kind.service,
            kind.decide_path.format(id=case_id),
            token=officer.token,
            json=kind.body(fields),
        )
    except UpstreamError as exc:
        if exc.status in (401, 404) or exc.status >= 500:
            raise
        return await _page(request, officer, kind, case_id, error=exc, form=fields)
    flash(request, i18n.t(lang_of(request), f"cases.decided.{kind.name}"), "success")
    return redirect(f"/{kind.name}/{case_id}")


def _routes(kind: Kind) -> None:
    """The case page of one kind and its decision (a vote, for recognition meetings)."""

    async def page(request: Request, officer: Officer, case_id: str) -> HTMLResponse:
        return await _page(request, officer, kind, case_id)

    async def decide(
        request: Request, officer: Officer, case_id: str
    ) -> HTMLResponse | RedirectResponse:
        decided: HTMLResponse | RedirectResponse = await _decide(request, officer, kind, case_id)
        return decided

    router.add_api_route(
        f"/{kind.name}/{{case_id}}", page, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        f"/{kind.name}/{{case_id}}/decision", decide, methods=["POST"], response_model=None
    )


for _kind in KINDS.values():
    _routes(_kind)
