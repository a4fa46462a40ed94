"""Complaints through the HTTP API (002 二(三)2): the subject complains about an objection's
answer within the window; the joint conference office draws experts and decides."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from jrp_appeals.testing import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    OTHER_ENTERPRISE,
    PERSON,
    AppealsUnderTest,
    court_entry,
)
from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import ListEntryRevoked

pytestmark = pytest.mark.integration

FILED = "cn.jrp.appeals.complaint.filed.v1"
DECIDED = "cn.jrp.appeals.complaint.decided.v1"
POOL = [f"expert-{i}" for i in range(12)]
COMPLAINT = {"grounds": "异议答复未说明依据", "evidence_references": ["申辩书-002"]}


async def decided_objection(
    appeals: AppealsUnderTest, outcome: str = "information_right", **decision: str
) -> str:
    await appeals.list_entry()
    filed = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    objection_id: str = filed.json()["objection_id"]
    r = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("tax"),
        outcome=outcome,
        reasons="经核查维持",
        **decision,
    )
    assert r.status_code == 200, r.text
    return objection_id


async def complain(
    appeals: AppealsUnderTest, objection_id: str, code: str = ENTERPRISE
) -> dict[str, Any]:
    r = await appeals.client.post(
        f"/v1/objections/{objection_id}/complaint", json=COMPLAINT, headers=appeals.as_subject(code)
    )
    return {"status": r.status_code, "body": r.json()}


async def test_the_subject_complains_and_the_office_decides(appeals: AppealsUnderTest) -> None:
    objection_id = await decided_objection(appeals)
    r = await appeals.client.post(
        f"/v1/objections/{objection_id}/complaint",
        json=COMPLAINT,
        headers=appeals.as_subject(LEGAL_REPRESENTATIVE),
    )
    assert r.status_code == 201, r.text
    complaint = r.json()
    assert complaint["objection_id"] == objection_id and complaint["suspends"] is True
    assert complaint["state"] == "open" and complaint["expert_draws"] == []
    [(_, key, filed)] = await appeals.emitted(FILED)
    assert key == ENTERPRISE and filed["objection_id"] == objection_id
    assert filed["case_id"] == complaint["complaint_id"] and filed["suspends"] is True
    objection = await appeals.client.get(
        f"/v1/objections/{objection_id}", headers=appeals.as_subject(ENTERPRISE)
    )
    assert objection.json()["complaint_id"] == complaint["complaint_id"]
    assert objection.json()["history"][-1]["action"] == "complaint_filed"

    complaint_id = complaint["complaint_id"]
    draw_path = f"/v1/complaints/{complaint_id}/expert-draw"
    tax_draw = await appeals.client.post(
        draw_path, json={"pool": POOL, "count": 3}, headers=appeals.as_department("tax")
    )
    assert tax_draw.status_code == 403
    seeded = await appeals.client.post(
        draw_path, json={"pool": POOL, "count": 3, "seed": "2026-11"}, headers=appeals.as_office()
    )
    assert seeded.status_code == 201, seeded.text
    assert seeded.json()["experts"] == random.Random("2026-11").sample(sorted(POOL), 3)
    generated = await appeals.client.post(
        draw_path, json={"pool": POOL, "count": 2}, headers=appeals.as_office()
    )
    seed = generated.json()["seed"]
    assert isinstance(seed, str) and len(seed) == 32
    assert generated.json()["experts"] == random.Random(seed).sample(sorted(POOL), 2)
    too_many = await appeals.client.post(
        draw_path, json={"pool": POOL, "count": 13}, headers=appeals.as_office()
    )
    assert too_many.status_code == 422

    path = f"/v1/complaints/{complaint_id}/decision"
    right = {"outcome": "information_right", "reasons": "复核维持"}
    assert (await appeals.decide(path, appeals.as_department("tax"), **right)).status_code == 403
    subject = await appeals.decide(path, appeals.as_subject(ENTERPRISE), **right)
    assert subject.status_code == 403
    wrong = await appeals.decide(
        path, appeals.as_office(), outcome="information_wrong", reasons="x"
    )
    assert wrong.status_code == 422
    decided = await appeals.decide(
        path, appeals.as_office(), outcome="information_wrong", remedy="revoke", reasons="撤销"
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["state"] == "decided" and body["decision"]["decided_by"] == "credit-office"
    assert body["restoration_duty"]["department"] == "tax", "the provider owes it"
    assert len(body["expert_draws"]) == 2
    assert [a["action"] for a in body["history"]] == [
        "filed",
        "experts_drawn",
        "experts_drawn",
        "decided",
    ]
    assert (await appeals.decide(path, appeals.as_office(), **right)).status_code == 409
    late_draw = await appeals.client.post(
        draw_path, json={"pool": POOL, "count": 1}, headers=appeals.as_office()
    )
    assert late_draw.status_code == 409
    [(_, key, event)] = await appeals.emitted(DECIDED)
    assert event["objection_id"] == objection_id and event["restoration_duty"] == "tax"
    assert event["remedy"] == "revoke"
    notes = await appeals.notes(appeals.as_office(), f"?subject_code={ENTERPRISE}")
    assert [n["about"] for n in notes] == ["complaint", "objection"]

    listed = await appeals.client.get("/v1/complaints", headers=appeals.as_department("tax"))
    assert [c["complaint_id"] for c in listed.json()] == [complaint_id]
    other = await appeals.client.get("/v1/complaints", headers=appeals.as_subject(OTHER_ENTERPRISE))
    assert other.json() == []
    hidden = await appeals.client.get(
        f"/v1/complaints/{complaint_id}", headers=appeals.as_subject(OTHER_ENTERPRISE)
    )
    assert hidden.status_code == 404


async def test_complaints_are_refused_with_reasons(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    open_id = (await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))).json()[
        "objection_id"
    ]
    early = await complain(appeals, open_id)
    assert early["status"] == 409 and "not decided" in early["body"]["detail"]
    await appeals.decide(
        f"/v1/objections/{open_id}/decision",
        appeals.as_department("tax"),
        outcome="information_right",
        reasons="维持",
    )
    department = await appeals.client.post(
        f"/v1/objections/{open_id}/complaint", json=COMPLAINT, headers=appeals.as_department("tax")
    )
    assert department.status_code == 403
    stranger = await complain(appeals, open_id, OTHER_ENTERPRISE)
    assert stranger["status"] == 404
    assert (await complain(appeals, "no-such-objection"))["status"] == 404
    first = await complain(appeals, open_id)
    assert first["status"] == 201
    second = await complain(appeals, open_id)
    assert second["status"] == 409
    assert second["body"]["errors"][0]["complaint_id"] == first["body"]["complaint_id"]


async def test_the_window_closes_fifteen_working_days_after_the_decision(
    appeals: AppealsUnderTest,
) -> None:
    """Decided on Wednesday 2026-09-30: fifteen working days on, past National Day, is
    Tuesday 2026-10-27 (8, 9, 10 (a worked Saturday), 12-16, 19-23, 26-27 October)."""
    await appeals.list_entry(court_entry(period={"start": "2026-09-01", "end": "2028-08-01"}))
    appeals.set_time(datetime(2026, 9, 30, 10, 0, tzinfo=CHINA))
    objection_id = (await appeals.object_to("court-1", appeals.as_subject(PERSON))).json()[
        "objection_id"
    ]
    await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("court"),
        outcome="information_right",
        reasons="执行依据有效",
    )
    appeals.set_time(datetime(2026, 10, 28, 0, 5, tzinfo=CHINA))
    late = await complain(appeals, objection_id, PERSON)
    assert late["status"] == 409
    assert late["body"]["errors"][0]["closes_on"] == "2026-10-27"
    appeals.set_time(datetime(2026, 10, 27, 23, 55, tzinfo=CHINA))
    in_time = await complain(appeals, objection_id, PERSON)
    assert in_time["status"] == 201
    complaint = in_time["body"]
    assert complaint["suspends"] is False, "the court's list stays in force (法释〔2017〕7号)"
    # Twenty working days from 2026-10-27 for the office.
    assert complaint["decision_due"] == "2026-11-24"


async def test_a_complaint_about_a_revoked_entry_suspends_nothing(
    appeals: AppealsUnderTest,
) -> None:
    objection_id = await decided_objection(appeals, outcome="information_wrong", remedy="revoke")
    await appeals.publish(
        ListEntryRevoked(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            reason="异议成立",
            revoked_by="tax",
            revoked_at=datetime.now(CHINA) + timedelta(seconds=1),
        )
    )
    await appeals.entry_reaches("entry-1", status="revoked")
    r = await complain(appeals, objection_id)
    assert r["status"] == 201 and r["body"]["suspends"] is False
