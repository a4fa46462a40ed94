"""Reminders and escalation of cases and repair stages past their decision due day, on a real
PostgreSQL database (DOMAIN.md §5 step 5, §7, §11; docs/due-process.md): the department that
must decide is reminded once on the first working day after the due day, escalated once after
the list type's period; never twice (a second sweep, two replicas at once); nothing once
decided."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from jrp_appeals.adapters import reminders as reminder_reads
from jrp_appeals.service_layer.reminders import send_reminders
from jrp_appeals.testing import (
    COURT_LIST,
    ENTERPRISE,
    PERSON,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
    repair_body,
)
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    ListTypePublished,
    ObjectionReview,
    Period,
    ReminderIssued,
)
from jrp_shared.vocabulary import OverdueKind, ReminderLevel

pytestmark = pytest.mark.integration

REMINDED = "cn.jrp.supervision.reminder.issued.v1"
OFFICE = "credit-office"


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


def calendar(appeals: AppealsUnderTest) -> WorkingDayCalendar:
    return appeals.appeals.copies.calendar.calendar


def next_working_day(appeals: AppealsUnderTest, day: date) -> date:
    return calendar(appeals).add_working_days(day, 1).due


async def sweep(appeals: AppealsUnderTest, at: datetime) -> list[ReminderIssued]:
    appeals.set_time(at)
    return await send_reminders(appeals.appeals.runtime.uow, appeals.appeals.context())


async def test_a_late_objection_reminds_the_provider_once_then_escalates_once(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry()
    filed = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    assert filed.status_code == 201, filed.text
    objection_id = filed.json()["objection_id"]
    due = date.fromisoformat(filed.json()["decision_due"])  # 20 working days
    escalation = calendar(appeals).add_working_days(due, 5)  # the tax list's default period

    assert await sweep(appeals, beijing(due, 23)) == []
    [reminder] = await sweep(appeals, beijing(next_working_day(appeals, due)))
    assert (reminder.level, reminder.kind, reminder.item_id) == (
        ReminderLevel.REMINDER,
        OverdueKind.OBJECTION,
        objection_id,
    )
    assert (reminder.department, reminder.due, reminder.overdue_working_days) == ("tax", due, 1)
    assert reminder.escalation_due == escalation.due
    assert reminder.due_provisional is (filed.json()["due_provisional"] or escalation.provisional)
    assert (reminder.subject_code, reminder.entry_id) == (ENTERPRISE, "entry-1")
    assert await sweep(appeals, beijing(next_working_day(appeals, due), 18)) == []
    assert await sweep(appeals, beijing(escalation.due)) == []

    appeals.set_time(beijing(next_working_day(appeals, escalation.due)))
    context = appeals.appeals.context()
    both = await asyncio.gather(
        send_reminders(appeals.appeals.runtime.uow, context),
        send_reminders(appeals.appeals.runtime.uow, context),
    )
    [escalated] = [r for sent in both for r in sent]
    assert (escalated.level, escalated.item_id, escalated.department) == (
        ReminderLevel.ESCALATION,
        objection_id,
        "tax",
    )
    async with appeals.appeals.runtime.db.sessions() as session:
        today = appeals.appeals.today()
        assert await reminder_reads.open_count(session, ReminderLevel.ESCALATION, today, OFFICE)
        assert await reminder_reads.open_count(session, ReminderLevel.REMINDER, today, OFFICE) == 1

    # Decided (late): nothing more for it; the complaint that follows is the office's.
    decided = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("tax"),
        outcome="information_right",
        reasons="经核查维持",
    )
    assert decided.status_code == 200, decided.text
    async with appeals.appeals.runtime.db.sessions() as session:
        today = appeals.appeals.today()
        assert await reminder_reads.open_count(session, ReminderLevel.REMINDER, today, OFFICE) == 0
    complained = await appeals.client.post(
        f"/v1/objections/{objection_id}/complaint",
        json={"grounds": "异议答复未说明依据", "evidence_references": ["申辩书-002"]},
        headers=appeals.as_subject(ENTERPRISE),
    )
    assert complained.status_code == 201, complained.text
    complaint_due = date.fromisoformat(complained.json()["decision_due"])
    [to_office] = await sweep(appeals, beijing(next_working_day(appeals, complaint_due)))
    assert (to_office.kind, to_office.department, to_office.item_id) == (
        OverdueKind.COMPLAINT,
        OFFICE,
        complained.json()["complaint_id"],
    )

    emitted = await appeals.emitted(REMINDED)
    assert [(b["kind"], b["level"]) for _, _, b in emitted] == [
        ("objection", "reminder"),
        ("objection", "escalation"),
        ("complaint", "reminder"),
    ]
    assert {(topic, key) for topic, key, _ in emitted} == {(topics.SUPERVISION, ENTERPRISE)}
    assert await appeals.count("reminders") == 3


async def test_each_late_repair_stage_reminds_who_must_act(appeals: AppealsUnderTest) -> None:
    """Stage 1 the credit portal's forwarding (the office runs it), stage 2 the deciding
    department's decision (DOMAIN.md §11)."""
    today = appeals.appeals.today()
    period = Period(start=today - timedelta(days=400), end=today + timedelta(days=300))
    await appeals.list_entry(entry_in_force(period=period))
    applied = await appeals.client.post(
        "/v1/repairs", json=repair_body("entry-1"), headers=appeals.as_subject(ENTERPRISE)
    )
    assert applied.status_code == 201, applied.text
    repair_id = applied.json()["repair_id"]
    forward_due = date.fromisoformat(applied.json()["forward_due"])

    [portal] = await sweep(appeals, beijing(next_working_day(appeals, forward_due)))
    assert (portal.kind, portal.item_id, portal.department, portal.due) == (
        OverdueKind.REPAIR,
        repair_id,
        OFFICE,
        forward_due,
    )
    forwarded = await appeals.forward(repair_id)
    assert forwarded.status_code == 200, forwarded.text
    decision_due = date.fromisoformat(forwarded.json()["decision_due"])
    assert await sweep(appeals, beijing(decision_due)) == []
    [authority] = await sweep(appeals, beijing(next_working_day(appeals, decision_due)))
    assert (authority.kind, authority.item_id, authority.department, authority.due) == (
        OverdueKind.REPAIR,
        repair_id,
        "tax",
        decision_due,
    )
    assert authority.level is ReminderLevel.REMINDER


async def test_a_late_objection_appeal_reminds_the_higher_court(
    appeals: AppealsUnderTest, list_types: list[ListTypePublished]
) -> None:
    """The court list's appeal is due in calendar days (法释〔2017〕7号 第十二条); it is reminded
    to the higher court, and escalated after the court list's own 3 working days."""
    [seed] = [t for t in list_types if t.code == COURT_LIST]
    review = ObjectionReview(
        review_days=15,
        correction_working_days=3,
        appeal_window_days=10,
        appeal_decision_days=15,
        appeal_department="high-court",
    )
    await appeals.seed_catalog([seed.model_copy(update={"version": 2, "objection_review": review})])
    await appeals.list_entry(court_entry(list_type_version=2))
    filed = await appeals.object_to("court-1", appeals.as_subject(PERSON), grounds="已全部履行")
    objection_id = filed.json()["objection_id"]
    decided = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("court"),
        outcome="information_right",
        reasons="无误",
    )
    assert decided.status_code == 200, decided.text
    appealed = await appeals.client.post(
        f"/v1/objections/{objection_id}/appeal",
        json={"grounds": "不服驳回决定", "evidence_references": ["还款凭证"]},
        headers=appeals.as_subject(PERSON),
    )
    assert appealed.status_code == 201, appealed.text
    appeal = appealed.json()["review"]["appeal"]
    due = date.fromisoformat(appeal["decision_due"]["due"])
    escalation = calendar(appeals).add_working_days(due, 3)

    assert await sweep(appeals, beijing(due)) == []
    [reminder] = await sweep(appeals, beijing(next_working_day(appeals, due)))
    assert (reminder.kind, reminder.department, reminder.list_type) == (
        OverdueKind.OBJECTION_APPEAL,
        "high-court",
        COURT_LIST,
    )
    assert (reminder.entry_id, reminder.subject_code) == ("court-1", PERSON)
    assert reminder.escalation_due == escalation.due
    [escalated] = await sweep(appeals, beijing(next_working_day(appeals, escalation.due)))
    assert (escalated.level, escalated.item_id) == (ReminderLevel.ESCALATION, reminder.item_id)
