"""Reads for the reminder sweep (docs/due-process.md, "Reminders and escalation"): the cases
and repair stages past their decision due day that may call for a reminder or an escalation
today, and the counts of the open ones for the gauges. Writes go through
`jrp_shared.reminders.record_new`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters import orm
from jrp_shared.reminders import PastDue, not_yet_settled
from jrp_shared.vocabulary import CaseKind, CaseState, OverdueKind, ReminderLevel, RepairState

FORWARD_STEP = 1
"""A repair's stage 1: the credit portal forwards it (the office runs the portal)."""
DECISION_STEP = 2
"""A repair's stage 2: the deciding department decides. (Stage 3, the push of the result, is
done in the decision's own transaction: never late.)"""


@dataclass(frozen=True)
class Source:
    """One kind of item: its rows late today, as columns named like `PastDue`'s fields."""

    kind: OverdueKind
    step: int
    key: Any
    due: Any
    late: Any
    columns: tuple[Any, ...]
    joins: Any


def sources(today: date, office: str) -> list[Source]:
    """Everything a department must still decide, late today (the due day itself is in time):
    objections (the provider), complaints (the office), appeals to the higher court (calendar
    days, 法释〔2017〕7号 第十二条), repairs waiting for the portal (the office) or for the
    deciding department (DOMAIN.md §7, §8, §11)."""
    c, a, r, e = orm.cases, orm.objection_appeals, orm.repairs, orm.entries
    objection = orm.cases.alias("objection")
    open_case = c.c.state == str(CaseState.OPEN)
    pending = r.c.state == str(RepairState.PENDING)

    def case(kind: CaseKind, department: Any) -> Source:
        return Source(
            kind=OverdueKind(str(kind)),
            step=1,
            key=c.c.case_id,
            due=c.c.decision_due,
            late=and_(open_case, c.c.kind == str(kind), c.c.decision_due < today),
            columns=(
                c.c.entry_id,
                c.c.subject_code,
                c.c.list_type,
                department.label("department"),
                c.c.due_provisional.label("due_provisional"),
            ),
            joins=c,
        )

    def repair(step: int, late: Any, due: Any, department: Any, provisional: Any) -> Source:
        return Source(
            kind=OverdueKind.REPAIR,
            step=step,
            key=r.c.repair_id,
            due=due,
            late=and_(pending, late, due < today),
            columns=(
                r.c.entry_id,
                r.c.subject_code,
                e.c.list_type,
                department.label("department"),
                provisional.label("due_provisional"),
            ),
            joins=r.join(e, e.c.entry_id == r.c.entry_id),
        )

    return [
        case(CaseKind.OBJECTION, c.c.provider),
        case(CaseKind.COMPLAINT, literal(office)),
        Source(
            kind=OverdueKind.OBJECTION_APPEAL,
            step=1,
            key=a.c.appeal_id,
            due=a.c.decision_due,
            late=and_(a.c.state == str(CaseState.OPEN), a.c.decision_due < today),
            columns=(
                objection.c.entry_id,
                objection.c.subject_code,
                objection.c.list_type,
                a.c.department.label("department"),
                literal(False).label("due_provisional"),
            ),
            joins=a.join(objection, objection.c.case_id == a.c.objection_id),
        ),
        repair(
            FORWARD_STEP,
            r.c.forwarded_at.is_(None),
            r.c.forward_due,
            literal(office),
            r.c.forward_due_provisional,
        ),
        repair(
            DECISION_STEP,
            r.c.forwarded_at.is_not(None),
            r.c.decision_due,
            r.c.department,
            r.c.due_provisional,
        ),
    ]


async def past_due(
    session: AsyncSession, source: Source, today: date, after: str, limit: int
) -> list[PastDue]:
    """Up to `limit` items of `source` late today, by id after `after`, leaving out those
    already escalated at their due day or reminded with the escalation day still to come."""
    settled = not_yet_settled(
        orm.reminders, source.kind, source.key, source.step, source.due, today
    )
    rows = await session.execute(
        select(source.key.label("item_id"), source.due.label("due"), *source.columns)
        .select_from(source.joins)
        .where(source.late, source.key > after, settled)
        .order_by(source.key)
        .limit(limit)
    )
    return [
        PastDue(
            kind=source.kind,
            item_id=row.item_id,
            step=source.step,
            entry_id=row.entry_id,
            subject_code=row.subject_code,
            list_type=row.list_type,
            department=row.department,
            due=row.due,
            due_provisional=bool(row.due_provisional),
        )
        for row in rows
    ]


async def open_count(session: AsyncSession, level: ReminderLevel, today: date, office: str) -> int:
    """Reminders (or escalations) sent whose item is still late at the same step and due day."""
    rem = orm.reminders
    still_late = []
    for source in sources(today, office):
        item = (
            select(literal(1))
            .select_from(source.joins)
            .where(source.late, source.key == rem.c.item_id, source.due == rem.c.due)
        )
        still_late.append(
            and_(rem.c.kind == str(source.kind), rem.c.step == source.step, exists(item))
        )
    count = await session.scalar(
        select(func.count()).select_from(rem).where(rem.c.level == str(level), or_(*still_late))
    )
    return int(count or 0)
