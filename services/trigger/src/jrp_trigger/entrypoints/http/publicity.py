"""Double publicity (双公示, DOMAIN.md §9, §12): the deciding department posts its administrative
licence and penalty decisions; the platform tracks the 7-working-day publication deadline,
publishes them (`PublicityDecisionPublished` on `publicity.v1`) and withdraws them on repair or
revocation. Who may call (谁主管、谁负责): any department token posts for itself (the token's
department is the deciding one); a decision is read and changed by its department or by the
joint conference office (`administrator`). Subject tokens are refused (403).

Fields, deadlines, periods and examples: docs/double-publicity.md.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jrp_shared import limits
from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.clock import china_date
from jrp_shared.errors import DomainError, FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import LicenceDetails, PenaltyDetails, PublicityCounterpart
from jrp_shared.nul_refusal import json_holds_nul
from jrp_shared.nul_refusal import refusal as nul_refusal
from jrp_shared.vocabulary import PublicationEnd, PublicityKind
from jrp_shared.web import Department, Offset
from jrp_trigger.adapters.publicity import PublicityRepository, StoredDecision
from jrp_trigger.bootstrap import Trigger
from jrp_trigger.domain import publicity as rules
from jrp_trigger.domain.publicity import (
    DecisionState,
    PublicityDecisionSubmission,
    Punctuality,
    WithheldReason,
)
from jrp_trigger.entrypoints.bulk_input import validation_problems
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.entrypoints.http.deps import TriggerDep
from jrp_trigger.service_layer import publicity as handlers

router = APIRouter(prefix="/v1/publicity", tags=["double publicity"])
bulk_router = APIRouter(prefix="/v1/publicity", tags=["double publicity"])

NDJSON = "application/x-ndjson"
JSON = "application/json"


class Withdrawal(BaseModel):
    reason: PublicationEnd
    note: str | None
    withdrawn_by: str
    withdrawn_by_officer: str | None = Field(
        default=None,
        description="the officer of `withdrawn_by` who withdrew it, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    withdrawn_at: datetime


class DecisionRead(BaseModel):
    """A decision as stored, with where its deadline and publication stand."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.DECISION, examples.WITHDRAWN_DECISION]}
    )

    decision_id: str
    record_id: str
    department: str = Field(description="the deciding department")
    version: int
    kind: PublicityKind
    state: DecisionState
    withheld_reason: WithheldReason | None = Field(
        description="why it is recorded but not published (privacy, 000 (七); a minor penalty "
        "left unpublished, §11)"
    )
    counterpart: PublicityCounterpart
    decision_number: str
    decision_date: date
    licence: LicenceDetails | None
    penalty: PenaltyDetails | None
    involves_privacy: bool
    publication_due: date = Field(description="7 working days after the decision (§9)")
    due_provisional: bool = Field(
        description="counted without the official schedule of a year it reaches (§10); "
        "counted again when the schedule arrives"
    )
    published_at: datetime | None
    published_by_officer: str | None = Field(
        default=None,
        description="the officer of `department` who published it, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    late: bool | None = Field(description="first published after `publication_due`")
    punctuality: Punctuality | None = Field(
        description="overdue: unpublished past due now; late: published after due"
    )
    working_days_late: int = Field(
        description="after `publication_due`: until publication, or until today while overdue"
    )
    publication_months: int
    publication_ends: date = Field(description="公示截止期: the last day it is shown")
    shown: bool = Field(description="published, not withdrawn, and today within the period")
    repair_from: date | None = Field(description="penalties: first day repair may be asked")
    repair_guidance: str | None = Field(description="信用修复告知书, delivered with the penalty")
    warnings: list[str]
    withdrawal: Withdrawal | None
    created_at: datetime
    updated_at: datetime


class WithdrawalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [*examples.WITHDRAWALS]},
    )

    reason: PublicationEnd = Field(description="repaired (penalties, after the minimum) | revoked")
    note: str | None = Field(default=None, max_length=2000)


def decision_read(trigger: Trigger, d: StoredDecision) -> DecisionRead:
    today = trigger.today()
    calendar = trigger.copies.calendar.calendar
    s = d.submission
    punctual = rules.punctuality(d.state, d.publication_due, d.published_at, today)
    until = today if d.published_at is None else _china(d.published_at)
    late_days = calendar.working_days_between(d.publication_due, until).days if punctual else 0
    withdrawal = None
    if d.withdrawal_reason is not None and d.withdrawn_at and d.withdrawn_by:
        withdrawal = Withdrawal(
            reason=d.withdrawal_reason,
            note=d.withdrawal_note,
            withdrawn_by=d.withdrawn_by,
            withdrawn_by_officer=d.withdrawn_by_officer,
            withdrawn_at=d.withdrawn_at,
        )
    return DecisionRead(
        decision_id=d.decision_id,
        record_id=d.record_id,
        department=d.department,
        version=d.version,
        kind=d.kind,
        state=d.state,
        withheld_reason=d.withheld_reason,
        counterpart=s.counterpart,
        decision_number=s.decision_number,
        decision_date=s.decision_date,
        licence=s.licence,
        penalty=s.penalty,
        involves_privacy=s.involves_privacy,
        publication_due=d.publication_due,
        due_provisional=d.due_provisional,
        published_at=d.published_at,
        published_by_officer=d.published_by_officer,
        late=d.late,
        punctuality=punctual,
        working_days_late=late_days,
        publication_months=d.publication_months,
        publication_ends=d.publication_ends,
        shown=d.state is DecisionState.PUBLISHED and today <= d.publication_ends,
        repair_from=d.repair_from,
        repair_guidance=d.repair_guidance,
        warnings=list(d.warnings),
        withdrawal=withdrawal,
        created_at=d.created_at,
        updated_at=d.updated_at,
    )


def _china(moment: datetime) -> date:
    return china_date(moment)


@router.post(
    "/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionRead,
    responses={200: {"description": "the same content again (unchanged) or a correction"}},
)
async def post_decision(
    body: Annotated[
        PublicityDecisionSubmission, Body(openapi_examples=examples.DECISION_SUBMISSIONS)
    ],
    by: Department,
    trigger: TriggerDep,
    response: Response,
) -> DecisionRead:
    """Record a licence or penalty decision of the posting department (the token's), and
    publish it unless `publish` is false or it is withheld. Reposting the same content answers
    the decision as stored (200); another content under the record id is a correction, a new
    version (200), published again if it was published."""
    async with trigger.runtime.uow() as uow:
        posted = await handlers.post_decision(
            uow, body, trigger.publicity_by(by.department_code, by.officer)
        )
        await uow.commit()
    if posted.status is not handlers.PostStatus.CREATED:
        response.status_code = status.HTTP_200_OK
    return decision_read(trigger, posted.decision)


@router.get("/decisions", response_model=list[DecisionRead])
async def list_decisions(
    by: Department,
    trigger: TriggerDep,
    kind: Annotated[PublicityKind | None, Query()] = None,
    state: Annotated[DecisionState | None, Query()] = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[DecisionRead]:
    """The department's own decisions, latest decision first; the joint conference office
    (`administrator`) sees every department's, or one (`department=`)."""
    scope = _scope(by.department_code, ROLE_ADMINISTRATOR in by.roles, department)
    async with trigger.runtime.db.sessions() as session:
        found = await PublicityRepository(session).search(
            department=scope, kind=kind, state=state, limit=limit, offset=offset
        )
    return [decision_read(trigger, d) for d in found]


@router.get("/overdue", response_model=list[DecisionRead])
async def list_overdue(
    by: Department,
    trigger: TriggerDep,
    department: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[DecisionRead]:
    """Decisions unpublished past their 7-working-day deadline (overdue now) and those
    published after it (late), earliest due first: a department sees its own; the office
    (`administrator`) one department's (`department=`) or all."""
    scope = _scope(by.department_code, ROLE_ADMINISTRATOR in by.roles, department)
    async with trigger.runtime.db.sessions() as session:
        found = await PublicityRepository(session).overdue_or_late(
            department=scope, today=trigger.today(), limit=limit, offset=offset
        )
    return [decision_read(trigger, d) for d in found]


def _scope(own: str, office: bool, asked: str | None) -> str | None:
    if office:
        return asked
    if asked is not None and asked != own:
        raise Forbidden(
            f"{own} sees its own decisions only; the joint conference office sees others'"
        )
    return own


@router.get("/decisions/{decision_id}", response_model=DecisionRead)
async def read_decision(decision_id: str, by: Department, trigger: TriggerDep) -> DecisionRead:
    """One decision: the deciding department or the office."""
    async with trigger.runtime.uow() as uow:
        found = await handlers.load(uow, decision_id, by, for_update=False)
    return decision_read(trigger, found)


@router.post("/decisions/{decision_id}/publication", response_model=DecisionRead)
async def publish_decision(decision_id: str, by: Department, trigger: TriggerDep) -> DecisionRead:
    """Publish a decision recorded with `publish: false` (late when past its due date). Asked
    again, answers the decision as it is."""
    async with trigger.runtime.uow() as uow:
        decision = await handlers.publish(uow, decision_id, by, trigger.clock)
        await uow.commit()
    return decision_read(trigger, decision)


@router.post("/decisions/{decision_id}/withdrawal", response_model=DecisionRead)
async def withdraw_decision(
    decision_id: str, body: WithdrawalRequest, by: Department, trigger: TriggerDep
) -> DecisionRead:
    """Stop publishing: `repaired` (a penalty, once the tier's minimum period has run, DOMAIN.md
    §11; 409 before, naming the date) or `revoked`. By the deciding department or the office;
    a withdrawn decision asked again answers as it is."""
    async with trigger.runtime.uow() as uow:
        decision = await handlers.withdraw(
            uow, decision_id, body.reason, body.note, by, trigger.clock
        )
        await uow.commit()
    return decision_read(trigger, decision)


# --- bulk --------------------------------------------------------------------------------------


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


_BULK_DOC = {
    "requestBody": {
        "required": True,
        "description": "PublicityDecisionSubmission objects: one per line (NDJSON) or a JSON array",
        "content": {
            NDJSON: {"schema": {"type": "string"}},
            JSON: {"schema": {"type": "array"}, "example": examples.DECISIONS_BULK},
        },
    }
}
_BULK_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "per line its result, and a summary",
        "content": {JSON: {"example": examples.DECISIONS_BULK_ANSWER}},
    }
}


@bulk_router.post("/decisions/bulk", openapi_extra=_BULK_DOC, responses=_BULK_ANSWER)
async def bulk_post(request: Request, by: Department, trigger: TriggerDep) -> dict[str, Any]:
    """Many decisions at once, NDJSON or a JSON array, at most `publicity_bulk_max_lines`
    decisions and `publicity_bulk_max_bytes` bytes (413 past either). Each chunk of lines is
    one transaction with its events. Answers `{"results": [...], "summary": {...}}`: per line
    its number, record id, status (created | unchanged | corrected | rejected), the decision's
    id, version and state, or the problems."""
    settings = trigger.settings
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()  # bounded by the route's body limit (413 past it)
    items = _items(raw, media_type, settings.publicity_bulk_max_lines, settings.json_max_depth)
    lines = [_line(number, item) for number, item in items]
    ctx = trigger.publicity_by(by.department_code, by.officer)
    results: list[dict[str, Any]] = []
    size = settings.publicity_bulk_chunk_lines
    for start in range(0, len(lines), size):
        async with trigger.runtime.uow() as uow:
            results += await handlers.post_chunk(uow, lines[start : start + size], ctx)
            await uow.commit()
    summary: dict[str, int] = {"lines": len(results)}
    for r in results:
        summary[r["status"]] = summary.get(r["status"], 0) + 1
    return {"results": results, "summary": summary}


def _items(raw: bytes, media_type: str, max_lines: int, max_depth: int) -> list[tuple[int, Any]]:
    """(line number, parsed JSON or the problem) per decision: for a JSON array the number is
    the element's position (1-based)."""
    if media_type == JSON:
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise InvalidInput.for_field("body", "json_invalid", "the body is not JSON") from None
        if not isinstance(parsed, list):
            raise InvalidInput.for_field(
                "body", "array_expected", "send a JSON array of decisions (or NDJSON)"
            )
        _bound(len(parsed), max_lines)
        return list(enumerate(parsed, start=1))
    if media_type != NDJSON:
        raise UnsupportedMediaType(f"send {NDJSON} or {JSON}, not {media_type or 'nothing'}")
    found: list[tuple[int, Any]] = []
    for number, text in enumerate(raw.split(b"\n"), start=1):
        if not text.strip():
            continue
        _bound(len(found) + 1, max_lines)
        found.append((number, _ndjson_line(text, max_depth)))
    return found


def _ndjson_line(text: bytes, max_depth: int) -> Any:
    """The line's JSON, or the problem refusing it by itself (as the list entries' bulk does:
    `jrp_trigger.entrypoints.bulk_input`)."""
    if json_holds_nul(text):  # PostgreSQL cannot store it (jrp_shared.nul_refusal)
        return nul_refusal("body").problems[0]
    if limits.nested_deeper_than(text, max_depth):
        return FieldProblem(
            "body",
            "nested_too_deep",
            f"the line nests JSON arrays and objects more than {max_depth} levels deep",
            {"limit": max_depth},
        )
    try:
        return json.loads(text)
    except ValueError:
        return FieldProblem("body", "json_invalid", "the line is not JSON")


def _bound(count: int, max_lines: int) -> None:
    if count > max_lines:
        raise TooLarge(
            f"at most {max_lines} decisions in one bulk post: post the rest in another",
            problems=[
                FieldProblem("body", "too_many_lines", "too many decisions", {"limit": max_lines})
            ],
        )


def _line(number: int, item: Any) -> handlers.BulkLine:
    if isinstance(item, FieldProblem):
        return handlers.BulkLine(number, None, problems=(item,))
    record_id = item.get("record_id") if isinstance(item, dict) else None
    record = record_id if isinstance(record_id, str) and len(record_id) <= 100 else None
    try:
        body = PublicityDecisionSubmission.model_validate(item)
    except ValidationError as exc:
        return handlers.BulkLine(number, None, record, validation_problems(exc))
    return handlers.BulkLine(number, body)
