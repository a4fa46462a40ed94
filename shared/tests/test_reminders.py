"""When a reminder and an escalation are due (jrp_shared.reminders; DOMAIN.md §5 step 5, §10):
from the first working day after the due day, escalated the list type's working days later, on
the working-day calendar across holidays, provisional where a year has no schedule yet."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.db import Database
from jrp_shared.events.payloads import EscalationRules, ListTypePublished, ReminderIssued
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.reminders import PastDue, reminder_id, reminders_due, reminders_table, sweep
from jrp_shared.vocabulary import OverdueKind, ReminderLevel

NOW = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def item(due: date, *, provisional: bool = False, step: int = 1) -> PastDue:
    return PastDue(
        kind=OverdueKind.FEEDBACK,
        item_id="order-1",
        step=step,
        entry_id="entry-1",
        subject_code="91350100M000100Y43",
        list_type="black.tax.major-violation",
        department="finance",
        due=due,
        due_provisional=provisional,
    )


def due_on(past: PastDue, today: date, after: int = 5) -> list[tuple[ReminderLevel, int]]:
    return [
        (r.event.level, r.event.overdue_working_days)
        for r in reminders_due(
            past,
            today=today,
            calendar=WorkingDayCalendar(),
            escalate_after_working_days=after,
            now=NOW,
        )
    ]


def test_nothing_on_the_due_day_a_reminder_after_it_an_escalation_after_the_period() -> None:
    thursday = item(date(2026, 11, 26))
    assert due_on(thursday, date(2026, 11, 26)) == []
    assert due_on(thursday, date(2026, 11, 27)) == [(ReminderLevel.REMINDER, 1)]
    # 5 working days after Thursday 11-26 is Thursday 12-03: still only the reminder that day
    assert due_on(thursday, date(2026, 12, 3)) == [(ReminderLevel.REMINDER, 5)]
    assert due_on(thursday, date(2026, 12, 4)) == [
        (ReminderLevel.REMINDER, 6),
        (ReminderLevel.ESCALATION, 6),
    ]
    # the list type's own period (3 working days: the court list, food and drugs)
    assert due_on(thursday, date(2026, 12, 2), after=3)[-1] == (ReminderLevel.ESCALATION, 4)


def test_a_weekend_after_the_due_day_waits_for_the_next_working_day() -> None:
    friday = item(date(2026, 11, 27))
    assert due_on(friday, date(2026, 11, 28)) == []
    assert due_on(friday, date(2026, 11, 29)) == []
    assert due_on(friday, date(2026, 11, 30)) == [(ReminderLevel.REMINDER, 1)]


def test_national_day_holidays_are_not_counted() -> None:
    """Due Wednesday 2026-09-30, the day before the National Day holidays (Oct 1-7, 2026's
    official schedule): no reminder during them; escalation 5 working days on, 10-13 (the
    adjusted working Saturday 10-10 counts)."""
    before_holidays = item(date(2026, 9, 30))
    for day in range(1, 8):
        assert due_on(before_holidays, date(2026, 10, day)) == []
    [first] = reminders_due(
        before_holidays,
        today=date(2026, 10, 8),
        calendar=WorkingDayCalendar(),
        escalate_after_working_days=5,
        now=NOW,
    )
    assert (first.event.overdue_working_days, first.event.escalation_due) == (1, date(2026, 10, 13))
    assert first.event.due_provisional is False
    assert due_on(before_holidays, date(2026, 10, 13))[-1][0] is ReminderLevel.REMINDER
    assert due_on(before_holidays, date(2026, 10, 14))[-1] == (ReminderLevel.ESCALATION, 6)


def test_an_escalation_day_in_a_year_without_schedule_is_provisional() -> None:
    """2027's official schedule is not out: the escalation day is counted from the statutory
    holidays (Jan 1) and the reminder says so (DOMAIN.md §10)."""
    late_december = item(date(2026, 12, 28))
    [reminder] = reminders_due(
        late_december,
        today=date(2026, 12, 29),
        calendar=WorkingDayCalendar(),
        escalate_after_working_days=5,
        now=NOW,
    )
    assert reminder.event.escalation_due == date(2027, 1, 5)
    assert reminder.event.due_provisional is True
    # a provisional due day stays provisional whatever the escalation day
    early = item(date(2026, 11, 26), provisional=True)
    [again] = reminders_due(
        early,
        today=date(2026, 11, 27),
        calendar=WorkingDayCalendar(),
        escalate_after_working_days=5,
        now=NOW,
    )
    assert again.event.due_provisional is True


def test_ids_are_one_per_item_step_level_and_due_day() -> None:
    due = date(2026, 11, 26)
    assert reminder_id(item(due), ReminderLevel.REMINDER) == reminder_id(
        item(due), ReminderLevel.REMINDER
    )
    others = {
        reminder_id(item(due), ReminderLevel.ESCALATION),
        reminder_id(item(due, step=2), ReminderLevel.REMINDER),
        reminder_id(item(due + timedelta(days=1)), ReminderLevel.REMINDER),
    }
    assert reminder_id(item(due), ReminderLevel.REMINDER) not in others
    assert len(others) == 3


# --- the sweep (jrp_shared.reminders.sweep), on SQLite -------------------------------------------

SWEEP_METADATA = MetaData()
SWEEP_TABLE = reminders_table(SWEEP_METADATA)
SWEEP_MESSAGING = messaging_tables(SWEEP_METADATA)


def late(item_id: str, list_type: str, kind: OverdueKind) -> PastDue:
    # due a Thursday: 4 working days late on Wednesday 11-25
    return replace(item(date(2026, 11, 19)), kind=kind, item_id=item_id, list_type=list_type)


async def test_the_sweep_pages_through_each_source_and_sends_each_reminder_once(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(SWEEP_METADATA.create_all)
    items = {
        OverdueKind.RECEIPT: [late(f"r{i}", "slow", OverdueKind.RECEIPT) for i in range(3)],
        OverdueKind.FEEDBACK: [late("f0", "fast", OverdueKind.FEEDBACK)],
    }
    pages: list[tuple[OverdueKind, str]] = []
    looked_up: list[str] = []

    async def read_page(
        _session: AsyncSession, kind: OverdueKind, _today: date, after: str, limit: int
    ) -> list[PastDue]:
        pages.append((kind, after))
        return [i for i in items[kind] if i.item_id > after][:limit]

    async def list_type_of(_uow: UnitOfWork, code: str, _on: date) -> ListTypePublished | None:
        looked_up.append(code)
        if code == "slow":
            return None  # not in the copy: the catalog's default period, 5 working days
        # Only its escalation rules matter to the sweep.
        rules: dict[str, Any] = {"escalation": EscalationRules(escalate_after_working_days=3)}
        return ListTypePublished.model_construct(**rules)

    async def run() -> list[ReminderIssued]:
        return await sweep(
            lambda: UnitOfWork(db, SWEEP_MESSAGING, source="/jrp/test"),
            SWEEP_TABLE,
            list(items),
            read_page,
            list_type_of,
            today=date(2026, 11, 25),
            now=NOW,
            calendar=WorkingDayCalendar(),
            batch=2,
        )

    sent = await run()
    # Pages of 2, by item id: r0 r1, then r2; then the one feedback item.
    assert pages == [
        (OverdueKind.RECEIPT, ""),
        (OverdueKind.RECEIPT, "r1"),
        (OverdueKind.FEEDBACK, ""),
    ]
    assert looked_up == ["slow", "fast"]  # once per list type and sweep
    # 4 working days late: escalated on the list type's 3, only reminded on the default 5.
    assert sorted((r.item_id, r.level) for r in sent) == [
        ("f0", ReminderLevel.ESCALATION),
        ("f0", ReminderLevel.REMINDER),
        ("r0", ReminderLevel.REMINDER),
        ("r1", ReminderLevel.REMINDER),
        ("r2", ReminderLevel.REMINDER),
    ]
    async with db.sessions() as session:
        outbox = await session.scalar(select(func.count()).select_from(SWEEP_MESSAGING.outbox))
    assert outbox == len(sent)  # emitted in the units of work that stored them
    # A second sweep (another replica, or the next run) sends nothing again.
    assert await run() == []
    await db.dispose()
