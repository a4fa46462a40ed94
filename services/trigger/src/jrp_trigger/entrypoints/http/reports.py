"""Supervision (DOMAIN.md §5 step 5, §9; 000 (二十七), 001 (十二), 004 四(四); docs/supervision.md):
monthly and date-range reports as JSON, CSV or PDF, typical cases, and the reminders inbox.

Who may call (谁主管、谁负责): the joint conference office (`administrator` role) reads every
department's figures and selects typical cases; a department reads its own report (the
`department` filter is forced to itself; another's is a 403), nominates and withdraws its own
typical cases, and sees the reminders and escalations about itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, Principal
from jrp_shared.errors import Forbidden
from jrp_shared.identifiers import Uscc
from jrp_shared.vocabulary import OverdueKind, ReminderLevel
from jrp_shared.web import Department, Offset
from jrp_trigger.adapters.exchange import department_copy
from jrp_trigger.adapters.supervision import SupervisionRepository, TypicalCaseRow
from jrp_trigger.domain import supervision as rules
from jrp_trigger.domain.supervision import (
    DepartmentReport,
    Figures,
    Period,
    ReportStatus,
    TypicalCaseKind,
)
from jrp_trigger.entrypoints.http import examples, report_export
from jrp_trigger.entrypoints.http.deps import TriggerDep
from jrp_trigger.service_layer import supervision
from jrp_trigger.service_layer.supervision import Report, TypicalCaseNomination

router = APIRouter(tags=["supervision"])

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]
Format = Literal["json", "csv", "pdf"]


# --- schemas ----------------------------------------------------------------------------------


class EntryFigures(BaseModel):
    initiated: int = Field(description="entries posted in the period (China dates)")
    by_colour: dict[str, int]
    by_list_type: dict[str, int]


class OrderFiguresRead(BaseModel):
    issued: int = Field(description="sanction orders issued in the period")
    received: int = Field(description="of those, acknowledged by the end of the period")
    fed_back: int = Field(description="of those, with every measure's outcome reported")
    receipt_overdue: int = Field(description="not acknowledged and past receipt_due, as of")
    feedback_overdue: int = Field(description="not fed back and past feedback_due, as of")
    feedback_rate: float | None = Field(description="fed_back / issued; null when none issued")


class MeasureFigures(BaseModel):
    applied: int
    not_applicable: int
    failed: int


class CaseFiguresRead(BaseModel):
    filed: int
    decided: int
    decided_on_time: int = Field(description="decided in the period on or before decision_due")
    decided_late: int
    overdue: int = Field(description="undecided as of the report day and past decision_due")
    on_time_rate: float | None


class ReminderFigures(BaseModel):
    reminders: int
    escalations: int


class FiguresRead(BaseModel):
    entries: EntryFigures
    orders: OrderFiguresRead
    measures: MeasureFigures
    objections: CaseFiguresRead
    complaints: CaseFiguresRead
    objection_appeals: CaseFiguresRead
    repairs: CaseFiguresRead
    reminders: ReminderFigures


class DepartmentFiguresRead(FiguresRead):
    department: str
    department_name: str | None = Field(
        default=None, description="as the registry names it (departments.v1); null if not known"
    )


class ReportStatusRead(BaseModel):
    department: str
    department_name: str | None = Field(default=None, description="as the registry names it")
    month: str
    due: date = Field(description="the 20th of the following month (004 四(四))")
    status: ReportStatus
    submitted_on: date | None
    late: bool
    trustworthiness: int = Field(description="typical cases of trustworthiness nominated")
    dishonesty: int = Field(description="typical cases of dishonesty nominated")


class TypicalCaseRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TYPICAL_CASE]})

    case_id: str
    month: str
    department: str
    kind: TypicalCaseKind
    title: str
    summary: str
    subject_code: str | None
    entry_id: str | None
    nominated_at: datetime
    withdrawn_at: datetime | None
    selected_at: datetime | None
    selected_by: str | None
    nominated_by_officer: str | None = Field(
        default=None,
        description="the officer of `department` who nominated it, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    withdrawn_by_officer: str | None = Field(
        default=None, description="the officer of `department` who withdrew it"
    )
    selected_by_officer: str | None = Field(
        default=None, description="the office's officer who selected it"
    )


class PeriodRead(BaseModel):
    start: date
    end: date
    month: str | None


class ReportRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPORT]})

    period: PeriodRead
    as_of: date = Field(description="figures are judged on this day: the end, or today")
    generated_at: datetime
    scope: str = Field(description="`platform`, or the one department reported on")
    departments: list[DepartmentFiguresRead]
    truncated: bool = Field(description="more departments than listed (all are in `total`)")
    total: FiguresRead
    report_status: list[ReportStatusRead]
    typical_cases: list[TypicalCaseRead] = Field(description="those the office selected")


class TypicalCaseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [examples.TYPICAL_CASE_CREATE]},
    )

    kind: TypicalCaseKind
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4_000)
    subject_code: Uscc | None = Field(
        default=None,
        description="the organisation's USCC; a natural person is described without an ID",
    )
    entry_id: str | None = Field(default=None, min_length=1, max_length=64)


class ReminderRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REMINDER]})

    reminder_id: str
    level: ReminderLevel
    kind: OverdueKind
    item_id: str
    entry_id: str
    subject_code: str
    list_type: str
    department: str
    due: date
    due_provisional: bool
    overdue_working_days: int
    escalation_due: date | None
    issued_at: datetime
    open: bool = Field(description="the item is still not done (as this service knows it)")


# --- reading the report ------------------------------------------------------------------------


def _scope(by: Principal, asked: str | None) -> str | None:
    """The office reads any department or the platform; a department only itself."""
    if ROLE_ADMINISTRATOR in by.roles:
        return asked
    if asked is not None and asked != by.department_code:
        raise Forbidden(
            f"{by.department_code} reads its own report only; the joint conference office "
            "(administrator) reads others'"
        )
    return by.department_code


def _case_read(case: TypicalCaseRow) -> TypicalCaseRead:
    return TypicalCaseRead(
        case_id=case.case_id,
        month=case.month,
        department=case.department,
        kind=case.kind,
        title=case.title,
        summary=case.summary,
        subject_code=case.subject_code,
        entry_id=case.entry_id,
        nominated_at=case.nominated_at,
        withdrawn_at=case.withdrawn_at,
        selected_at=case.selected_at,
        selected_by=case.selected_by,
        nominated_by_officer=case.nominated_by_officer,
        withdrawn_by_officer=case.withdrawn_by_officer,
        selected_by_officer=case.selected_by_officer,
    )


def figures_read(f: Figures) -> FiguresRead:
    def cases(kind: OverdueKind) -> CaseFiguresRead:
        c = f.cases[kind]
        return CaseFiguresRead(
            filed=c.filed,
            decided=c.decided,
            decided_on_time=c.decided_on_time,
            decided_late=c.decided_late,
            overdue=c.overdue,
            on_time_rate=c.on_time_rate,
        )

    o = f.orders
    return FiguresRead(
        entries=EntryFigures(
            initiated=f.entries_initiated,
            by_colour={c: f.entries_by_colour[c] for c in ("red", "black", "watch")}
            | dict(f.entries_by_colour),
            by_list_type=dict(sorted(f.entries_by_list_type.items())[:200]),
        ),
        orders=OrderFiguresRead(
            issued=o.issued,
            received=o.received,
            fed_back=o.fed_back,
            receipt_overdue=o.receipt_overdue,
            feedback_overdue=o.feedback_overdue,
            feedback_rate=o.feedback_rate,
        ),
        measures=MeasureFigures(
            applied=o.measures["applied"],
            not_applicable=o.measures["not_applicable"],
            failed=o.measures["failed"],
        ),
        objections=cases(OverdueKind.OBJECTION),
        complaints=cases(OverdueKind.COMPLAINT),
        objection_appeals=cases(OverdueKind.OBJECTION_APPEAL),
        repairs=cases(OverdueKind.REPAIR),
        reminders=ReminderFigures(
            reminders=f.reminders[ReminderLevel.REMINDER.value],
            escalations=f.reminders[ReminderLevel.ESCALATION.value],
        ),
    )


def _status_read(s: DepartmentReport, names: Mapping[str, str]) -> ReportStatusRead:
    return ReportStatusRead(
        department=s.department,
        department_name=names.get(s.department),
        month=s.month,
        due=s.due,
        status=s.status,
        submitted_on=s.submitted_on,
        late=s.late,
        trustworthiness=s.trustworthiness,
        dishonesty=s.dishonesty,
    )


def report_read(report: Report, names: Mapping[str, str]) -> ReportRead:
    """The report as answered; `names`: the departments' names by code."""
    return ReportRead(
        period=PeriodRead(
            start=report.period.start, end=report.period.end, month=report.period.month
        ),
        as_of=report.as_of,
        generated_at=report.generated_at,
        scope=report.department or "platform",
        departments=[
            DepartmentFiguresRead(
                department=code, department_name=names.get(code), **figures_read(f).model_dump()
            )
            for code, f in report.departments.items()
        ],
        truncated=report.truncated,
        total=figures_read(report.total),
        report_status=[_status_read(s, names) for s in report.statuses],
        typical_cases=[_case_read(c) for c in report.typical_cases],
    )


async def _respond(
    trigger: TriggerDep, period: Period, department: str | None, output: Format
) -> Response:
    now = trigger.clock()
    async with trigger.runtime.db.sessions() as session:
        report = await supervision.build_report(
            session,
            trigger.copies.catalog,
            period,
            department=department,
            today=trigger.today(),
            now=now,
            max_departments=trigger.settings.report_max_departments,
        )
        known = await department_copy.get_many(
            session, [*report.departments, *(s.department for s in report.statuses)]
        )
    body = report_read(report, {code: d.name for code, d in known.items()})
    name = f"jrp-report-{period.month or f'{period.start}_{period.end}'}"
    if department is not None:
        name += f"-{department}"
    if output == "csv":
        data = report_export.csv_bytes(body)
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if output == "pdf":
        # reportlab is CPU-bound: off the event loop.
        pdf = await asyncio.to_thread(report_export.pdf_bytes, body)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return Response(body.model_dump_json(), media_type="application/json")


_FORMAT_DOC = "json (default), csv (one flat table, UTF-8 with BOM) or pdf (tables and charts)"


@router.get(
    "/v1/reports/monthly/{month}",
    response_model=ReportRead,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
async def monthly_report(
    month: Month,
    by: Department,
    trigger: TriggerDep,
    department: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    format: Annotated[Format, Query(description=_FORMAT_DOC)] = "json",
) -> Response:
    """One month's supervision report (DOMAIN.md §5 step 5, §9): per department and in total,
    with the report status of each department and the typical cases the office selected. The
    office reads the platform or one department (`department=`); a department its own."""
    scope = _scope(by, department)
    period = rules.parse_month(month, trigger.today())
    return await _respond(trigger, period, scope, format)


@router.get(
    "/v1/reports",
    response_model=ReportRead,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
async def range_report(
    by: Department,
    trigger: TriggerDep,
    from_: Annotated[date, Query(alias="from", description="first day (China date)")],
    to: Annotated[date, Query(description="last day, inclusive")],
    department: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    format: Annotated[Format, Query(description=_FORMAT_DOC)] = "json",
) -> Response:
    """The same report for any date range of at most `report_max_range_days` days (422
    otherwise); report statuses and typical cases of every month the range touches."""
    scope = _scope(by, department)
    period = rules.date_range(
        from_, to, trigger.today(), max_days=trigger.settings.report_max_range_days
    )
    return await _respond(trigger, period, scope, format)


# --- typical cases -------------------------------------------------------------------------------


def _nominator(by: Principal) -> str:
    if not ({ROLE_INITIATOR, ROLE_IMPLEMENTER} & set(by.roles)):
        raise Forbidden(
            f"{by.department_code} neither initiates nor implements: only those departments "
            "report monthly typical cases"
        )
    return by.department_code


@router.post(
    "/v1/reports/monthly/{month}/typical-cases", response_model=TypicalCaseRead, status_code=201
)
async def nominate_typical_case(
    month: Month, body: TypicalCaseCreate, by: Department, trigger: TriggerDep
) -> TypicalCaseRead:
    """A department (initiator or implementer) nominates a typical case of trustworthiness or
    dishonesty for its monthly report, due by the 20th of the following month (004 四(四))."""
    department = _nominator(by)
    async with trigger.runtime.uow() as uow:
        case = await supervision.nominate(
            uow,
            TypicalCaseNomination(
                month=month,
                kind=body.kind,
                title=body.title,
                summary=body.summary,
                subject_code=body.subject_code,
                entry_id=body.entry_id,
            ),
            department,
            trigger.clock(),
            by.officer,
        )
    return _case_read(case)


@router.get("/v1/reports/monthly/{month}/typical-cases", response_model=list[TypicalCaseRead])
async def list_typical_cases(
    month: Month,
    by: Department,
    trigger: TriggerDep,
    department: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    selected: Annotated[bool, Query(description="only those the office selected")] = False,
    withdrawn: Annotated[bool, Query(description="include withdrawn ones")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[TypicalCaseRead]:
    """The month's nominations: a department its own; the office all, or one department's."""
    scope = _scope(by, department)
    async with trigger.runtime.db.sessions() as session:
        found = await SupervisionRepository(session).typical_cases(
            [month],
            department=scope,
            selected_only=selected,
            include_withdrawn=withdrawn,
            limit=limit,
            offset=offset,
        )
    return [_case_read(c) for c in found]


@router.post(
    "/v1/reports/monthly/{month}/typical-cases/{case_id}/withdrawal",
    response_model=TypicalCaseRead,
)
async def withdraw_typical_case(
    month: Month,
    case_id: Annotated[str, Path(max_length=36)],
    by: Department,
    trigger: TriggerDep,
) -> TypicalCaseRead:
    """The nominating department withdraws its case, unless the office has selected it (409)."""
    async with trigger.runtime.uow() as uow:
        case = await supervision.withdraw(
            uow, month, case_id, by.department_code, trigger.clock(), by.officer
        )
    return _case_read(case)


@router.post(
    "/v1/reports/monthly/{month}/typical-cases/{case_id}/selection",
    response_model=TypicalCaseRead,
)
async def select_typical_case(
    month: Month,
    case_id: Annotated[str, Path(max_length=36)],
    by: Department,
    trigger: TriggerDep,
) -> TypicalCaseRead:
    """The joint conference office selects a nominated case for the report (idempotent)."""
    by.require(ROLE_ADMINISTRATOR)
    async with trigger.runtime.uow() as uow:
        case = await supervision.select(
            uow, month, case_id, by.department_code, trigger.clock(), by.officer
        )
    return _case_read(case)


# --- reminders inbox ---------------------------------------------------------------------------


@router.get("/v1/reminders", response_model=list[ReminderRead])
async def list_reminders(
    by: Department,
    trigger: TriggerDep,
    level: Annotated[ReminderLevel | None, Query()] = None,
    kind: Annotated[OverdueKind | None, Query()] = None,
    department: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    open_only: Annotated[
        bool, Query(alias="open", description="only items still not done")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[ReminderRead]:
    """Reminders and escalations (supervision.v1), newest first: a department those about
    itself; the office every department's, or one's (`department=`)."""
    scope = _scope(by, department)
    async with trigger.runtime.db.sessions() as session:
        rows = await SupervisionRepository(session).reminders(
            department=scope,
            level=None if level is None else level.value,
            kind=None if kind is None else kind.value,
            open_only=open_only,
            limit=limit,
            offset=offset,
        )
    return [
        ReminderRead(
            reminder_id=r.reminder_id,
            level=ReminderLevel(r.level),
            kind=OverdueKind(r.kind),
            item_id=r.item_id,
            entry_id=r.entry_id,
            subject_code=r.subject_code,
            list_type=r.list_type,
            department=r.department,
            due=r.due,
            due_provisional=r.due_provisional,
            overdue_working_days=r.overdue_working_days,
            escalation_due=r.escalation_due,
            issued_at=r.issued_at,
            open=is_open,
        )
        for r, is_open in rows
    ]
