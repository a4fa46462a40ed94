"""Whistle-blower reports (DOMAIN.md §9; docs/whistleblowers.md).

Two doors. The public one needs no token and is rate-limited per caller address: anyone
submits a report (`POST /v1/whistleblower-reports`) and follows it with its number and the
query code in the `X-Query-Code` header (never in the query string, which is logged). The
departments' one: the departments a report is routed to (谁主管、谁负责) and the joint
conference office list, read, accept, decide; only the office transfers and lifts the
reporter's identity. No answer to a department ever carries the identity.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain import whistleblowers as rules
from jrp_appeals.domain.whistleblowers import (
    Attachment,
    Decision,
    Handler,
    Report,
    ReportedSubject,
    ReporterIdentity,
    ReportOutcome,
    ReportState,
    Reward,
)
from jrp_appeals.entrypoints.http import examples
from jrp_appeals.entrypoints.http.deps import AppealsDep
from jrp_appeals.service_layer import whistleblowers as handling
from jrp_appeals.service_layer.whistleblowers import ReportView, Submission
from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import InvalidInput, NotFound
from jrp_shared.openapi import responses_for
from jrp_shared.web import Department, Offset

PREFIX = "/v1/whistleblower-reports"
public_router = APIRouter(
    prefix=PREFIX, tags=["whistle-blower reports (public)"], responses=responses_for(429)
)
router = APIRouter(prefix=PREFIX, tags=["whistle-blower reports"])

_NO_STORE = {"Cache-Control": "no-store"}
Number = Annotated[str, Path(max_length=24, description="the report number, e.g. JB-2026-000123")]


# --- bodies and answers ---------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportedSubjectBody(_Body):
    code: str | None = Field(
        default=None, min_length=18, max_length=18, description="USCC or resident ID"
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ReporterBody(_Body):
    """Every part optional; leave the whole object out to report anonymously."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^[0-9+\-() ]{3,32}$")
    id_number: str | None = Field(default=None, min_length=18, max_length=18)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}$")


class AttachmentBody(_Body):
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=1, max_length=100)
    content_base64: str = Field(
        description="the file, base64; its decoded size is limited per file and in total (413)"
    )


class WhistleblowerReportCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.REPORT_REQUEST, examples.ANONYMOUS_REPORT_REQUEST]}
    )

    subject: ReportedSubjectBody
    domain: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="a domain of the catalog (services/registry/data/catalog/domains.yaml)",
    )
    facts: str = Field(min_length=10, max_length=5000, description="what happened")
    occurred_on: date | None = None
    place: str | None = Field(default=None, min_length=1, max_length=200)
    attachments: list[AttachmentBody] = Field(default_factory=list, max_length=50)
    reporter: ReporterBody | None = Field(default=None, description="who reports; none: anonymous")


class DepartmentRef(BaseModel):
    code: str
    name: str


class RewardBody(_Body):
    amount: Decimal = Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    description: str = Field(min_length=1, max_length=1000)


class RewardRead(BaseModel):
    amount: Decimal
    description: str


class WhistleblowerReportSubmitted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPORT_SUBMITTED]})

    number: str
    query_code: str = Field(description="shown this once: only its hash is kept")
    status: ReportState
    routed_to: list[DepartmentRef]
    due: date
    due_provisional: bool


class WhistleblowerReportFollowed(BaseModel):
    """What the reporter sees: never the identity, never the handling's internals."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [examples.REPORT_RECEIVED_FOLLOWED, examples.REPORT_DECIDED_FOLLOWED]
        }
    )

    number: str
    status: ReportState
    submitted_at: datetime
    routed_to: list[DepartmentRef]
    due: date
    outcome: ReportOutcome | None
    decided_at: datetime | None
    reward: RewardRead | None


class DecisionRead(BaseModel):
    outcome: ReportOutcome
    reasons: str
    entry_id: str | None
    reward: RewardRead | None
    decided_by: str | None
    decided_by_officer: str | None = Field(
        default=None,
        description="the officer of `decided_by` who decided, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    decided_at: datetime | None


class ReportedSubjectRead(BaseModel):
    code: str | None
    name: str | None


class WhistleblowerReportSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPORT_SUMMARY]})

    number: str
    status: ReportState
    subject: ReportedSubjectRead
    domain: str
    submitted_at: datetime
    due: date
    due_provisional: bool
    overdue: bool
    routed_to: list[DepartmentRef]
    accepted_by: str | None
    accepted_by_officer: str | None = Field(
        default=None,
        description="the officer of `accepted_by` who accepted, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    decision: DecisionRead | None


class AttachmentRead(BaseModel):
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str


class ActionRead(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, object]


class DisclosureRead(BaseModel):
    disclosed_by: str
    disclosed_by_officer: str | None = Field(
        default=None,
        description="the office's officer who lifted the identity, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    disclosed_at: datetime
    reason: str


class WhistleblowerReportRead(WhistleblowerReportSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPORT_HANDLING]})

    facts: str
    occurred_on: date | None
    place: str | None
    accepted_at: datetime | None
    attachments: list[AttachmentRead]
    history: list[ActionRead]
    anonymous: bool | None = Field(description="the office only (null for a department)")
    disclosures: list[DisclosureRead] | None = Field(
        description="the office only: each lifting of the identity (null for a department)"
    )


class TransferBody(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TRANSFER_REQUEST]})

    departments: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=10
    )
    reason: str = Field(min_length=1, max_length=2000)


class DecisionBody(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [examples.REPORT_DECISION_REQUEST, examples.REPORT_UNSUBSTANTIATED_REQUEST]
        }
    )

    outcome: ReportOutcome
    reasons: str = Field(min_length=1, max_length=5000)
    entry_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="substantiated: the entry"
    )
    reward: RewardBody | None = Field(default=None, description="substantiated: the reward")


class DisclosureBody(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE_REQUEST]})

    reason: str = Field(min_length=1, max_length=2000, description="why the office lifts it")


class ReporterIdentityRead(BaseModel):
    name: str | None
    phone: str | None
    id_number: str | None
    email: str | None


class DisclosureAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE]})

    number: str
    identity: ReporterIdentityRead
    disclosed_by: str
    disclosed_by_officer: str | None = Field(
        default=None,
        description="the office's officer who lifted it, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    disclosed_at: datetime
    reason: str


# --- who calls ------------------------------------------------------------------------------------


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _public_caller(request: Request) -> str:
    """Anyone, without a token; each caller address is rate-limited (429 with Retry-After)."""
    appeals: Appeals = request.app.state.appeals
    address = _address(request)
    assert appeals.public_throttle is not None
    await appeals.public_throttle.admit(address)
    return address


PublicCaller = Annotated[str, Depends(_public_caller)]


async def _handler(principal: Department) -> Handler:
    """A department (a subject token gets 403); the office is the administrator."""
    return Handler(
        department=principal.department_code,
        office=ROLE_ADMINISTRATOR in principal.roles,
        officer=principal.officer,
    )


Staff = Annotated[Handler, Depends(_handler)]


# --- views ----------------------------------------------------------------------------------------


def _refs(codes: tuple[str, ...], names: dict[str, str]) -> list[DepartmentRef]:
    return [DepartmentRef(code=c, name=names.get(c, c)) for c in codes]


def _reward(reward: Reward | None) -> RewardRead | None:
    return (
        None if reward is None else RewardRead(amount=reward.amount, description=reward.description)
    )


def _summary(report: Report, names: dict[str, str], today: date) -> WhistleblowerReportSummary:
    d = report.decision
    return WhistleblowerReportSummary(
        number=report.number,
        status=report.state,
        subject=ReportedSubjectRead(code=report.subject.code, name=report.subject.name),
        domain=report.domain,
        submitted_at=report.submitted_at,
        due=report.due,
        due_provisional=report.due_provisional,
        overdue=rules.is_overdue(report.state, report.due, today),
        routed_to=_refs(report.routed_to, names),
        accepted_by=report.accepted_by,
        accepted_by_officer=report.accepted_by_officer,
        decision=None
        if d is None
        else DecisionRead(
            outcome=d.outcome,
            reasons=d.reasons,
            entry_id=d.entry_id,
            reward=_reward(d.reward),
            decided_by=report.decided_by,
            decided_by_officer=report.decided_by_officer,
            decided_at=report.decided_at,
        ),
    )


def _read(view: ReportView, handler: Handler, today: date) -> WhistleblowerReportRead:
    r = view.report
    return WhistleblowerReportRead(
        **_summary(r, view.department_names, today).model_dump(),
        facts=r.facts,
        occurred_on=r.occurred_on,
        place=r.place,
        accepted_at=r.accepted_at,
        attachments=[AttachmentRead(**a.__dict__) for a in view.attachments],
        history=[ActionRead(**a.__dict__) for a in view.history],
        anonymous=r.anonymous if handler.office else None,
        disclosures=None
        if view.disclosures is None
        else [
            DisclosureRead(
                disclosed_by=d.by,
                disclosed_by_officer=d.officer,
                disclosed_at=d.at,
                reason=d.reason,
            )
            for d in view.disclosures
        ],
    )


def _attachments(bodies: list[AttachmentBody]) -> tuple[Attachment, ...]:
    found = []
    for i, a in enumerate(bodies):
        try:
            data = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.for_field(
                f"attachments[{i}].content_base64",
                "invalid_base64",
                f"attachment {i} is not valid base64; encode the file's bytes with base64",
            ) from None
        found.append(Attachment(a.filename, a.content_type.lower(), data))
    return tuple(found)


# --- the public door ------------------------------------------------------------------------------


@public_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WhistleblowerReportSubmitted,
    responses={413: {"description": "an attachment or all of them over the limit"}},
)
async def submit_report(
    body: WhistleblowerReportCreate,
    _address: PublicCaller,
    appeals: AppealsDep,
    response: Response,
) -> WhistleblowerReportSubmitted:
    """Anyone, no token (rate-limited per address). Answers the report number and the query
    code, shown this once: keep it to follow the report."""
    ctx = appeals.context()
    if body.occurred_on is not None and body.occurred_on > ctx.today():
        raise InvalidInput.for_field(
            "occurred_on", "in_the_future", "occurred_on is after today; give the day it happened"
        )
    reporter = body.reporter or ReporterBody()
    submission = Submission(
        subject=ReportedSubject(body.subject.code, body.subject.name),
        domain=body.domain,
        facts=body.facts,
        occurred_on=body.occurred_on,
        place=body.place,
        attachments=_attachments(body.attachments),
        reporter=ReporterIdentity(
            reporter.name, reporter.phone, reporter.id_number, reporter.email
        ),
    )
    async with appeals.runtime.uow() as uow:
        done = await handling.submit(uow, ctx, appeals.vault, submission)
        names = await handling.department_names(uow.session)
    response.headers.update(_NO_STORE)
    r = done.report
    return WhistleblowerReportSubmitted(
        number=r.number,
        query_code=done.query_code,
        status=r.state,
        routed_to=_refs(r.routed_to, names),
        due=r.due,
        due_provisional=r.due_provisional,
    )


@public_router.get(
    "/{number}",
    response_model=WhistleblowerReportFollowed,
    responses={404: {"description": "unknown number or wrong code (the same answer)"}},
)
async def follow_report(
    number: Number,
    address: PublicCaller,
    appeals: AppealsDep,
    response: Response,
    x_query_code: Annotated[
        str, Header(min_length=1, max_length=64, description="the code given at submission")
    ],
) -> WhistleblowerReportFollowed:
    """The reporter follows the report with its query code (a header, so it is not logged).
    A wrong code answers as an unknown number does; wrong codes are throttled per address and
    per number."""
    failures = appeals.code_failures
    assert failures is not None
    await failures.refuse_when_spent(f"address:{address}")
    await failures.refuse_when_spent(f"report:{number}")
    async with appeals.runtime.db.sessions() as session:
        report = await handling.follow(session, number, x_query_code)
        names = await handling.department_names(session)
    if report is None:
        await failures.count(f"address:{address}")
        await failures.count(f"report:{number}")
        raise NotFound("no whistle-blower report with this number and query code")
    response.headers.update(_NO_STORE)
    d = report.decision
    return WhistleblowerReportFollowed(
        number=report.number,
        status=report.state,
        submitted_at=report.submitted_at,
        routed_to=_refs(report.routed_to, names),
        due=report.due,
        outcome=d.outcome if d else None,
        decided_at=report.decided_at,
        reward=_reward(d.reward) if d else None,
    )


# --- the departments and the office ---------------------------------------------------------------


@router.get("", response_model=list[WhistleblowerReportSummary])
async def list_reports(
    by: Staff,
    appeals: AppealsDep,
    status_: Annotated[ReportState | None, Query(alias="status")] = None,
    overdue: Annotated[bool, Query(description="undecided past the due date only")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[WhistleblowerReportSummary]:
    """A department's inbox: the reports routed to it; the office: all. Newest first."""
    ctx = appeals.context()
    async with appeals.runtime.db.sessions() as session:
        found = await handling.list_reports(
            session, ctx, by, state=status_, overdue=overdue, limit=limit, offset=offset
        )
        names = await handling.department_names(session)
    today = ctx.today()
    return [_summary(r, names, today) for r in found]


async def _read_report(appeals: Appeals, by: Handler, number: str) -> WhistleblowerReportRead:
    async with appeals.runtime.db.sessions() as session:
        view = await handling.read(session, by, number)
    return _read(view, by, appeals.today())


@router.get("/{number}/handling", response_model=WhistleblowerReportRead)
async def read_report(number: Number, by: Staff, appeals: AppealsDep) -> WhistleblowerReportRead:
    """The report for the departments it is routed to and the office: subject, facts,
    attachments, history; never the reporter's identity."""
    return await _read_report(appeals, by, number)


@router.get(
    "/{number}/attachments/{position}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def read_attachment(
    number: Number,
    position: Annotated[int, Path(ge=0, le=1000)],
    by: Staff,
    appeals: AppealsDep,
) -> Response:
    async with appeals.runtime.db.sessions() as session:
        filename, content_type, content = await handling.attachment(session, by, number, position)
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(filename)}",
            "X-Content-Type-Options": "nosniff",
            **_NO_STORE,
        },
    )


def _quoted(filename: str) -> str:
    return quote(filename, safe="")


@router.post(
    "/{number}/acceptance",
    response_model=WhistleblowerReportRead,
    responses=examples.answer(examples.REPORT_ACCEPTED),
)
async def accept_report(number: Number, by: Staff, appeals: AppealsDep) -> WhistleblowerReportRead:
    """A department it is routed to, or the office, takes it up (409 when accepted or
    decided already)."""
    async with appeals.runtime.uow() as uow:
        await handling.accept(uow, appeals.context(), by, number)
    return await _read_report(appeals, by, number)


@router.post(
    "/{number}/transfer",
    response_model=WhistleblowerReportRead,
    responses=examples.answer(examples.REPORT_TRANSFERRED),
)
async def transfer_report(
    number: Number,
    body: TransferBody,
    by: Staff,
    appeals: AppealsDep,
) -> WhistleblowerReportRead:
    """The office only: route the report to other departments (received again there)."""
    async with appeals.runtime.uow() as uow:
        await handling.transfer(uow, appeals.context(), by, number, body.departments, body.reason)
    return await _read_report(appeals, by, number)


@router.post(
    "/{number}/decision",
    response_model=WhistleblowerReportRead,
    responses=examples.answer(examples.REPORT_DECIDED),
)
async def decide_report(
    number: Number,
    body: DecisionBody,
    by: Staff,
    appeals: AppealsDep,
) -> WhistleblowerReportRead:
    """After acceptance: substantiated (perhaps with the entry it led to and a reward for the
    reporter) or unsubstantiated, with reasons."""
    reward = None if body.reward is None else Reward(body.reward.amount, body.reward.description)
    decision = Decision(body.outcome, body.reasons, body.entry_id, reward)
    async with appeals.runtime.uow() as uow:
        await handling.decide(uow, appeals.context(), by, number, decision)
    return await _read_report(appeals, by, number)


@router.post(
    "/{number}/identity-disclosures",
    status_code=status.HTTP_201_CREATED,
    response_model=DisclosureAnswer,
)
async def disclose_identity(
    number: Number,
    body: DisclosureBody,
    by: Staff,
    appeals: AppealsDep,
    response: Response,
) -> DisclosureAnswer:
    """The joint conference office only: the reporter's identity, with the disclosure (who,
    when, why) recorded and listed on the report. 409 for an anonymous report."""
    ctx = appeals.context()
    async with appeals.runtime.uow() as uow:
        identity, disclosure = await handling.disclose(
            uow, ctx, appeals.vault, by, number, body.reason
        )
    response.headers.update(_NO_STORE)
    return DisclosureAnswer(
        number=number,
        identity=ReporterIdentityRead(
            name=identity.get("name"),
            phone=identity.get("phone"),
            id_number=identity.get("id_number"),
            email=identity.get("email"),
        ),
        disclosed_by=disclosure.by,
        disclosed_by_officer=disclosure.officer,
        disclosed_at=disclosure.at,
        reason=disclosure.reason,
    )
