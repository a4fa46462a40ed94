"""Reminders and escalation for what is past its working-day deadline (DOMAIN.md §5 step 5:
"monitoring reports and statistics track who has responded", 002 二(二)1, 000 (二十七)).

One rule, used by enforcement (an order's receipt or feedback) and by appeals (an objection's,
a complaint's, an objection appeal's or a repair stage's decision), judged against today in
China on the receiver's clock:

- **reminder**: on the first working day after the due day (the due day itself is still in
  time, `jrp_shared.overdue`), the department that must act is reminded; the reminder says when
  it will be escalated: `escalation_due` = the due day + the list type's
  `escalation.escalate_after_working_days` working days, on the calendar copy (DOMAIN.md §10);
- **escalation**: still not done after `escalation_due`, the joint conference office is told —
  the same event with level `escalation`, still naming the department that must act.

Each is sent once per item, step (an order's revision, a repair's stage), kind, level and due
day: the `reminders` table (one per service, made here so the two stay in step) has that as its
unique key and is written in the unit of work that emits the event, so two replicas sweeping
at once, or one sweeping twice, send nothing twice. A new due day (a re-issued order, deadlines
recomputed once a year's official schedule is out) is a new item to remind. Every date computed
on a year without an official schedule (statutory holidays only) makes the reminder
`due_provisional` (DOMAIN.md §10).

The sweep itself (`sweep`: page through what is late, find each list type's escalation period,
store and emit what is new, one unit of work per page) is here too; a service gives it its
page reader and its list-type lookup.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.db import UtcDateTime
from jrp_shared.events.payloads import EscalationRules, ListTypePublished, ReminderIssued
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import OverdueKind, ReminderLevel

log = get_logger(__name__)

S = TypeVar("S")

_NAMESPACE = uuid.UUID("6f1d8f7e-1c4e-4f57-9a51-0c3b7d2e5a15")


@dataclass(frozen=True)
class PastDue:
    """Something a department must do by `due`, not done (yet): what a sweep found."""

    kind: OverdueKind
    item_id: str
    step: int
    """The order's revision, the repair's stage (1 forward, 2 decision); 1 otherwise."""
    entry_id: str
    subject_code: str
    list_type: str
    department: str
    """The department that must act (a complaint's and the credit portal's: the office)."""
    due: date
    due_provisional: bool


@dataclass(frozen=True)
class Reminder:
    """A reminder or escalation `item` calls for, as it would be sent."""

    item: PastDue
    event: ReminderIssued


def reminder_id(item: PastDue, level: ReminderLevel) -> str:
    """One id per item, step, kind, level and due day: the same on every replica and sweep."""
    key = f"{item.kind}|{item.item_id}|{item.step}|{level}|{item.due.isoformat()}"
    return str(uuid.uuid5(_NAMESPACE, key))


def reminders_due(
    item: PastDue,
    *,
    today: date,
    calendar: WorkingDayCalendar,
    escalate_after_working_days: int,
    now: datetime,
) -> list[Reminder]:
    """The reminder and escalation `item` calls for today (none, the reminder, or both when the
    escalation day has passed too); the caller sends only those not sent before."""
    late = calendar.working_days_between(item.due, today)
    if late.days < 1:
        return []
    escalation = calendar.add_working_days(item.due, escalate_after_working_days)
    provisional = item.due_provisional or late.provisional or escalation.provisional
    common: dict[str, Any] = {
        "kind": item.kind,
        "item_id": item.item_id,
        "entry_id": item.entry_id,
        "subject_code": item.subject_code,
        "list_type": item.list_type,
        "department": item.department,
        "due": item.due,
        "due_provisional": provisional,
        "overdue_working_days": late.days,
        "issued_at": now,
    }
    reminder = ReminderIssued(
        reminder_id=reminder_id(item, ReminderLevel.REMINDER),
        level=ReminderLevel.REMINDER,
        escalation_due=escalation.due,
        **common,
    )
    due = [Reminder(item, reminder)]
    if today > escalation.due:
        escalated = ReminderIssued(
            reminder_id=reminder_id(item, ReminderLevel.ESCALATION),
            level=ReminderLevel.ESCALATION,
            escalation_due=None,
            **common,
        )
        due.append(Reminder(item, escalated))
    return due


def reminders_table(metadata: MetaData) -> Table:
    """What a service has sent: one row per reminder or escalation, written with its event."""
    table = Table(
        "reminders",
        metadata,
        Column("reminder_id", String(36), primary_key=True),
        Column("item_id", String(64), nullable=False, comment="order, case, appeal or repair"),
        Column("step", Integer, nullable=False, comment="order revision, repair stage, else 1"),
        Column("kind", String(24), nullable=False, comment="OverdueKind"),
        Column("level", String(16), nullable=False, comment="ReminderLevel"),
        Column("due", Date, nullable=False),
        Column("due_provisional", Boolean, nullable=False),
        Column("escalation_due", Date, comment="a reminder's: escalated after this day"),
        Column("overdue_working_days", Integer, nullable=False),
        Column("department", String(32), nullable=False, comment="the department that must act"),
        Column("entry_id", String(64), nullable=False),
        Column("subject_code", String(18), nullable=False),
        Column("list_type", String(100), nullable=False),
        Column("issued_at", UtcDateTime(), nullable=False),
        UniqueConstraint("item_id", "step", "kind", "level", "due", name="reminders_once"),
    )
    Index("reminders_department_level", table.c.department, table.c.level)
    return table


def not_yet_settled(
    table: Table, kind: OverdueKind, item_id: Any, step: Any, due: Any, today: date
) -> Any:
    """SQL: an overdue item still calls for a look — neither escalated at this due day nor
    reminded with an escalation day still to come (keeps a sweep's reads to the few that may
    need something today)."""
    r = table
    settled = (
        select(r.c.reminder_id)
        .where(
            r.c.item_id == item_id,
            r.c.step == step,
            r.c.kind == str(kind),
            r.c.due == due,
            or_(
                r.c.level == str(ReminderLevel.ESCALATION),
                and_(r.c.level == str(ReminderLevel.REMINDER), r.c.escalation_due >= today),
            ),
        )
        .correlate_except(r)
    )
    return ~exists(settled)


async def record_new(
    session: AsyncSession, table: Table, reminders: Sequence[Reminder]
) -> list[ReminderIssued]:
    """Store the reminders in the session's transaction and return those not stored before
    (another sweep or replica may have sent the rest): only these are to be emitted. One
    INSERT … ON CONFLICT DO NOTHING; a concurrent transaction inserting the same row waits for
    the first to commit and then inserts nothing."""
    if not reminders:
        return []
    rows = [
        {
            "reminder_id": r.reminder_id,
            "item_id": r.item_id,
            "step": step,
            "kind": str(r.kind),
            "level": str(r.level),
            "due": r.due,
            "due_provisional": r.due_provisional,
            "escalation_due": r.escalation_due,
            "overdue_working_days": r.overdue_working_days,
            "department": r.department,
            "entry_id": r.entry_id,
            "subject_code": r.subject_code,
            "list_type": r.list_type,
            "issued_at": r.issued_at,
        }
        for step, r in ((due.item.step, due.event) for due in reminders)
    ]
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(rows).on_conflict_do_nothing().returning(table.c.reminder_id)
    stored = set(await session.scalars(statement))
    return [due.event for due in reminders if due.event.reminder_id in stored]


PageReader = Callable[[AsyncSession, S, date, str, int], Awaitable[Sequence[PastDue]]]
"""`(session, source, today, after, limit)`: up to `limit` items of `source` late `today`, by
`item_id` after `after` (the page's cursor), leaving out those `not_yet_settled` says need
nothing."""

ListTypeLookup = Callable[[UnitOfWork, str, date], Awaitable[ListTypePublished | None]]
"""`(uow, code, on)`: the list type in force on `on` in the service's catalog copy."""


async def sweep(
    new_uow: Callable[[], UnitOfWork],
    table: Table,
    sources: Iterable[S],
    read_page: PageReader[S],
    list_type_of: ListTypeLookup,
    *,
    today: date,
    now: datetime,
    calendar: WorkingDayCalendar,
    batch: int = 200,
) -> list[ReminderIssued]:
    """One sweep at `today` (China, the service's clock) over each of `sources`, page by page:
    each late item's reminder and escalation (`reminders_due`, with its list type's
    `escalation.escalate_after_working_days`, the catalog's default when the copy has no such
    list type), stored in `table` and emitted in the page's unit of work when not sent before
    (`record_new`). Commits per page; returns what this sweep sent (another replica's sweep
    may have sent the rest)."""
    sent: list[ReminderIssued] = []
    periods: dict[str, int] = {}
    for source in sources:
        after = ""
        while True:
            async with new_uow() as uow:
                page = await read_page(uow.session, source, today, after, batch)
                due: list[Reminder] = []
                for item in page:
                    if item.list_type not in periods:
                        list_type = await list_type_of(uow, item.list_type, today)
                        rules = list_type.escalation if list_type else EscalationRules()
                        periods[item.list_type] = rules.escalate_after_working_days
                    due += reminders_due(
                        item,
                        today=today,
                        calendar=calendar,
                        escalate_after_working_days=periods[item.list_type],
                        now=now,
                    )
                new = await record_new(uow.session, table, due)
                for reminder in new:
                    uow.emit(reminder)
                await uow.commit()
            sent += new
            if len(page) < batch:
                break
            after = page[-1].item_id
    if sent:
        log.info("reminders sent", count=len(sent))
    return sent
