"""Reads for the reminder sweep (docs/loop.md, "Reminders and escalation"): the orders past
their receipt or feedback due day that may call for a reminder or an escalation today, and the
counts of the open ones for the gauges. Writes go through `jrp_shared.reminders.record_new`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.orders import OPEN_STATES
from jrp_shared.reminders import PastDue, not_yet_settled
from jrp_shared.vocabulary import OrderState, OverdueKind, ReminderLevel

_OPEN = [s.value for s in OPEN_STATES]


def _late(kind: OverdueKind, today: date) -> tuple[Any, Any]:
    """The order's due day of `kind`, and "late with it today" (`jrp_shared.overdue`): a
    suspended or lifted order is never late."""
    t = orm.sanction_orders
    if kind is OverdueKind.RECEIPT:
        return t.c.receipt_due, and_(t.c.state == OrderState.ISSUED.value, t.c.receipt_due < today)
    return t.c.feedback_due, and_(t.c.state.in_(_OPEN), t.c.feedback_due < today)


async def past_due(
    session: AsyncSession, kind: OverdueKind, today: date, after: str, limit: int
) -> list[PastDue]:
    """Up to `limit` orders late with `kind` today, by order id after `after`, leaving out
    those already escalated at their due day or reminded with the escalation day to come."""
    t = orm.sanction_orders
    due, late = _late(kind, today)
    rows = await session.execute(
        select(
            t.c.order_id,
            t.c.revision,
            t.c.entry_id,
            t.c.listed_subject_code,
            t.c.list_type,
            t.c.department,
            due.label("due"),
            t.c.deadlines_provisional,
        )
        .where(
            late,
            t.c.order_id > after,
            not_yet_settled(orm.reminders, kind, t.c.order_id, t.c.revision, due, today),
        )
        .order_by(t.c.order_id)
        .limit(limit)
    )
    return [
        PastDue(
            kind=kind,
            item_id=r.order_id,
            step=r.revision,
            entry_id=r.entry_id,
            subject_code=r.listed_subject_code,
            list_type=r.list_type,
            department=r.department,
            due=r.due,
            due_provisional=r.deadlines_provisional,
        )
        for r in rows
    ]


async def open_count(session: AsyncSession, level: ReminderLevel, today: date) -> int:
    """Reminders (or escalations) sent whose order is still late at the same revision and due
    day: what departments (or the office) still have to act on."""
    r, t = orm.reminders, orm.sanction_orders
    still_late = or_(
        *(
            and_(r.c.kind == str(kind), due == r.c.due, late)
            for kind in (OverdueKind.RECEIPT, OverdueKind.FEEDBACK)
            for due, late in (_late(kind, today),)
        )
    )
    order = select(t.c.order_id).where(
        t.c.order_id == r.c.item_id, t.c.revision == r.c.step, still_late
    )
    count = await session.scalar(
        select(func.count()).select_from(r).where(r.c.level == str(level), exists(order))
    )
    return int(count or 0)


async def overdue_counts(session: AsyncSession, today: date) -> dict[tuple[str, ...], int]:
    """Orders late with their receipt, and with their feedback, by implementing department:
    the gauge `jrp_orders_overdue{kind, department}` (DOMAIN.md §5; the same rule as the
    sweep). An order late with both counts in both."""
    t = orm.sanction_orders
    counts: dict[tuple[str, ...], int] = {}
    for kind in (OverdueKind.RECEIPT, OverdueKind.FEEDBACK):
        _, late = _late(kind, today)
        rows = await session.execute(
            select(t.c.department, func.count()).where(late).group_by(t.c.department)
        )
        for department, count in rows:
            counts[(str(kind), str(department))] = int(count)
    return counts
