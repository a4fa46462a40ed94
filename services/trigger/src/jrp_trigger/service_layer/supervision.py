"""Use cases of supervision (DOMAIN.md §5 step 5, §9; docs/supervision.md): keep the facts a
report counts (due-process cases from appeals.v1, reminders from supervision.v1), nominate,
withdraw and select typical cases, and build a report for a period.

The consumers' handlers do not commit: the consumer commits with its inbox row, and each
handler is also idempotent on its own (a case or reminder already kept changes nothing), so a
redelivery never counts twice.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import china_date
from jrp_shared.errors import InvalidInput, NotFound
from jrp_shared.events.payloads import (
    ComplaintDecided,
    ComplaintFiled,
    ObjectionAppealDecided,
    ObjectionAppealFiled,
    ObjectionDecided,
    ObjectionFiled,
    ReminderIssued,
    RepairApplied,
    RepairDecided,
)
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import FeedbackOutcome, OrderState, OverdueKind, ReminderLevel
from jrp_trigger.adapters.supervision import CaseRow, SupervisionRepository, TypicalCaseRow
from jrp_trigger.domain import supervision as rules
from jrp_trigger.domain.supervision import (
    CaseFacts,
    DepartmentReport,
    Figures,
    Nomination,
    OrderFacts,
    Period,
    TypicalCaseKind,
    TypicalCaseState,
)

log = get_logger(__name__)

Filed = ObjectionFiled | ComplaintFiled | ObjectionAppealFiled | RepairApplied
Decided = ObjectionDecided | ComplaintDecided | ObjectionAppealDecided | RepairDecided


# --- facts from appeals.v1 --------------------------------------------------------------------


async def record_filed(uow: UnitOfWork, event: Filed) -> bool:
    """Keep a case, appeal or repair application once, under the department that must decide
    it: the information provider (objection, complaint), the higher court (appeal), the
    deciding department (repair)."""
    repo = SupervisionRepository(uow.session)
    if isinstance(event, ObjectionFiled | ComplaintFiled):
        kind = OverdueKind.OBJECTION if isinstance(event, ObjectionFiled) else OverdueKind.COMPLAINT
        row = CaseRow(
            kind=kind,
            case_id=event.case_id,
            entry_id=event.entry_id,
            department=event.provider,
            list_type=event.list_type,
            filed_at=event.filed_at,
            filed_on=china_date(event.filed_at),
            decision_due=event.decision_due,
            due_provisional=event.due_provisional,
            decided_at=None,
            decided_on=None,
            outcome=None,
        )
    elif isinstance(event, ObjectionAppealFiled):
        row = CaseRow(
            kind=OverdueKind.OBJECTION_APPEAL,
            case_id=event.appeal_id,
            entry_id=event.entry_id,
            department=event.appeal_department,
            list_type=event.list_type,
            filed_at=event.filed_at,
            filed_on=china_date(event.filed_at),
            decision_due=event.decision_due,
            due_provisional=False,
            decided_at=None,
            decided_on=None,
            outcome=None,
        )
    else:
        row = CaseRow(
            kind=OverdueKind.REPAIR,
            case_id=event.repair_id,
            entry_id=event.entry_id,
            department=event.department,
            list_type=await repo.list_type_of_entry(event.entry_id),
            filed_at=event.applied_at,
            filed_on=china_date(event.applied_at),
            decision_due=event.decision_due,
            due_provisional=event.due_provisional,
            decided_at=None,
            decided_on=None,
            outcome=None,
        )
    if await repo.case_known(row.kind, row.case_id):
        return False
    await repo.add_case(row)
    return True


async def record_decided(uow: UnitOfWork, event: Decided) -> bool:
    """The decision of a case kept before; a case never seen filed is logged and skipped (its
    due day is unknown, so its timeliness cannot be judged)."""
    if isinstance(event, ObjectionDecided | ComplaintDecided):
        kind = (
            OverdueKind.OBJECTION if isinstance(event, ObjectionDecided) else OverdueKind.COMPLAINT
        )
        case_id, outcome = event.case_id, event.outcome.value
    elif isinstance(event, ObjectionAppealDecided):
        kind, case_id, outcome = OverdueKind.OBJECTION_APPEAL, event.appeal_id, event.outcome.value
    else:
        kind, case_id = OverdueKind.REPAIR, event.repair_id
        outcome = "approved" if event.approved else "refused"
    repo = SupervisionRepository(uow.session)
    if not await repo.case_known(kind, case_id):
        log.warning("decision of a case never seen filed", kind=kind.value, case_id=case_id)
        return False
    return await repo.decide_case(
        kind, case_id, event.decided_at, china_date(event.decided_at), outcome
    )


# --- reminders inbox (supervision.v1) ------------------------------------------------------------


async def record_reminder(uow: UnitOfWork, reminder: ReminderIssued) -> bool:
    """Keep a reminder or escalation once (idempotent on `reminder_id`)."""
    return await SupervisionRepository(uow.session).add_reminder(
        reminder, china_date(reminder.issued_at)
    )


# --- typical cases (004 四(四)) -----------------------------------------------------------------


@dataclass(frozen=True)
class TypicalCaseNomination:
    month: str
    kind: TypicalCaseKind
    title: str
    summary: str
    subject_code: str | None
    entry_id: str | None


async def nominate(
    uow: UnitOfWork,
    nomination: TypicalCaseNomination,
    department: str,
    now: datetime,
    officer: str | None = None,
) -> TypicalCaseRow:
    """A department's nomination (`officer`: the one of its officers who made it, recorded
    as `nominated_by_officer`)."""
    rules.check_nomination_month(nomination.month, china_date(now))
    repo = SupervisionRepository(uow.session)
    if nomination.entry_id is not None and not await repo.list_type_of_entry(nomination.entry_id):
        raise InvalidInput.for_field(
            "entry_id",
            "entry_unknown",
            "no list entry has this id on the platform; give an entry id from "
            "GET /v1/list-entries or leave entry_id out",
        )
    case_id = str(uuid.uuid4())
    await repo.add_typical_case(
        {
            "case_id": case_id,
            "month": nomination.month,
            "department": department,
            "kind": nomination.kind.value,
            "title": nomination.title,
            "summary": nomination.summary,
            "subject_code": nomination.subject_code,
            "entry_id": nomination.entry_id,
            "nominated_at": now,
            "nominated_on": china_date(now),
            "nominated_by_officer": officer,
        }
    )
    await uow.commit()
    found = await repo.typical_case(case_id)
    assert found is not None
    return found


async def _case_in(repo: SupervisionRepository, month: str, case_id: str) -> TypicalCaseRow:
    found = await repo.typical_case(case_id, for_update=True)
    if found is None or found.month != month:
        raise NotFound(f"no typical case {case_id} for {month}")
    return found


def _state(case: TypicalCaseRow) -> TypicalCaseState:
    return TypicalCaseState(
        case_id=case.case_id,
        department=case.department,
        withdrawn=case.withdrawn_at is not None,
        selected=case.selected_at is not None,
    )


async def withdraw(
    uow: UnitOfWork,
    month: str,
    case_id: str,
    department: str,
    now: datetime,
    officer: str | None = None,
) -> TypicalCaseRow:
    repo = SupervisionRepository(uow.session)
    case = await _case_in(repo, month, case_id)
    rules.check_withdrawal(_state(case), department)
    await repo.withdraw_typical_case(case_id, now, officer)
    await uow.commit()
    found = await repo.typical_case(case_id)
    assert found is not None
    return found


async def select(
    uow: UnitOfWork,
    month: str,
    case_id: str,
    office: str,
    now: datetime,
    officer: str | None = None,
) -> TypicalCaseRow:
    repo = SupervisionRepository(uow.session)
    case = await _case_in(repo, month, case_id)
    rules.check_selection(_state(case))
    await repo.select_typical_case(case_id, office, now, officer)
    await uow.commit()
    found = await repo.typical_case(case_id)
    assert found is not None
    return found


# --- who owes a report ----------------------------------------------------------------------------


async def owing_departments(session: AsyncSession, catalog: CatalogCopy, on: date) -> set[str]:
    """The departments that initiate or implement under the catalog in force on `on` (this
    service's copy): each owes a monthly report (004 四(四))."""
    found: set[str] = set()
    for list_type in await catalog.list_types_in_force(session, on):
        found.update(list_type.initiating_departments)
    for measure in await catalog.measures_in_force(session, on):
        found.add(measure.implementing_department)
    return found


async def reports_overdue(session: AsyncSession, catalog: CatalogCopy, today: date) -> int:
    """How many departments have not submitted the latest report already due (the gauge
    `jrp_monthly_reports_overdue`)."""
    month = rules.latest_month_due(today)
    period = rules.parse_month(month, today)
    owing = await owing_departments(session, catalog, period.end)
    statuses = await report_statuses(session, [month], owing, None, today)
    return sum(1 for s in statuses if s.status is rules.ReportStatus.OVERDUE)


async def report_statuses(
    session: AsyncSession,
    months: list[str],
    departments: set[str],
    department: str | None,
    today: date,
) -> list[DepartmentReport]:
    firsts: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for month, dept, kind, first, count in await SupervisionRepository(session).nominations(
        months, department
    ):
        firsts[(month, dept)][kind] = first
        counts[(month, dept)][kind] = count
    everyone = set(departments) | {dept for _, dept in firsts}
    if department is not None:
        everyone = {department}
    found: list[DepartmentReport] = []
    for month in months:
        for dept in sorted(everyone):
            seen = firsts.get((month, dept), {})
            nomination = Nomination(
                trustworthiness_on=seen.get(TypicalCaseKind.TRUSTWORTHINESS.value),
                dishonesty_on=seen.get(TypicalCaseKind.DISHONESTY.value),
            )
            found.append(rules.report_status(dept, month, nomination, counts[(month, dept)], today))
    return found


# --- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    as_of: date
    generated_at: datetime
    department: str | None
    departments: dict[str, Figures]
    total: Figures
    truncated: bool
    typical_cases: list[TypicalCaseRow]
    statuses: list[DepartmentReport] = field(default_factory=list)


def _day(value: object) -> date | None:
    if value is None:
        return None
    return china_date(datetime.fromisoformat(str(value)))


def order_facts(payload: dict[str, object]) -> OrderFacts:
    """A report's view of one `SanctionOrderStatus` as kept in `order_statuses.payload`."""
    measures = payload.get("measures") or []
    assert isinstance(measures, list)
    issued = _day(payload["issued_at"])
    assert issued is not None
    return OrderFacts(
        department=str(payload["department"]),
        state=OrderState(str(payload["state"])),
        issued_on=issued,
        receipt_due=date.fromisoformat(str(payload["receipt_due"])),
        feedback_due=date.fromisoformat(str(payload["feedback_due"])),
        received_on=_day(payload.get("received_at")),
        lifted_on=_day(payload.get("lifted_at")),
        outcomes=tuple(
            (
                None if m.get("outcome") is None else FeedbackOutcome(m["outcome"]),
                _day(m.get("executed_at")),
            )
            for m in measures
        ),
    )


async def build_report(
    session: AsyncSession,
    catalog: CatalogCopy,
    period: Period,
    *,
    department: str | None,
    today: date,
    now: datetime,
    max_departments: int,
) -> Report:
    """Every figure of the period, per department and in total, judged as of the end of the
    period or today (DOMAIN.md §5 step 5, §9)."""
    as_of = period.as_of(today)
    repo = SupervisionRepository(session)
    per: dict[str, Figures] = defaultdict(Figures)
    for dept, colour, list_type, count in await repo.entries_initiated(period, department):
        per[dept].add_entries(colour, list_type, count)
    async for payload in repo.order_payloads(period, department):
        order = order_facts(payload)
        if period.contains(order.issued_on):
            per[order.department].orders.add_order(order, as_of)
    for row in await repo.cases_for(period, department):
        facts = CaseFacts(
            kind=OverdueKind(row.kind),
            department=row.department,
            filed_on=row.filed_on,
            decision_due=row.decision_due,
            decided_on=row.decided_on,
        )
        per[row.department].cases[facts.kind].add_case(facts, period, as_of)
    for dept, level, count in await repo.reminder_counts(period, department):
        per[dept].add_reminders(ReminderLevel(level), count)
    months = period.months()
    owing: set[str] = set()
    for month in months:
        owing |= await owing_departments(
            session, catalog, min(rules.month_end(date.fromisoformat(f"{month}-01")), as_of)
        )
    if department is None:
        for dept in owing:
            per.setdefault(dept, Figures())
    else:
        per.setdefault(department, Figures())
    total = Figures()
    for figures in per.values():
        total.merge(figures)
    names = sorted(per)
    truncated = len(names) > max_departments
    shown = {name: per[name] for name in names[:max_departments]}
    statuses = await report_statuses(session, months, owing, department, today)
    selected = await repo.typical_cases(months, department=department, selected_only=True)
    return Report(
        period=period,
        as_of=as_of,
        generated_at=now,
        department=department,
        departments=shown,
        total=total,
        truncated=truncated,
        typical_cases=selected,
        statuses=statuses[: max_departments * len(months)],
    )
