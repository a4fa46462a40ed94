"""Must-check over HTTP (应查必查, DOMAIN.md §6): one code, or a batch of up to 100,000.

Answers are built as plain JSON rather than validated through the response models (those
document the shape in OpenAPI): the check is the hot path of every department's approvals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal

import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.convertors import Convertor, register_url_convertor
from starlette.types import Receive, Scope, Send

from jrp_enforcement.adapters.audit_chain import AuditFilter
from jrp_enforcement.domain.batches import CheckPurpose
from jrp_enforcement.domain.checks import (
    MAX_BATCH,
    CheckAnswer,
    Due,
    Entry,
    Hit,
    Measure,
    Withheld,
)
from jrp_enforcement.entrypoints.http import examples
from jrp_enforcement.service_layer.checks import BatchChecked, Checked, CheckService, Refused
from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import InvalidInput
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.vocabulary import CaseKind, ListEntryStatus, SubjectType
from jrp_shared.web import (
    Department,
    Offset,
    QuietRoute,
    current_department,
    current_party,
    refuse_unknown_query,
)

router = APIRouter(tags=["must-check"])

_NATURAL_PERSON = SubjectType.NATURAL_PERSON.value
_IN_FORCE = ListEntryStatus.IN_FORCE.value
_SUSPENDED = ListEntryStatus.SUSPENDED.value
_NOTES = {kind.value: f"suspended pending {kind.value}" for kind in CaseKind}
"""What a suspended entry's answer says, by the kind of case being verified (DOMAIN.md §7)."""


def _service(request: Request) -> CheckService:
    checks: CheckService = request.app.state.checks
    return checks


async def _checks(request: Request) -> CheckService:
    # async: a plain function dependency would run in the thread pool on every call
    return _service(request)


Checks = Annotated[CheckService, Depends(_checks)]
PurposeParam = Annotated[
    CheckPurpose | None,
    Query(description="the decision the check is for (DOMAIN.md §6); kept in the audit"),
]
ReferenceParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="the department's own case or item id of that decision (kept in the audit)",
    ),
]
AsOfParam = Annotated[
    datetime | None,
    Query(
        description="RFC 3339 instant (with its offset; '+' sent as %2B): answer what the "
        "platform knew then; not later than now"
    ),
]
DepartmentParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=32,
        description="whose measures to list; defaults to the caller's own (others: administrator)",
    ),
]


# --- documented shapes --------------------------------------------------------------------


class MeasureRead(BaseModel):
    code: str
    version: int
    kind: Literal["punishment", "reward"]
    mandatory: bool
    content: str
    content_en: str
    legal_basis: str
    entry_ids: list[str] = Field(description="the entries that call for it")


class UnmetRead(BaseModel):
    kind: Literal["no_black_list_within_years", "on_list_consecutive_years"]
    reason: str = Field(
        description="for the officer, e.g. 需连续三年列入…名单：2024、2025年未在…名单"
    )
    reason_en: str
    entry_ids: list[str] = Field(description="black-list entries that stand in the way")
    missing_years: list[int] = Field(description="years not on the list the condition names")


class WithheldRead(BaseModel):
    code: str
    version: int
    content: str
    content_en: str
    legal_basis: str
    entry_ids: list[str] = Field(description="the entries that would call for it")
    unmet: list[UnmetRead] = Field(description="the conditions that do not hold on the day")


class EntryMeasureRead(BaseModel):
    code: str
    kind: Literal["punishment", "reward"]
    mandatory: bool


class ListedSubjectRead(BaseModel):
    code: str = Field(description="USCC, or a resident ID masked (DOMAIN.md §2)")
    subject_type: str
    name: str


class DecisionDocumentRead(BaseModel):
    number: str
    date: date


class PeriodRead(BaseModel):
    start: date
    end: date


class EntryRead(BaseModel):
    entry_id: str
    list_type: str
    list_type_name: str
    colour: Literal["black", "red", "watch"] = Field(
        description="watch: a watch list (重点关注名单), supervisory measures only, neither "
        "listed nor rewarded (DOMAIN.md §11)"
    )
    roles: list[str] = Field(description="what the code asked about is in the entry")
    listed_subject: ListedSubjectRead
    decision_document: DecisionDocumentRead
    legal_basis: str
    period: PeriodRead
    initiating_department: str
    status: Literal["in_force", "suspended"] = Field(
        description="suspended: an objection or complaint is being verified and no measure "
        "is due meanwhile (DOMAIN.md §7)"
    )
    note: str | None = Field(description='e.g. "suspended pending objection"; null in force')
    measures: list[EntryMeasureRead] = Field(
        description="the department's, for this code; none while suspended"
    )


class WarningRead(BaseModel):
    key_areas: list[str] = Field(description="the distinct key areas of its watch lists")
    since: datetime = Field(description="when it went on the warning list")


class AnswerRead(BaseModel):
    subject_code: str
    check_id: str
    listed: bool = Field(description="on a black list now, as the subject or a linked person")
    rewarded: bool = Field(description="on a red list now")
    suspended: bool = Field(
        description="an entry reaching the code is suspended pending an objection or "
        "complaint: shown, but neither listed nor rewarded, and calls for no measure"
    )
    entries: list[EntryRead]
    mandatory_measures: list[MeasureRead]
    recommended_measures: list[MeasureRead]
    rewards: list[MeasureRead]
    withheld: list[WithheldRead] = Field(
        description="rewards with conditions on the subject's record that do not hold on the "
        "day (DOMAIN.md §6; docs/must-check.md), each with the reasons"
    )
    warning: WarningRead | None = Field(
        default=None,
        description="on the big-data warning list (watch lists in three or more key areas, "
        "DOMAIN.md §11; docs/warning-list.md); null otherwise",
    )


class CheckRead(AnswerRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.CHECK, examples.CHECK_ON_WARNING_LIST]}
    )

    checked_at: datetime
    department: str = Field(description="whose measures are listed")
    on: date = Field(description="the day (Asia/Shanghai) the periods were judged on")
    as_of: datetime | None = Field(
        default=None, description="present when asked as of a past instant: what was known then"
    )


class ProblemRead(BaseModel):
    field: str
    reason: str
    message: str
    position: int | None = None


class RefusedRead(BaseModel):
    index: int
    subject_code: str = Field(description="as sent; masked when shaped like a resident ID")
    code: Literal["invalid_input"]
    errors: list[ProblemRead] = Field(description="as in a problem's `errors` (RFC 9457)")


class BatchRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.BATCH]})

    batch_id: str
    checked_at: datetime
    department: str
    on: date
    checked: int
    listed: int
    rewarded: int
    suspended: int = Field(description="codes reached by a suspended entry")
    refused: int
    answers: list[AnswerRead | RefusedRead] = Field(description="in the order of the codes")


Code = Annotated[str, StringConstraints(max_length=64)]


class BatchIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [examples.BATCH_REQUEST]},
    )

    purpose: CheckPurpose = Field(description="the decision the checks are for (DOMAIN.md §6)")
    business_reference: str = Field(
        min_length=1,
        max_length=200,
        description="the department's own case or item id of that decision (kept in the audit)",
    )
    department: str | None = Field(default=None, min_length=1, max_length=32)
    codes: list[Code] = Field(min_length=1, max_length=MAX_BATCH)


class BatchRecordRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.BATCH_RECORD]})

    batch_id: str
    asked_at: datetime
    department: str
    purpose: str
    business_reference: str
    codes: int
    persons: int = Field(description="codes shaped like a resident ID")
    listed: int
    flags: list[str] = Field(description="why the office should review it (empty: nothing)")
    correlation_id: str | None


class AuditedRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.AUDITED]})

    check_id: str
    asked_at: datetime
    department: str = Field(description="the department that asked")
    subject_code: str = Field(description="as asked (the asking department's own data)")
    purpose: str | None
    business_reference: str | None
    batch_id: str | None = Field(description="the batch it came in (its purpose is the batch's)")
    correlation_id: str | None
    as_of: datetime | None = Field(description="the past instant it was answered as of")
    listed: bool
    answer: dict[str, Any] = Field(
        description="the answer as recorded: entry ids with their versions, measure codes "
        "with their versions, list type versions"
    )
    chain_seq: int | None = Field(
        description="its position in the audit chain; null: not sealed yet"
    )
    prev_hash: str | None
    row_hash: str | None
    chain_link_verified: bool | None = Field(
        default=None,
        description="this row and its predecessor still give their sealed hashes and link (null: "
        "not sealed yet); the whole chain is verified by `jrp-enforcement verify-audit`",
    )


# --- answers as JSON ----------------------------------------------------------------------


def _measure(due: Due) -> dict[str, Any]:
    m = due.measure
    return {
        "code": m.code,
        "version": m.version,
        "kind": m.kind,
        "mandatory": m.mandatory,
        "content": m.content,
        "content_en": m.content_en,
        "legal_basis": m.legal_basis,
        "entry_ids": list(due.entry_ids),
    }


def _withheld(w: Withheld) -> dict[str, Any]:
    m = w.measure
    return {
        "code": m.code,
        "version": m.version,
        "content": m.content,
        "content_en": m.content_en,
        "legal_basis": m.legal_basis,
        "entry_ids": list(w.entry_ids),
        "unmet": [
            {
                "kind": u.kind,
                "reason": u.reason,
                "reason_en": u.reason_en,
                "entry_ids": list(u.entry_ids),
                "missing_years": list(u.missing_years),
            }
            for u in w.unmet
        ],
    }


def _entry_measure(m: Measure) -> dict[str, Any]:
    return {"code": m.code, "kind": m.kind, "mandatory": m.mandatory}


def _entry(hit: Hit, names: dict[str, str]) -> dict[str, Any]:
    e: Entry = hit.entry
    person = e.subject_type == _NATURAL_PERSON
    kind = e.suspended
    return {
        "entry_id": e.entry_id,
        "list_type": e.list_type,
        "list_type_name": names.get(e.list_type, e.list_type),
        "colour": e.colour,
        "roles": list(hit.roles),
        "listed_subject": {
            "code": mask_resident_id(e.subject_code) if person else e.subject_code,
            "subject_type": e.subject_type,
            "name": e.subject_name,
        },
        "decision_document": {
            "number": e.decision_number,
            "date": e.decision_date.isoformat(),
        },
        "legal_basis": e.legal_basis,
        "period": {"start": e.period_start.isoformat(), "end": e.period_end.isoformat()},
        "initiating_department": e.initiating_department,
        "status": _IN_FORCE if kind is None else _SUSPENDED,
        "note": None if kind is None else _NOTES.get(kind, f"suspended pending {kind}"),
        "measures": [_entry_measure(m) for m in hit.measures],
    }


def _answer(check_id: str, result: CheckAnswer, names: dict[str, str]) -> dict[str, Any]:
    return {
        "subject_code": result.code,
        "check_id": check_id,
        "listed": result.listed,
        "rewarded": result.rewarded,
        "suspended": result.suspended,
        "entries": [_entry(h, names) for h in result.hits],
        "mandatory_measures": [_measure(d) for d in result.mandatory],
        "recommended_measures": [_measure(d) for d in result.recommended],
        "rewards": [_measure(d) for d in result.rewards],
        "withheld": [_withheld(w) for w in result.withheld],
        "warning": None
        if result.warning is None
        else {
            "key_areas": list(result.warning.key_areas),
            "since": result.warning.since.isoformat(),
        },
    }


def _refused(item: Refused) -> dict[str, Any]:
    raw = item.raw.strip()
    shown = mask_resident_id(raw) if raw[:17].isdigit() else raw
    return {
        "index": item.index,
        "subject_code": shown,
        "code": "invalid_input",
        "errors": [p.as_json() for p in item.problems],
    }


_encode = msgspec.json.Encoder().encode
"""Compact JSON, non-ASCII as is (the bytes json.dumps(ensure_ascii=False,
separators=(",", ":")) gives, several times faster): the check is the hot path."""


def _json(body: Any) -> Response:
    return Response(_encode(body), media_type="application/json")


def check_json(checked: Checked, names: dict[str, str]) -> dict[str, Any]:
    body = _answer(checked.check_id, checked.answer, names)
    body["checked_at"] = checked.checked_at.isoformat()
    body["department"] = checked.answer.department
    body["on"] = checked.answer.on.isoformat()
    return body


async def batch_body(batch: BatchChecked, names: dict[str, str]) -> bytes:
    """The batch answer as JSON bytes. A code on no list (most of them) is written from a
    template: it is a validated identifier and the check id is hex, so nothing needs escaping."""
    parts: list[bytes] = []
    check_id = batch.check_id
    for i, item in enumerate(batch.items):
        if i and i % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # the audit rows are being stored meanwhile
        if isinstance(item, str):
            parts.append((_UNLISTED % (item, check_id(i))).encode())
        elif isinstance(item, Refused):
            parts.append(_encode(_refused(item)))
        else:
            parts.append(_encode(_answer(check_id(i), item, names)))
    head = {
        "batch_id": batch.batch_id,
        "checked_at": batch.checked_at.isoformat(),
        "department": batch.department,
        "on": batch.on.isoformat(),
        "checked": len(batch.items) - batch.refused,
        "listed": batch.listed,
        "rewarded": batch.rewarded,
        "suspended": batch.suspended,
        "refused": batch.refused,
    }
    return b"".join((_encode(head)[:-1], b',"answers":[', b",".join(parts), b"]}"))


_UNLISTED = (
    '{"subject_code":"%s","check_id":"%s","listed":false,"rewarded":false,"suspended":false,'
    '"entries":[],'
    '"mandatory_measures":[],"recommended_measures":[],"rewards":[],"withheld":[],'
    '"warning":null}'
)
_YIELD_EVERY = 5_000


# --- routes -------------------------------------------------------------------------------


async def check_one(
    subject_code: str,
    by: Department,
    request: Request,
    department: DepartmentParam = None,
    purpose: PurposeParam = None,
    business_reference: ReferenceParam = None,
    as_of: AsOfParam = None,
) -> Response:
    checks = _service(request)
    checked = await checks.check(
        by,
        subject_code,
        department,
        purpose=purpose,
        business_reference=business_reference,
        as_of=as_of,
    )
    body = check_json(checked, checks.live.list_type_names)
    if as_of is not None:
        body["as_of"] = as_of.isoformat()
    return _json(body)


def _purpose(raw: str | None) -> CheckPurpose | None:
    if raw is None:
        return None
    try:
        return CheckPurpose(raw)
    except ValueError:
        allowed = ", ".join(p.value for p in CheckPurpose)
        raise InvalidInput.for_field(
            "query.purpose", "enum", f"purpose is one of: {allowed}", expected=allowed
        ) from None


def _reference(raw: str | None) -> str | None:
    if raw is not None and not 1 <= len(raw) <= 200:
        raise InvalidInput.for_field(
            "query.business_reference",
            "string_length",
            "business_reference is 1 to 200 characters",
            limit=200,
        )
    return raw


def _as_of(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw) if len(raw) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput.for_field(
            "query.as_of",
            "datetime_parsing",
            "as_of is an RFC 3339 instant, e.g. 2026-11-20T10:00:00%2B08:00 ('+' encoded)",
        )
    if moment.tzinfo is None:
        raise InvalidInput.for_field(
            "query.as_of",
            "timezone_required",
            "as_of needs its UTC offset (Z or +08:00, '+' encoded as %2B)",
        )
    return moment


class _SubjectCode(Convertor[str]):
    """A path segment other than the audit's own (`/v1/checks/audit`): the single check is
    matched before every other route, and would take "audit" for a code."""

    regex = "(?!audit$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("jrp_subject_code", _SubjectCode())


_bearer = HTTPBearer(auto_error=False)


class _CheckRoute(QuietRoute):
    """`check_one` as declared (OpenAPI, the same function answering), with its three
    parameters resolved here rather than by FastAPI's dependency solver: on the hottest
    route that solver is a sixth of the time per check. The same rules apply: the shared
    `current_department` authenticates (401), `department` is 1-32 characters (422).

    Its ASGI app calls the handler and sends the response, without FastAPI's per-request
    wrapping (two exit stacks for dependencies with `yield`, which it has none of, and a
    second layer of exception handling): an error goes up to the app's own exception
    middleware, which answers it with the same handlers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handle = self.get_route_handler()

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handle(Request(scope, receive, send))
            await response(scope, receive, send)

        self.app = app

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        async def handle(request: Request) -> Response:
            by = await current_department(await current_party(request, await _bearer(request)))
            # (no query string, the common case: nothing to parse)
            query = request.scope["query_string"]
            if not query:
                subject_code: str = request.path_params["subject_code"]
                return await check_one(subject_code, by, request)
            params = request.query_params
            refuse_unknown_query(params.keys(), CHECK_QUERY)
            department = params.get("department")
            if department is not None and not 1 <= len(department) <= 32:
                raise InvalidInput.for_field(
                    "query.department", "string_length", "department is 1 to 32 characters"
                )
            return await check_one(
                request.path_params["subject_code"],
                by,
                request,
                department,
                _purpose(params.get("purpose")),
                _reference(params.get("business_reference")),
                _as_of(params.get("as_of")),
            )

        return handle


CHECK_QUERY: Final = frozenset({"department", "purpose", "business_reference", "as_of"})
"""The single check's query parameters (parsed by `_HotCheckRoute`, not FastAPI)."""


# The single check: on a router of its own, whose route the app matches before any other
# (`create_service_app(hot_routes=...)`). Every check is in the audit table with its
# correlation id, so successful checks skip the access-log line (a few thousand a second
# otherwise); failures are still logged.
single = APIRouter(tags=["must-check"])
single.add_api_route(
    "/v1/checks/{subject_code:jrp_subject_code}",
    check_one,
    methods=["GET"],
    response_model=CheckRead,
    summary="Must-check one subject (USCC or resident ID)",
    responses={
        403: {"description": "another department's measures, not administrator"},
        422: {"description": "invalid code, purpose, business reference or as_of (future)"},
    },
    route_class_override=_CheckRoute,
)


@router.post(
    "/v1/checks/batch",
    response_model=BatchRead,
    summary="Must-check up to 100,000 subjects; invalid codes are refused one by one",
)
async def check_batch(body: BatchIn, by: Department, checks: Checks) -> Response:
    async def render(batch: BatchChecked) -> bytes:
        return await batch_body(batch, checks.live.list_type_names)

    content = await checks.check_batch(
        by,
        body.codes,
        body.department,
        render,
        purpose=body.purpose,
        business_reference=body.business_reference,
    )
    return Response(content, media_type="application/json")


@router.get(
    "/v1/check-batches",
    response_model=list[BatchRecordRead],
    summary="Batch checks as recorded, newest first: the office reviews the flagged ones",
)
async def check_batches(
    by: Department,
    checks: Checks,
    flagged: Annotated[bool, Query(description="only those flagged for review")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    by.require(ROLE_ADMINISTRATOR)
    return await checks.audit.batches(flagged=flagged, limit=limit, offset=offset)


@router.get(
    "/v1/check-index",
    summary="The must-check index: size, memory, load time",
    responses=examples.answer(examples.INDEX_STATS),
)
async def index_stats(by: Department, checks: Checks) -> dict[str, Any]:
    by.require(ROLE_ADMINISTRATOR)
    stats = checks.live.stats.as_json()
    stats["ready"] = checks.live.ready
    stats["audit_commits"] = checks.audit.commits
    stats["audit_rows"] = checks.audit.rows
    return stats


@router.get(
    "/v1/checks/audit/{check_id}",
    response_model=AuditedRead,
    summary="One recorded check, as answered, with its place in the audit chain",
    responses={404: {"description": "no such check, or not the caller's department's"}},
)
async def audited_check(
    check_id: Annotated[str, Path(min_length=1, max_length=80)], by: Department, checks: Checks
) -> dict[str, Any]:
    """The department that asked, or the joint conference office (administrator); anyone
    else is told 404, as if it did not exist (谁主管、谁负责)."""
    return await checks.audited(by, check_id)


@router.get(
    "/v1/checks/audit",
    response_model=list[AuditedRead],
    summary="Recorded checks, newest first: a department its own, the office any",
    responses={403: {"description": "another department's checks, not administrator"}},
)
async def audited_checks(
    by: Department,
    checks: Checks,
    department: DepartmentParam = None,
    since: Annotated[
        datetime | None, Query(alias="from", description="asked at or after (RFC 3339)")
    ] = None,
    until: Annotated[datetime | None, Query(alias="to", description="asked before")] = None,
    subject_code: Annotated[str | None, Query(min_length=1, max_length=18)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    for name, moment in (("query.from", since), ("query.to", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput.for_field(
                name, "timezone_required", f"{name[6:]} needs its UTC offset (Z or +08:00)"
            )
    where = AuditFilter(
        department,
        since,
        until,
        subject_code.strip().upper() if subject_code else None,
        limit,
        offset,
    )
    return await checks.audit_rows(by, where)
