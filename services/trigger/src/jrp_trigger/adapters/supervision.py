"""The supervision tables: due-process facts, the reminders inbox, typical cases; and the reads a
report makes of them and of `list_entries` and `order_statuses` (one statement per table).

Nothing here commits: the consumer commits with its inbox row, a route with its unit of work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import ReminderIssued
from jrp_shared.vocabulary import OrderState, OverdueKind
from jrp_trigger.adapters import orm
from jrp_trigger.domain.supervision import Period, TypicalCaseKind

_ORDER_BATCH = 1_000


def china_midnight(day: date) -> datetime:
    """The instant a China date begins."""
    return datetime.combine(day, time(), CHINA)


@dataclass(frozen=True)
class CaseRow:
    kind: OverdueKind
    case_id: str
    entry_id: str
    department: str
    list_type: str
    filed_at: datetime
    filed_on: date
    decision_due: date
    due_provisional: bool
    decided_at: datetime | None
    decided_on: date | None
    outcome: str | None


@dataclass(frozen=True)
class TypicalCaseRow:
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
    nominated_by_officer: str | None = None
    """The officers who nominated, withdrew and selected it, when they signed in as officers
    (docs/security.md, "Officers")."""
    withdrawn_by_officer: str | None = None
    selected_by_officer: str | None = None


def _typical(row: Any) -> TypicalCaseRow:
    return TypicalCaseRow(
        case_id=row.case_id,
        month=row.month,
        department=row.department,
        kind=TypicalCaseKind(row.kind),
        title=row.title,
        summary=row.summary,
        subject_code=row.subject_code,
        entry_id=row.entry_id,
        nominated_at=row.nominated_at,
        withdrawn_at=row.withdrawn_at,
        selected_at=row.selected_at,
        selected_by=row.selected_by,
        nominated_by_officer=row.nominated_by_officer,
        withdrawn_by_officer=row.withdrawn_by_officer,
        selected_by_officer=row.selected_by_officer,
    )


class SupervisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    # --- due-process facts (appeals.v1) ---

    async def case_known(self, kind: OverdueKind, case_id: str) -> bool:
        t = orm.supervision_cases
        found = await self._s.scalar(
            select(t.c.case_id).where(t.c.kind == kind.value, t.c.case_id == case_id)
        )
        return found is not None

    async def add_case(self, row: CaseRow) -> None:
        await self._s.execute(
            insert(orm.supervision_cases).values(
                kind=row.kind.value,
                case_id=row.case_id,
                entry_id=row.entry_id,
                department=row.department,
                list_type=row.list_type,
                filed_at=row.filed_at,
                filed_on=row.filed_on,
                decision_due=row.decision_due,
                due_provisional=row.due_provisional,
                decided_at=row.decided_at,
                decided_on=row.decided_on,
                outcome=row.outcome,
            )
        )

    async def decide_case(
        self, kind: OverdueKind, case_id: str, decided_at: datetime, decided_on: date, outcome: str
    ) -> bool:
        """The first decision of a known case; a repeated one changes nothing."""
        t = orm.supervision_cases
        result = await self._s.execute(
            update(t)
            .where(t.c.kind == kind.value, t.c.case_id == case_id, t.c.decided_at.is_(None))
            .values(decided_at=decided_at, decided_on=decided_on, outcome=outcome)
        )
        return bool(getattr(result, "rowcount", 0))

    async def list_type_of_entry(self, entry_id: str) -> str:
        t = orm.list_entries
        found = await self._s.scalar(select(t.c.list_type).where(t.c.entry_id == entry_id))
        return found or ""

    # --- reminders inbox (supervision.v1) ---

    async def add_reminder(self, reminder: ReminderIssued, issued_on: date) -> bool:
        """Store a reminder once (its `reminder_id` is stable across redeliveries)."""
        t = orm.supervision_reminders
        if await self._s.scalar(
            select(t.c.reminder_id).where(t.c.reminder_id == reminder.reminder_id)
        ):
            return False
        await self._s.execute(
            insert(t).values(
                reminder_id=reminder.reminder_id,
                level=reminder.level.value,
                kind=reminder.kind.value,
                item_id=reminder.item_id,
                entry_id=reminder.entry_id,
                subject_code=reminder.subject_code,
                list_type=reminder.list_type,
                department=reminder.department,
                due=reminder.due,
                due_provisional=reminder.due_provisional,
                overdue_working_days=reminder.overdue_working_days,
                escalation_due=reminder.escalation_due,
                issued_at=reminder.issued_at,
                issued_on=issued_on,
            )
        )
        return True

    async def reminders(
        self,
        *,
        department: str | None,
        level: str | None,
        kind: str | None,
        open_only: bool,
        limit: int,
        offset: int,
    ) -> list[tuple[Any, bool]]:
        """Reminders newest first, each with whether its item is still not done: an order
        still waiting for receipt or feedback, a case or repair still undecided."""
        r, o, c = orm.supervision_reminders, orm.order_statuses, orm.supervision_cases
        receipt_open = r.c.kind == OverdueKind.RECEIPT.value
        order_done = and_(
            o.c.order_id.is_not(None),
            or_(
                and_(receipt_open, o.c.state != OrderState.ISSUED.value),
                and_(
                    r.c.kind == OverdueKind.FEEDBACK.value,
                    o.c.state.not_in([OrderState.ISSUED.value, OrderState.RECEIVED.value]),
                ),
            ),
        )
        case_done = c.c.decided_at.is_not(None)
        is_open = ~or_(order_done, case_done)
        query = (
            select(r, is_open.label("open"))
            .outerjoin(
                o,
                and_(
                    o.c.order_id == r.c.item_id,
                    r.c.kind.in_([OverdueKind.RECEIPT.value, OverdueKind.FEEDBACK.value]),
                ),
            )
            .outerjoin(c, and_(c.c.kind == r.c.kind, c.c.case_id == r.c.item_id))
        )
        if department is not None:
            query = query.where(r.c.department == department)
        if level is not None:
            query = query.where(r.c.level == level)
        if kind is not None:
            query = query.where(r.c.kind == kind)
        if open_only:
            query = query.where(is_open)
        query = query.order_by(r.c.issued_at.desc(), r.c.reminder_id).limit(limit).offset(offset)
        rows = (await self._s.execute(query)).all()
        return [(row, bool(row.open)) for row in rows]

    # --- typical cases ---

    async def add_typical_case(self, values: dict[str, Any]) -> None:
        await self._s.execute(insert(orm.typical_cases).values(**values))

    async def typical_case(
        self, case_id: str, *, for_update: bool = False
    ) -> TypicalCaseRow | None:
        t = orm.typical_cases
        query = select(t).where(t.c.case_id == case_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _typical(row)

    async def typical_cases(
        self,
        months: Sequence[str],
        *,
        department: str | None = None,
        selected_only: bool = False,
        include_withdrawn: bool = False,
        limit: int = 500,
        offset: int = 0,
    ) -> list[TypicalCaseRow]:
        t = orm.typical_cases
        query = select(t).where(t.c.month.in_(list(months)))
        if department is not None:
            query = query.where(t.c.department == department)
        if selected_only:
            query = query.where(t.c.selected_at.is_not(None))
        if not include_withdrawn:
            query = query.where(t.c.withdrawn_at.is_(None))
        query = query.order_by(t.c.month, t.c.department, t.c.nominated_at, t.c.case_id)
        rows = (await self._s.execute(query.limit(limit).offset(offset))).all()
        return [_typical(r) for r in rows]

    async def withdraw_typical_case(
        self, case_id: str, at: datetime, officer: str | None = None
    ) -> None:
        t = orm.typical_cases
        await self._s.execute(
            update(t)
            .where(t.c.case_id == case_id)
            .values(withdrawn_at=at, withdrawn_by_officer=officer)
        )

    async def select_typical_case(
        self, case_id: str, by: str, at: datetime, officer: str | None = None
    ) -> None:
        t = orm.typical_cases
        await self._s.execute(
            update(t)
            .where(t.c.case_id == case_id, t.c.selected_at.is_(None))
            .values(selected_at=at, selected_by=by, selected_by_officer=officer)
        )

    async def nominations(
        self, months: Sequence[str], department: str | None
    ) -> list[tuple[str, str, str, date, int]]:
        """(month, department, kind, first nominated on, how many) of cases not withdrawn."""
        t = orm.typical_cases
        query = (
            select(t.c.month, t.c.department, t.c.kind, func.min(t.c.nominated_on), func.count())
            .where(t.c.month.in_(list(months)), t.c.withdrawn_at.is_(None))
            .group_by(t.c.month, t.c.department, t.c.kind)
        )
        if department is not None:
            query = query.where(t.c.department == department)
        rows = (await self._s.execute(query)).all()
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    # --- the report's reads ---

    async def entries_initiated(
        self, period: Period, department: str | None
    ) -> list[tuple[str, str, str, int]]:
        """(department, colour, list type, count) of entries posted in the period (China)."""
        t = orm.list_entries
        query = (
            select(t.c.department, t.c.colour, t.c.list_type, func.count())
            .where(
                t.c.created_at >= china_midnight(period.start),
                t.c.created_at < china_midnight(period.end + timedelta(days=1)),
            )
            .group_by(t.c.department, t.c.colour, t.c.list_type)
        )
        if department is not None:
            query = query.where(t.c.department == department)
        rows = (await self._s.execute(query)).all()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def order_payloads(
        self, period: Period, department: str | None
    ) -> AsyncIterator[dict[str, Any]]:
        """The latest status of orders that may have been issued in the period (recorded since
        it began; the caller checks `issued_at`), read in batches."""
        t = orm.order_statuses
        query = select(t.c.payload).where(
            t.c.updated_at >= china_midnight(period.start) - timedelta(days=1)
        )
        if department is not None:
            query = query.where(t.c.department == department)
        result = await self._s.stream(query.execution_options(yield_per=_ORDER_BATCH))
        async for payload in result.scalars():
            yield dict(payload)

    async def cases_for(self, period: Period, department: str | None) -> list[Any]:
        """Cases filed by the end of the period that were filed or decided in it, or are still
        undecided (they may be overdue)."""
        t = orm.supervision_cases
        query = select(
            t.c.kind, t.c.department, t.c.filed_on, t.c.decision_due, t.c.decided_on
        ).where(
            t.c.filed_on <= period.end,
            or_(
                t.c.filed_on >= period.start,
                t.c.decided_on.is_(None),
                t.c.decided_on >= period.start,
            ),
        )
        if department is not None:
            query = query.where(t.c.department == department)
        return list((await self._s.execute(query)).all())

    async def reminder_counts(
        self, period: Period, department: str | None
    ) -> list[tuple[str, str, int]]:
        t = orm.supervision_reminders
        query = (
            select(t.c.department, t.c.level, func.count())
            .where(t.c.issued_on >= period.start, t.c.issued_on <= period.end)
            .group_by(t.c.department, t.c.level)
        )
        if department is not None:
            query = query.where(t.c.department == department)
        rows = (await self._s.execute(query)).all()
        return [(r[0], r[1], int(r[2])) for r in rows]
