"""Supervision through the API on real PostgreSQL (DOMAIN.md §5 step 5, §9; docs/supervision.md):
a seeded October 2026 — entries posted, sanction orders from order-status.v1, cases and repairs
from appeals.v1, reminders from supervision.v1 (all through the consumers) — read back as the
monthly report in JSON, CSV and PDF; typical cases and report status; who may read what."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
from asyncio.subprocess import PIPE
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pdfminer.high_level import extract_text
from sqlalchemy import insert

from jrp_shared.auth import ROLE_IMPLEMENTER
from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintFiled,
    DepartmentPublished,
    MeasurePublished,
    MeasureStatus,
    ObjectionDecided,
    ObjectionFiled,
    ReminderIssued,
    RepairApplied,
    RepairDecided,
    SanctionOrderStatus,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import (
    DepartmentLevel,
    MeasureKind,
    OrderState,
    OverdueKind,
    PartyKind,
    ReminderLevel,
    SubjectType,
    TargetRole,
)
from jrp_trigger.adapters import orm
from jrp_trigger.testing import ENTERPRISE, TAX_LIST, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration

OCTOBER = "/v1/reports/monthly/2026-10"


def china(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


def at(trigger: TriggerUnderTest, moment: datetime) -> None:
    """Move the service's clock (the receiver's clock, `jrp_shared.clock`)."""
    frozen: Callable[[], datetime] = lambda: moment.astimezone(UTC)  # noqa: E731
    trigger.trigger.clock = frozen


async def seed_measures(trigger: TriggerUnderTest, *departments: str) -> None:
    rows = [
        MeasurePublished(
            code=f"{d}.restrict",
            version=1,
            effective_from=date(2026, 1, 1),
            list_types=[TAX_LIST],
            content="限制",
            content_en="restrict",
            kind=MeasureKind.PUNISHMENT,
            mandatory=True,
            implementing_department=d,
            legal_basis="《法》",
            applies_to=[SubjectType.LEGAL_PERSON],
            sources=[],
        )
        for d in departments
    ]
    async with trigger.trigger.runtime.db.sessions() as session:
        await session.execute(
            insert(orm.catalog_copy.measures),
            [
                {
                    "code": m.code,
                    "version": m.version,
                    "effective_from": m.effective_from,
                    "payload": m.model_dump(mode="json"),
                }
                for m in rows
            ],
        )
        await session.commit()


def status(order_id: str, department: str, issued: date, **changes: Any) -> SanctionOrderStatus:
    fields: dict[str, Any] = {
        "order_id": order_id,
        "sequence": 1,
        "revision": 1,
        "entry_id": "e-1",
        "entry_version": 1,
        "department": department,
        "listed_subject_code": ENTERPRISE,
        "target_role": TargetRole.SUBJECT,
        "state": OrderState.ISSUED,
        "issued_at": china(issued),
        "receipt_due": issued + timedelta(days=5),
        "feedback_due": issued + timedelta(days=28),
        "received_at": None,
        "measures": [MeasureStatus(code=f"{department}.restrict", mandatory=True, outcome=None)],
    }
    fields.update(changes)
    return SanctionOrderStatus.model_validate(fields)


def reminder(reminder_id: str, level: ReminderLevel, **changes: Any) -> ReminderIssued:
    fields: dict[str, Any] = {
        "reminder_id": reminder_id,
        "level": level,
        "kind": OverdueKind.RECEIPT,
        "item_id": "o-late",
        "entry_id": "e-1",
        "subject_code": ENTERPRISE,
        "list_type": TAX_LIST,
        "department": "market",
        "due": date(2026, 10, 14),
        "due_provisional": False,
        "overdue_working_days": 1,
        "escalation_due": date(2026, 10, 22),
        "issued_at": china(date(2026, 10, 15)),
    }
    fields.update(changes)
    return ReminderIssued.model_validate(fields)


async def rows_in(trigger: TriggerUnderTest, table: str, count: int) -> int:
    async def enough() -> int | None:
        found = await trigger.count(table)
        return found if found >= count else None

    return await eventually(enough)


async def seed_october(trigger: TriggerUnderTest) -> str:
    """October 2026: tax posts an entry; market has an order fed back and one never
    acknowledged; bank one acknowledged, feedback not yet due; tax an objection decided on time,
    a complaint overdue, a repair decided late; market a reminder and an escalation."""
    await trigger.seed(list_type())
    await seed_measures(trigger, "market", "bank")
    at(trigger, china(date(2026, 10, 15)))
    r = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(date(2026, 10, 15)), headers=trigger.as_department()
    )
    assert r.status_code == 201, r.text
    entry_id = str(r.json()["entry_id"])
    await trigger.publish(
        status(
            "o-done",
            "market",
            date(2026, 10, 9),
            state=OrderState.FED_BACK,
            received_at=china(date(2026, 10, 10)),
            measures=[
                MeasureStatus(
                    code="market.restrict",
                    mandatory=True,
                    outcome="applied",
                    executed_at=china(date(2026, 10, 20)),
                ),
                MeasureStatus(
                    code="market.other",
                    mandatory=False,
                    outcome="not_applicable",
                    executed_at=china(date(2026, 10, 20)),
                ),
            ],
        ),
        "enforcement",
    )
    await trigger.publish(status("o-late", "market", date(2026, 10, 9)), "enforcement")
    await trigger.publish(
        status("o-bank", "bank", date(2026, 10, 20), received_at=china(date(2026, 10, 21))),
        "enforcement",
    )
    await trigger.publish(status("o-sept", "bank", date(2026, 9, 30)), "enforcement")
    party = CaseParty(kind=PartyKind.SUBJECT, code=ENTERPRISE, agent="credit-office")
    case: dict[str, Any] = {
        "entry_id": entry_id,
        "entry_version": 1,
        "subject_code": ENTERPRISE,
        "list_type": TAX_LIST,
        "provider": "tax",
        "filed_by": party,
        "grounds": "处罚决定已被撤销",
        "evidence_references": [],
        "suspends": False,
        "due_provisional": False,
    }
    await trigger.publish(
        ObjectionFiled(
            case_id="obj-1",
            filed_at=china(date(2026, 10, 16)),
            decision_due=date(2026, 11, 13),
            **case,
        ),
        "appeals",
    )
    await trigger.publish(
        ComplaintFiled(
            case_id="cmp-1",
            objection_id="obj-0",
            filed_at=china(date(2026, 10, 2)),
            decision_due=date(2026, 10, 20),
            **case,
        ),
        "appeals",
    )
    await trigger.publish(
        RepairApplied(
            repair_id="rep-1",
            entry_id=entry_id,
            subject_code=ENTERPRISE,
            department="tax",
            route="correction",
            applied_at=china(date(2026, 10, 5)),
            decision_due=date(2026, 10, 19),
            due_provisional=False,
        ),
        "appeals",
    )
    await rows_in(trigger, "supervision_cases", 3)
    await trigger.publish(
        ObjectionDecided(
            case_id="obj-1",
            entry_id=entry_id,
            subject_code=ENTERPRISE,
            outcome="information_right",
            remedy=None,
            correction=None,
            reasons="经核查信息无误",
            decided_by="tax",
            decided_at=china(date(2026, 10, 27)),
            restoration_duty=None,
        ),
        "appeals",
    )
    await trigger.publish(
        RepairDecided(
            repair_id="rep-1",
            entry_id=entry_id,
            subject_code=ENTERPRISE,
            approved=False,
            reasons="证明材料不全",
            decided_by="tax",
            decided_at=china(date(2026, 10, 23)),
        ),
        "appeals",
    )
    await trigger.publish(reminder("rem-1", ReminderLevel.REMINDER), "enforcement")
    await trigger.publish(
        reminder(
            "esc-1",
            ReminderLevel.ESCALATION,
            overdue_working_days=6,
            escalation_due=None,
            issued_at=china(date(2026, 10, 22)),
        ),
        "enforcement",
    )
    await rows_in(trigger, "order_statuses", 4)
    await rows_in(trigger, "supervision_reminders", 2)

    async def decided() -> bool:
        r = await trigger.client.get(OCTOBER, headers=trigger.as_office())
        return r.status_code == 200 and r.json()["total"]["repairs"]["decided"] == 1

    at(trigger, china(date(2026, 11, 10)))
    await eventually(decided)
    return entry_id


async def nominate(
    trigger: TriggerUnderTest, department: str, kind: str, **changes: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "title": f"{department} {kind}", "summary": "案例摘要"}
    body.update(changes)
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases",
        json=body,
        headers=trigger.as_department(department, ROLE_IMPLEMENTER),
    )
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def by_department(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["department"]: d for d in report["departments"]}


async def test_the_monthly_report_counts_the_month_as_of_its_end(
    trigger: TriggerUnderTest,
) -> None:
    entry_id = await seed_october(trigger)
    await nominate(trigger, "tax", "trustworthiness", entry_id=entry_id)
    case = await nominate(trigger, "tax", "dishonesty", subject_code=ENTERPRISE)
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{case['case_id']}/selection", headers=trigger.as_office()
    )
    assert r.status_code == 200, r.text
    await nominate(trigger, "market", "trustworthiness")
    at(trigger, china(date(2026, 11, 25)))

    r = await trigger.client.get(OCTOBER, headers=trigger.as_office())
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["period"] == {"start": "2026-10-01", "end": "2026-10-31", "month": "2026-10"}
    assert report["as_of"] == "2026-10-31" and report["scope"] == "platform"
    depts = by_department(report)
    assert set(depts) == {"tax", "market", "bank"}
    assert depts["tax"]["entries"]["initiated"] == 1
    assert depts["tax"]["entries"]["by_colour"]["black"] == 1
    assert depts["tax"]["entries"]["by_list_type"] == {TAX_LIST: 1}
    market = depts["market"]
    assert market["orders"] == {
        "issued": 2,
        "received": 1,
        "fed_back": 1,
        "receipt_overdue": 1,
        "feedback_overdue": 0,
        "feedback_rate": 0.5,
    }
    assert market["measures"] == {"applied": 1, "not_applicable": 1, "failed": 0}
    assert market["reminders"] == {"reminders": 1, "escalations": 1}
    # bank: the September order is not October's; the October one is not yet overdue.
    assert depts["bank"]["orders"]["issued"] == 1
    assert depts["bank"]["orders"]["feedback_rate"] == 0.0
    tax = depts["tax"]
    assert tax["objections"]["filed"] == 1 and tax["objections"]["decided_on_time"] == 1
    assert tax["complaints"]["filed"] == 1 and tax["complaints"]["overdue"] == 1
    assert tax["repairs"] == {
        "filed": 1,
        "decided": 1,
        "decided_on_time": 0,
        "decided_late": 1,
        "overdue": 0,
        "on_time_rate": 0.0,
    }
    assert report["total"]["orders"]["issued"] == 3
    assert report["total"]["orders"]["receipt_overdue"] == 1
    statuses = {s["department"]: s for s in report["report_status"]}
    assert statuses["tax"]["status"] == "submitted" and not statuses["tax"]["late"]
    assert statuses["tax"]["due"] == "2026-11-20"
    assert statuses["market"]["status"] == "overdue"
    assert statuses["bank"]["status"] == "overdue"
    assert [c["case_id"] for c in report["typical_cases"]] == [case["case_id"]]

    # the gauge counts the departments overdue with the latest report due (2026-10)
    gauge = trigger.trigger.reports_overdue
    assert gauge is not None
    assert await gauge.refresh() == 2


async def test_a_redelivered_event_does_not_count_twice(trigger: TriggerUnderTest) -> None:
    await seed_october(trigger)
    # the same facts again as new messages (new event ids: past the inbox)
    await trigger.publish(reminder("rem-1", ReminderLevel.REMINDER), "enforcement")
    await trigger.publish(
        ObjectionDecided(
            case_id="obj-1",
            entry_id="e-1",
            subject_code=ENTERPRISE,
            outcome="information_right",
            remedy=None,
            correction=None,
            reasons="again",
            decided_by="tax",
            decided_at=china(date(2026, 10, 29)),
            restoration_duty=None,
        ),
        "appeals",
    )
    await trigger.publish(reminder("rem-2", ReminderLevel.REMINDER, item_id="o-x"), "enforcement")
    await rows_in(trigger, "supervision_reminders", 3)
    r = await trigger.client.get(OCTOBER, headers=trigger.as_office())
    total = r.json()["total"]
    assert total["reminders"] == {"reminders": 2, "escalations": 1}
    assert total["objections"]["decided"] == 1 and total["objections"]["decided_on_time"] == 1


async def test_a_department_reads_its_own_report_only(trigger: TriggerUnderTest) -> None:
    await seed_october(trigger)
    market = trigger.as_department("market", ROLE_IMPLEMENTER)
    r = await trigger.client.get(OCTOBER, headers=market)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["scope"] == "market"
    assert [d["department"] for d in report["departments"]] == ["market"]
    assert report["total"]["orders"]["issued"] == 2
    assert [s["department"] for s in report["report_status"]] == ["market"]
    r = await trigger.client.get(OCTOBER, params={"department": "market"}, headers=market)
    assert r.status_code == 200
    r = await trigger.client.get(OCTOBER, params={"department": "tax"}, headers=market)
    assert r.status_code == 403
    r = await trigger.client.get(
        OCTOBER, params={"department": "bank"}, headers=trigger.as_office()
    )
    assert by_department(r.json()).keys() == {"bank"}


async def test_reports_refuse_bad_months_and_ranges(trigger: TriggerUnderTest) -> None:
    at(trigger, china(date(2026, 11, 25)))
    office = trigger.as_office()
    for path, params, reason in [
        ("/v1/reports/monthly/2026-12", {}, "month_in_future"),
        ("/v1/reports", {"from": "2026-05-02", "to": "2026-05-01"}, "range_reversed"),
        ("/v1/reports", {"from": "2025-01-01", "to": "2026-06-30"}, "range_too_long"),
    ]:
        r = await trigger.client.get(path, params=params, headers=office)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["reason"] == reason
    for path, params in [
        ("/v1/reports/monthly/2026-13", {}),
        ("/v1/reports", {"from": "2026-05-01"}),
        ("/v1/reports/monthly/2026-10", {"format": "xlsx"}),
    ]:
        r = await trigger.client.get(path, params=params, headers=office)
        assert r.status_code == 422, r.text


async def test_a_range_report_spans_months(trigger: TriggerUnderTest) -> None:
    await seed_october(trigger)
    at(trigger, china(date(2026, 11, 25)))
    r = await trigger.client.get(
        "/v1/reports",
        params={"from": "2026-09-01", "to": "2026-10-15"},
        headers=trigger.as_office(),
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["period"]["month"] is None and report["as_of"] == "2026-10-15"
    # the Sept 30 order and the Oct 9 ones; the Oct 20 one falls outside
    assert report["total"]["orders"]["issued"] == 3
    assert {s["month"] for s in report["report_status"]} == {"2026-09", "2026-10"}


async def test_the_report_as_csv_is_one_flat_table(trigger: TriggerUnderTest) -> None:
    await seed_october(trigger)
    await trigger.publish(
        DepartmentPublished(
            code="market",
            name="福州市市场监督管理局",
            name_en="Fuzhou Administration for Market Regulation",
            level=DepartmentLevel.MUNICIPAL,
            region="350100",
            domains=["market"],
            initiates=True,
            implements=True,
        ),
        "/jrp/registry",
    )

    async def named() -> bool | None:
        r = await trigger.client.get(OCTOBER, headers=trigger.as_office())
        names = {d["department"]: d["department_name"] for d in r.json()["departments"]}
        return (names.get("market") == "福州市市场监督管理局" and names.get("tax") is None) or None

    await eventually(named)
    at(trigger, china(date(2026, 11, 25)))
    r = await trigger.client.get(OCTOBER, params={"format": "csv"}, headers=trigger.as_office())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_name = {row["department"]: row for row in rows}
    assert list(by_name) == ["bank", "market", "tax", "TOTAL"]
    assert by_name["market"]["department_name"] == "福州市市场监督管理局"
    assert by_name["tax"]["department_name"] == ""
    assert by_name["market"]["orders_issued"] == "2"
    assert by_name["market"]["feedback_rate"] == "0.5000"
    assert by_name["market"]["receipt_overdue"] == "1"
    assert by_name["tax"]["complaints_overdue"] == "1"
    assert by_name["market"]["report_status"] == "overdue"
    assert by_name["TOTAL"]["orders_issued"] == "3"


async def test_the_report_as_pdf_reads_back(trigger: TriggerUnderTest) -> None:
    await seed_october(trigger)
    await nominate(trigger, "tax", "trustworthiness", title="依法纳税守信典型")
    case = await nominate(trigger, "tax", "dishonesty", title="虚开发票失信典型")
    await trigger.client.post(
        f"{OCTOBER}/typical-cases/{case['case_id']}/selection", headers=trigger.as_office()
    )
    at(trigger, china(date(2026, 11, 25)))
    r = await trigger.client.get(OCTOBER, params={"format": "pdf"}, headers=trigger.as_office())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    text = extract_text(io.BytesIO(r.content))
    assert "信用联合奖惩监测月报" in text
    assert "Joint reward and punishment supervision report 2026-10" in text
    assert "虚开发票失信典型" in text  # the selected case
    assert "依法纳税守信典型" not in text  # nominated, not selected
    assert "market" in text and "50.0%" in text  # market's feedback rate
    assert "Feedback rate per department" in text
    if shutil.which("pdftotext"):  # poppler reads it the same way
        process = await asyncio.create_subprocess_exec(
            "pdftotext", "-", "-", stdin=PIPE, stdout=PIPE
        )
        out, _ = await process.communicate(r.content)
        poppler = out.decode()
        assert "信用联合奖惩监测月报" in poppler and "虚开发票失信典型" in poppler


async def test_typical_cases_are_nominated_withdrawn_and_selected(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    at(trigger, china(date(2026, 11, 10)))
    kept = await nominate(trigger, "tax", "trustworthiness")
    dropped = await nominate(trigger, "tax", "dishonesty")
    assert kept["month"] == "2026-10" and kept["selected_at"] is None
    tax = trigger.as_department("tax", ROLE_IMPLEMENTER)
    market = trigger.as_department("market", ROLE_IMPLEMENTER)

    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{dropped['case_id']}/withdrawal", headers=market
    )
    assert r.status_code == 403
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{dropped['case_id']}/withdrawal", headers=tax
    )
    assert r.status_code == 200 and r.json()["withdrawn_at"] is not None
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{dropped['case_id']}/selection", headers=trigger.as_office()
    )
    assert r.status_code == 409
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{kept['case_id']}/selection", headers=tax
    )
    assert r.status_code == 403  # only the office selects
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{kept['case_id']}/selection", headers=trigger.as_office()
    )
    assert r.status_code == 200 and r.json()["selected_by"] == "credit-office"
    r = await trigger.client.post(
        f"{OCTOBER}/typical-cases/{kept['case_id']}/withdrawal", headers=tax
    )
    assert r.status_code == 409

    r = await trigger.client.get(f"{OCTOBER}/typical-cases", headers=tax)
    assert [c["case_id"] for c in r.json()] == [kept["case_id"]]
    r = await trigger.client.get(f"{OCTOBER}/typical-cases", headers=market)
    assert r.json() == []
    r = await trigger.client.get(
        f"{OCTOBER}/typical-cases", params={"department": "tax"}, headers=market
    )
    assert r.status_code == 403

    # the withdrawn dishonesty case no longer counts: tax is overdue after the 20th
    at(trigger, china(date(2026, 11, 21)))
    r = await trigger.client.get(OCTOBER, headers=tax)
    assert r.json()["report_status"][0]["status"] == "overdue"
    await nominate(trigger, "tax", "dishonesty")
    r = await trigger.client.get(OCTOBER, headers=tax)
    status = r.json()["report_status"][0]
    assert status["status"] == "submitted" and status["late"] is True


async def test_a_typical_case_is_bounded_and_checked(trigger: TriggerUnderTest) -> None:
    at(trigger, china(date(2026, 11, 10)))
    tax = trigger.as_department("tax")
    path = f"{OCTOBER}/typical-cases"
    for body, field in [
        ({"kind": "heroic", "title": "t", "summary": "s"}, "kind"),
        ({"kind": "dishonesty", "title": "t" * 201, "summary": "s"}, "title"),
        ({"kind": "dishonesty", "title": "t", "summary": "s" * 4001}, "summary"),
        (
            {"kind": "dishonesty", "title": "t", "summary": "s", "subject_code": "123"},
            "subject_code",
        ),
    ]:
        r = await trigger.client.post(path, json=body, headers=tax)
        assert r.status_code == 422, r.text
        assert field in r.text
    r = await trigger.client.post(
        path,
        json={"kind": "dishonesty", "title": "t", "summary": "s", "entry_id": "nope"},
        headers=tax,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "entry_unknown"
    r = await trigger.client.post(
        "/v1/reports/monthly/2026-12/typical-cases",
        json={"kind": "dishonesty", "title": "t", "summary": "s"},
        headers=tax,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "month_in_future"
    r = await trigger.client.post(
        path,
        json={"kind": "dishonesty", "title": "t", "summary": "s"},
        headers=trigger.keys.headers("observer", "portal"),
    )
    assert r.status_code == 403


async def test_reminders_come_in_through_the_consumer_and_are_served_by_department(
    trigger: TriggerUnderTest,
) -> None:
    await seed_october(trigger)
    await trigger.publish(
        reminder(
            "rem-tax",
            ReminderLevel.REMINDER,
            kind=OverdueKind.COMPLAINT,
            item_id="cmp-1",
            department="tax",
        ),
        "appeals",
    )
    await trigger.publish(
        reminder("rem-done", ReminderLevel.REMINDER, item_id="o-done", kind=OverdueKind.FEEDBACK),
        "enforcement",
    )
    await rows_in(trigger, "supervision_reminders", 4)

    r = await trigger.client.get("/v1/reminders", headers=trigger.as_office())
    assert {x["reminder_id"] for x in r.json()} == {"rem-1", "esc-1", "rem-tax", "rem-done"}
    market = trigger.as_department("market", ROLE_IMPLEMENTER)
    r = await trigger.client.get("/v1/reminders", headers=market)
    assert {x["reminder_id"] for x in r.json()} == {"rem-1", "esc-1", "rem-done"}
    r = await trigger.client.get("/v1/reminders", params={"level": "escalation"}, headers=market)
    assert [x["reminder_id"] for x in r.json()] == ["esc-1"]
    # o-done is fed back: its feedback reminder is no longer open
    r = await trigger.client.get("/v1/reminders", params={"open": "true"}, headers=market)
    assert {x["reminder_id"] for x in r.json()} == {"rem-1", "esc-1"}
    r = await trigger.client.get("/v1/reminders", params={"department": "tax"}, headers=market)
    assert r.status_code == 403
    r = await trigger.client.get(
        "/v1/reminders",
        params={"department": "tax", "kind": "complaint", "open": "true"},
        headers=trigger.as_office(),
    )
    [tax] = r.json()
    assert tax["reminder_id"] == "rem-tax" and tax["open"] is True
    r = await trigger.client.get("/v1/reminders", params={"kind": "nonsense"}, headers=market)
    assert r.status_code == 422
