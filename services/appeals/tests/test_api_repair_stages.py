"""The three-stage repair flow and the repair guidance through the HTTP API, on the real
database (DOMAIN.md §11; 国办发〔2025〕22号; NDRC Order No. 36): a new entry of a repairable list
type sends its guidance once (两书同达) and shows it on the entry read; each stage's lateness is
listed by stage and deciding department and counted by the `jrp_repairs_overdue` gauge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jrp_appeals.domain.deadlines import add_months
from jrp_appeals.domain.repairs import RepairStage
from jrp_appeals.testing import (
    ENTERPRISE,
    PERSON,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
    repair_body,
)
from jrp_shared.events.payloads import Period
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

NOTIFIED = "cn.jrp.appeals.subject.notified.v1"


async def guidance_notices(appeals: AppealsUnderTest) -> list[dict[str, Any]]:
    return [e for _, _, e in await appeals.emitted(NOTIFIED) if e["about"] == "repair_guidance"]


async def test_a_new_entry_brings_its_repair_guidance_once(appeals: AppealsUnderTest) -> None:
    entry = await appeals.list_entry()
    [notice] = await guidance_notices(appeals)
    assert notice["subject_code"] == ENTERPRISE and notice["entry_id"] == entry.entry_id
    repair_from = add_months(entry.period.start, 12)
    published_until = min(entry.period.end, add_months(entry.period.start, 36) - timedelta(days=1))
    assert repair_from.isoformat() in notice["body"] and "严重失信" in notice["body"]
    assert published_until.isoformat() in notice["body"]

    # Redelivered, and a corrected version: no second guidance.
    await appeals.publish(entry)
    corrected = entry.model_copy(update={"version": 2})
    await appeals.list_entry(corrected)
    assert len(await guidance_notices(appeals)) == 1

    read = await appeals.client.get(
        f"/v1/entries/{entry.entry_id}", headers=appeals.as_subject(ENTERPRISE)
    )
    guidance = read.json()["repair_guidance"]
    assert guidance["tier"] == "serious" and guidance["decided_by"] == "tax"
    assert guidance["repair_from"] == repair_from.isoformat()
    assert guidance["published_until"] == published_until.isoformat()
    assert guidance["portal_forward_working_days"] == 10
    assert "补缴税款、滞纳金和罚款的完税凭证" in guidance["evidence_required"]
    listed = await appeals.client.get("/v1/entries", headers=appeals.as_subject(ENTERPRISE))
    assert listed.json()[0]["repair_guidance"] == guidance
    notes = await appeals.client.get("/v1/notifications", headers=appeals.as_subject(ENTERPRISE))
    assert [n["about"] for n in notes.json()] == ["repair_guidance"]


async def test_the_courts_list_gets_no_repair_guidance(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry(court_entry())
    assert await guidance_notices(appeals) == []
    read = await appeals.client.get("/v1/entries/court-1", headers=appeals.as_subject(PERSON))
    assert read.status_code == 200 and read.json()["repair_guidance"] is None


async def test_each_stage_is_listed_overdue_by_department(appeals: AppealsUnderTest) -> None:
    start = datetime.now(UTC)
    today = appeals.appeals.today()
    period = Period(start=today - timedelta(days=400), end=today + timedelta(days=300))
    await appeals.list_entry(entry_in_force(period=period))
    applied = await appeals.client.post(
        "/v1/repairs", json=repair_body("entry-1"), headers=appeals.as_subject(ENTERPRISE)
    )
    assert applied.status_code == 201, applied.text
    repair_id = applied.json()["repair_id"]

    async def overdue(headers: dict[str, str]) -> Any:
        r = await appeals.client.get("/v1/repairs/overdue", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    assert await overdue(appeals.as_office()) == []
    appeals.set_time(start + timedelta(days=30))  # past the portal's 10 working days
    [late] = await overdue(appeals.as_office())
    assert (late["stage"], late["department"], late["count"]) == ("forward", "tax", 1)
    assert late["repair_ids"] == [repair_id]
    assert late["oldest_due"] == applied.json()["forward_due"]
    assert await overdue(appeals.as_department("tax")) == [late]
    assert await overdue(appeals.as_portal()) == [late]
    assert await overdue(appeals.as_department("market")) == []
    subject = await appeals.client.get(
        "/v1/repairs/overdue", headers=appeals.as_subject(ENTERPRISE)
    )
    assert subject.status_code == 403
    listed = await appeals.client.get("/v1/repairs?overdue=true", headers=appeals.as_office())
    assert [(r["repair_id"], r["overdue_stage"]) for r in listed.json()] == [(repair_id, "forward")]
    gauge = appeals.appeals.repairs_overdue
    assert gauge is not None
    assert await gauge.refresh() == {(RepairStage.FORWARD, "tax"): 1}

    forwarded = await appeals.forward(repair_id)
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["history"][-1]["detail"]["late"] is True
    assert await overdue(appeals.as_office()) == []
    appeals.set_time(start + timedelta(days=60))  # past the authority's 3 working days
    [late] = await overdue(appeals.as_office())
    assert (late["stage"], late["department"]) == ("decision", "tax")
    assert late["oldest_due"] == forwarded.json()["decision_due"]
    assert await gauge.refresh() == {(RepairStage.DECISION, "tax"): 1}

    decided = await appeals.decide(
        f"/v1/repairs/{repair_id}/decision",
        appeals.as_department("tax"),
        approved=False,
        reasons="滞纳金尚未缴清",
    )
    assert decided.status_code == 200 and decided.json()["stage"] == "done"
    assert await overdue(appeals.as_office()) == []

    async def zero() -> bool:
        return await gauge.refresh() == {}

    await eventually(zero, within=5)
