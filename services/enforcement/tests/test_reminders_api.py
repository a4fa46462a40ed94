"""Reminders and escalation of orders past their receipt or feedback due day, on a real
PostgreSQL database (DOMAIN.md §5 step 5, 000 (二十七); docs/loop.md): one reminder per late
order, one escalation after the list type's period, never twice (a second sweep, two sweeps at
once), nothing for what is done or suspended, and every reminder forwarded to the department's
sanction topic once."""

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters import reminders as reminder_reads
from jrp_enforcement.service_layer.entries import take_entry_in_force, take_entry_suspended
from jrp_enforcement.service_layer.reminders import send_reminders
from jrp_enforcement.testing import ENTERPRISE, EnforcementUnderTest, entry_in_force
from jrp_shared.events import topics
from jrp_shared.events.payloads import ListEntryInForce, ListEntrySuspended, ReminderIssued
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import CaseKind, OverdueKind, ReminderLevel

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
REMINDED = "cn.jrp.supervision.reminder.issued.v1"
FORWARDED = "cn.jrp.enforcement.department.reminded.v1"


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


async def take(service: EnforcementUnderTest, entry: ListEntryInForce) -> None:
    async with service.runtime.uow() as uow:
        await take_entry_in_force(uow, service.orders, entry)
        await uow.commit()


async def orders(service: EnforcementUnderTest) -> list[dict[str, Any]]:
    r = await service.client.get("/v1/sanction-orders", headers=service.as_office())
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


async def sweep(service: EnforcementUnderTest, at: datetime) -> list[ReminderIssued]:
    service.set_time(at)
    return await send_reminders(service.runtime.uow, service.orders)


async def stored(service: EnforcementUnderTest) -> int:
    async with service.runtime.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(orm.reminders)) or 0)


async def test_a_late_receipt_is_reminded_once_then_escalated_once(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    issued = await orders(enforcement)
    assert {o["receipt_due"] for o in issued} == {"2026-11-26"}  # 3 working days (Thursday)
    finance = next(o for o in issued if o["department"] == "finance")
    market = next(o for o in issued if o["department"] == "market")
    await enforcement.client.post(
        f"/v1/sanction-orders/{finance['order_id']}/receipt",
        headers=enforcement.as_department("finance"),
    )
    codes = [m["code"] for m in market["issued"]["measures"]]
    fed_back = await enforcement.client.post(
        f"/v1/sanction-orders/{market['order_id']}/feedback",
        json={
            "measures": [
                {"measure": c, "outcome": "applied", "executed_at": NOW.isoformat()} for c in codes
            ]
        },
        headers=enforcement.as_department("market"),
    )
    assert fed_back.status_code == 200, fed_back.text
    late = {o["order_id"] for o in issued} - {finance["order_id"], market["order_id"]}
    assert late

    assert await sweep(enforcement, beijing(date(2026, 11, 26), 23)) == []  # the due day itself
    reminders = await sweep(enforcement, beijing(date(2026, 11, 27)))  # Friday
    assert {r.item_id for r in reminders} == late
    for r in reminders:
        assert (r.level, r.kind) == (ReminderLevel.REMINDER, OverdueKind.RECEIPT)
        assert (r.due, r.overdue_working_days, r.due_provisional) == (date(2026, 11, 26), 1, False)
        # the tax list's default: escalated 5 working days after the due day (Thursday 12-03)
        assert r.escalation_due == date(2026, 12, 3)
        assert r.subject_code == ENTERPRISE and r.entry_id == "entry-1"
    assert await sweep(enforcement, beijing(date(2026, 11, 27), 18)) == []  # a second sweep
    assert await sweep(enforcement, beijing(date(2026, 12, 3))) == []  # escalation day: in time

    # Two replicas sweeping at once send each escalation once.
    enforcement.set_time(beijing(date(2026, 12, 4)))
    both = await asyncio.gather(
        send_reminders(enforcement.runtime.uow, enforcement.orders),
        send_reminders(enforcement.runtime.uow, enforcement.orders),
    )
    escalations = [r for sent in both for r in sent]
    assert sorted(r.item_id for r in escalations) == sorted(late)
    assert {(r.level, r.kind, r.escalation_due) for r in escalations} == {
        (ReminderLevel.ESCALATION, OverdueKind.RECEIPT, None)
    }
    assert {r.overdue_working_days for r in escalations} == {6}
    assert await sweep(enforcement, beijing(date(2026, 12, 7))) == []

    emitted = await enforcement.emitted(REMINDED)
    assert len(emitted) == 2 * len(late) == await stored(enforcement)
    assert {topic for topic, _key, _body in emitted} == {topics.SUPERVISION}
    assert {key for _topic, key, _body in emitted} == {ENTERPRISE}

    async with enforcement.runtime.db.sessions() as session:
        today = date(2026, 12, 7)
        assert await reminder_reads.open_count(session, ReminderLevel.REMINDER, today) == len(late)
        assert await reminder_reads.open_count(session, ReminderLevel.ESCALATION, today) == len(
            late
        )
    # The received order is late with its feedback (due 12-21) only later: its own reminder.
    feedback = await sweep(enforcement, beijing(date(2026, 12, 22)))
    assert {(r.item_id, r.kind) for r in feedback} == {
        *((order_id, OverdueKind.FEEDBACK) for order_id in late),
        (finance["order_id"], OverdueKind.FEEDBACK),
    }
    assert market["order_id"] not in {r.item_id for r in feedback}


async def test_suspended_orders_are_never_reminded_and_reissued_ones_are_afresh(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    suspended = ListEntrySuspended(
        entry_id="entry-1",
        version=1,
        subject_code=ENTERPRISE,
        case_kind=CaseKind.OBJECTION,
        case_id="objection-1",
        suspended_at=NOW,
    )
    async with enforcement.runtime.uow() as uow:
        await take_entry_suspended(uow, enforcement.orders, suspended)
        await uow.commit()
    assert await sweep(enforcement, beijing(date(2026, 12, 10))) == []

    # The objection rejected: version 2 resumes it; every order is re-issued with new dues.
    enforcement.set_time(beijing(date(2026, 12, 10)))
    await take(enforcement, entry_in_force(version=2))
    reissued = await orders(enforcement)
    assert {(o["revision"], o["receipt_due"]) for o in reissued} == {(2, "2026-12-15")}
    reminders = await sweep(enforcement, beijing(date(2026, 12, 16)))
    assert {r.item_id for r in reminders} == {o["order_id"] for o in reissued}
    assert {r.due for r in reminders} == {date(2026, 12, 15)}


async def test_each_reminder_reaches_the_departments_sanction_topic_once(
    enforcement: EnforcementUnderTest,
) -> None:
    """Appeals' reminders too: enforcement forwards whatever arrives on supervision.v1."""
    reminder = ReminderIssued(
        reminder_id="r-1",
        level=ReminderLevel.ESCALATION,
        kind=OverdueKind.OBJECTION,
        item_id="objection-1",
        entry_id="entry-1",
        subject_code=ENTERPRISE,
        list_type="black.tax.major-violation",
        department="tax",
        due=date(2026, 12, 18),
        due_provisional=False,
        overdue_working_days=6,
        escalation_due=None,
        issued_at=NOW,
    )
    message = reminder.message("/jrp/appeals")
    await enforcement.send(message)
    await enforcement.send(message)  # redelivered: the inbox has it

    async def forwarded() -> list[tuple[str, str | None, dict[str, Any]]] | None:
        return await enforcement.emitted(FORWARDED) or None

    [(topic, key, body)] = await eventually(forwarded)
    await asyncio.sleep(0.5)
    assert len(await enforcement.emitted(FORWARDED)) == 1
    assert (topic, key) == (topics.sanctions("tax"), ENTERPRISE)
    assert body["reminder_id"] == "r-1" and body["level"] == "escalation"
    assert body["kind"] == "objection" and body["department"] == "tax"
