"""Appeals' events on the embedded bus change the entry and go to enforcement on
`list-entries.v1` (DOMAIN.md §7, §8; docs/due-process.md): suspended while a case is
verified, then resumed, revoked or corrected; repaired; a redelivered event changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from jrp_shared.clock import china_date
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintDecided,
    ComplaintFiled,
    CorrectedEntry,
    ObjectionDecided,
    ObjectionFiled,
    RepairDecided,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import PartyKind
from jrp_trigger.testing import ENTERPRISE, OTHER_ENTERPRISE, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration

APPEALS = "/jrp/appeals"
IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
SUSPENDED = "cn.jrp.trigger.list-entry.suspended.v1"
REVOKED = "cn.jrp.trigger.list-entry.revoked.v1"
REPAIRED = "cn.jrp.trigger.list-entry.repaired.v1"


async def posted(trigger: TriggerUnderTest, decided: date, **list_type_changes: Any) -> str:
    await trigger.seed(list_type(**list_type_changes))
    r = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(decided), headers=trigger.as_department()
    )
    assert r.status_code == 201, r.text
    return str(r.json()["entry_id"])


def filed(entry_id: str, at: datetime, *, case_id: str = "obj-1", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "entry_id": entry_id,
        "entry_version": 1,
        "subject_code": ENTERPRISE,
        "list_type": "black.tax.major-violation",
        "provider": "tax",
        "filed_by": CaseParty(kind=PartyKind.SUBJECT, code=ENTERPRISE, agent="credit-office"),
        "grounds": "处罚决定已被撤销",
        "evidence_references": ["行政复议决定书"],
        "suspends": True,
        "filed_at": at,
        "decision_due": china_date(at) + timedelta(days=28),
        "due_provisional": False,
    }
    fields.update(changes)
    if "objection_id" in fields:
        return ComplaintFiled.model_validate(fields)
    return ObjectionFiled.model_validate(fields)


def decided(entry_id: str, at: datetime, *, case_id: str = "obj-1", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "entry_id": entry_id,
        "subject_code": ENTERPRISE,
        "outcome": "information_right",
        "remedy": None,
        "correction": None,
        "reasons": "经核查信息无误",
        "decided_by": "tax",
        "decided_at": at,
        "restoration_duty": None,
    }
    fields.update(changes)
    if "objection_id" in fields:
        return ComplaintDecided.model_validate(fields)
    return ObjectionDecided.model_validate(fields)


def repair_decided(entry_id: str, at: datetime, **changes: Any) -> RepairDecided:
    fields: dict[str, Any] = {
        "repair_id": "rep-1",
        "entry_id": entry_id,
        "subject_code": ENTERPRISE,
        "approved": True,
        "reasons": "已履行义务并提交信用承诺",
        "decided_by": "tax",
        "decided_at": at,
    }
    fields.update(changes)
    return RepairDecided.model_validate(fields)


async def read(trigger: TriggerUnderTest, entry_id: str) -> dict[str, Any]:
    r = await trigger.client.get(f"/v1/list-entries/{entry_id}", headers=trigger.as_department())
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def events(trigger: TriggerUnderTest, event_type: str, count: int) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        found = await trigger.outbox(event_type)
        return found if len(found) >= count else None

    return await eventually(enough)


async def listed(trigger: TriggerUnderTest, status: str) -> list[str]:
    r = await trigger.client.get(
        "/v1/list-entries", params={"status": status}, headers=trigger.as_department()
    )
    return [e["entry_id"] for e in r.json()]


async def test_an_objection_suspends_and_information_right_resumes_with_a_longer_period(
    trigger: TriggerUnderTest,
) -> None:
    now = trigger.trigger.clock()
    entry_id = await posted(trigger, trigger.trigger.today() - timedelta(days=60))
    end = date.fromisoformat((await read(trigger, entry_id))["period"]["end"])
    filing = filed(entry_id, now - timedelta(days=30)).message(APPEALS)
    await trigger.send(filing, filing)  # delivered twice

    [suspended] = await events(trigger, SUSPENDED, 1)
    assert suspended["entry_id"] == entry_id and suspended["version"] == 1
    assert suspended["case_kind"] == "objection" and suspended["case_id"] == "obj-1"
    assert suspended["subject_code"] == ENTERPRISE
    entry = await read(trigger, entry_id)
    assert entry["status"] == "suspended" and entry["suspension"]["case_id"] == "obj-1"
    assert entry["suspension"]["case_kind"] == "objection" and entry["repair"] is None
    assert await listed(trigger, "suspended") == [entry_id]
    assert await listed(trigger, "in_force") == []
    [summary] = (
        await trigger.client.get("/v1/list-entries", headers=trigger.as_department())
    ).json()
    assert summary["status"] == "suspended" and summary["suspension"]["case_id"] == "obj-1"

    correction = {k: v for k, v in tax_entry(trigger.trigger.today()).items() if k != "record_id"}
    refused = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/corrections",
        json={**correction, "grounds": "x", "reason": "r"},
        headers=trigger.as_department(),
    )
    assert refused.status_code == 409
    assert "suspended pending objection obj-1" in refused.json()["detail"]

    decision = decided(entry_id, now - timedelta(days=10)).message(APPEALS)
    await trigger.send(decision)
    first, second = await events(trigger, IN_FORCE, 2)
    assert first["version"] == 1 and second["version"] == 2
    assert date.fromisoformat(second["period"]["end"]) == end + timedelta(days=20)
    entry = await read(trigger, entry_id)
    assert entry["status"] == "in_force" and entry["suspension"] is None
    assert entry["versions"][1]["recorded_by"] == "tax"
    assert "period extended by 20 days" in entry["versions"][1]["reason"]

    await trigger.send(decision, filing)  # redelivered: already taken in
    await trigger.publish(repair_decided(entry_id, now), APPEALS)  # applied after them
    await events(trigger, REPAIRED, 1)
    assert len(await trigger.outbox(IN_FORCE)) == 2
    assert len(await trigger.outbox(SUSPENDED)) == 1
    assert (await read(trigger, entry_id))["version"] == 2


async def test_information_wrong_revokes_the_suspended_entry(trigger: TriggerUnderTest) -> None:
    now = trigger.trigger.clock()
    entry_id = await posted(trigger, trigger.trigger.today())
    await trigger.publish(filed(entry_id, now), APPEALS)
    await events(trigger, SUSPENDED, 1)
    wrong = decided(
        entry_id,
        now,
        outcome="information_wrong",
        remedy="revoke",
        reasons="处罚决定已撤销",
        restoration_duty="tax",
    )
    await trigger.publish(wrong, APPEALS)
    [revoked] = await events(trigger, REVOKED, 1)
    assert revoked["entry_id"] == entry_id and revoked["version"] == 1
    assert revoked["reason"] == "objection obj-1: information wrong: 处罚决定已撤销"
    assert revoked["revoked_by"] == "tax"
    entry = await read(trigger, entry_id)
    assert entry["status"] == "revoked" and entry["suspension"] is None
    assert await listed(trigger, "revoked") == [entry_id]


async def test_a_complaint_corrects_the_entry_under_the_rules_of_a_correction(
    trigger: TriggerUnderTest,
) -> None:
    now = trigger.trigger.clock()
    today = trigger.trigger.today()
    entry_id = await posted(trigger, today)
    complaint = {"case_id": "cmp-1", "objection_id": "obj-1"}
    await trigger.publish(filed(entry_id, now, **complaint), APPEALS)
    [suspended] = await events(trigger, SUSPENDED, 1)
    assert suspended["case_kind"] == "complaint" and suspended["case_id"] == "cmp-1"

    body = {k: v for k, v in tax_entry(today).items() if k != "record_id"}
    other = {"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "别的企业"}
    wrong: dict[str, Any] = {
        "outcome": "information_wrong",
        "remedy": "correct",
        "decided_by": "credit-office",
        "restoration_duty": "tax",
    }
    await trigger.publish(
        decided(
            entry_id,
            now,
            correction=CorrectedEntry.model_validate({**body, "subject": other}),
            **complaint,
            **wrong,
        ),
        APPEALS,
    )

    async def refused() -> list[dict[str, Any]] | None:
        letters = await trigger.dead_letters()
        return letters or None

    [letter] = await eventually(refused)
    assert letter["reason"].startswith("refused") and "body.subject.code" in letter["reason"]
    assert (await read(trigger, entry_id))["status"] == "suspended"

    fixed = CorrectedEntry.model_validate({**body, "grounds": "更正后的违法事实"})
    await trigger.publish(decided(entry_id, now, correction=fixed, **complaint, **wrong), APPEALS)
    _, corrected = await events(trigger, IN_FORCE, 2)
    assert corrected["version"] == 2 and corrected["grounds"] == "更正后的违法事实"
    entry = await read(trigger, entry_id)
    assert entry["status"] == "in_force" and entry["suspension"] is None
    assert entry["grounds"] == "更正后的违法事实"
    assert entry["versions"][1]["recorded_by"] == "tax"  # the provider's entry, as corrected
    assert entry["versions"][1]["reason"].startswith("complaint cmp-1 decided information wrong")


async def test_an_approved_repair_ends_the_entry(trigger: TriggerUnderTest) -> None:
    now = trigger.trigger.clock()
    entry_id = await posted(trigger, trigger.trigger.today())
    await trigger.publish(repair_decided(entry_id, now, repair_id="rep-0", approved=False), APPEALS)
    approved = repair_decided(entry_id, now).message(APPEALS)
    await trigger.send(approved, approved)
    [repaired] = await events(trigger, REPAIRED, 1)
    assert repaired["entry_id"] == entry_id and repaired["repair_id"] == "rep-1"
    assert repaired["version"] == 1 and repaired["repaired_by"] == "tax"
    entry = await read(trigger, entry_id)
    assert entry["status"] == "repaired" and entry["repair"]["repair_id"] == "rep-1"
    assert await listed(trigger, "repaired") == [entry_id]
    assert len(await trigger.outbox(REPAIRED)) == 1


async def test_cases_that_suspend_nothing_or_name_no_entry_change_nothing(
    trigger: TriggerUnderTest,
) -> None:
    now = trigger.trigger.clock()
    entry_id = await posted(trigger, trigger.trigger.today(), suspend_during_objection=False)
    await trigger.publish(filed(entry_id, now, suspends=False), APPEALS)
    await trigger.publish(filed("no-such-entry", now, case_id="obj-2"), APPEALS)
    await trigger.publish(decided("no-such-entry", now, case_id="obj-2"), APPEALS)
    await trigger.publish(decided(entry_id, now), APPEALS)
    marker = repair_decided(entry_id, now)
    await trigger.publish(marker, APPEALS)  # one consumer, in order: the last to be applied
    await events(trigger, REPAIRED, 1)
    assert await trigger.outbox(SUSPENDED) == []
    assert len(await trigger.outbox(IN_FORCE)) == 1
    assert await trigger.dead_letters() == []
