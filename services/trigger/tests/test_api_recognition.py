"""Recognition meetings through the HTTP API (002 二(二)2; issue 14 part 3): the office keeps
the expert pools, the platform makes the seed, experts vote alongside the convened departments,
and a case spanning several groups goes to the joint conference office."""

from __future__ import annotations

from typing import Any

import pytest

from jrp_shared.experts import draw_experts
from jrp_trigger.testing import OTHER_ENTERPRISE, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
CONVENED = ["trading", "finance", "construction"]
TRADING = list_type(
    "black.trading.serious-dishonesty",
    initiating_departments=CONVENED,
    recognition_meeting_required=True,
)
GROUP = "trading"  # the list type's domain: its special group
EXPERTS = [
    {"id": f"expert-{i:02}", "name": f"专家{i}", "department": "trading" if i < 5 else "university"}
    for i in range(20)
]


async def put_pool(
    trigger: TriggerUnderTest, departments: list[str] = CONVENED, experts: Any = None
) -> Any:
    return await trigger.client.put(
        f"/v1/expert-pools/{GROUP}",
        json={"experts": experts or EXPERTS, "departments": departments},
        headers=trigger.as_office(),
    )


async def post(trigger: TriggerUnderTest, record_id: str, code: str = OTHER_ENTERPRISE) -> str:
    r = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(
            trigger.trigger.today(),
            record_id=record_id,
            list_type=TRADING.code,
            subject={"code": code, "subject_type": "legal_person", "name": "围标企业"},
        ),
        headers=trigger.as_department("trading"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "awaiting_recognition"
    assert r.json()["recognition"]["pending"] == CONVENED
    return str(r.json()["entry_id"])


async def vote(trigger: TriggerUnderTest, entry_id: str, department: str, choice: str) -> Any:
    return await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/votes",
        json={"vote": choice, "comment": "认定会议意见"},
        headers=trigger.as_department(department),
    )


async def expert_vote(trigger: TriggerUnderTest, entry_id: str, expert: str, choice: str) -> Any:
    return await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/expert-votes",
        json={"expert_id": expert, "vote": choice},
        headers=trigger.as_office(),
    )


async def draw(trigger: TriggerUnderTest, entry_id: str, body: Any, headers: Any) -> Any:
    return await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/expert-draw", json=body, headers=headers
    )


async def test_the_office_keeps_each_groups_pool_in_versions(trigger: TriggerUnderTest) -> None:
    refused = await trigger.client.put(
        f"/v1/expert-pools/{GROUP}",
        json={"experts": EXPERTS, "departments": CONVENED},
        headers=trigger.as_department("trading"),
    )
    assert refused.status_code == 403
    first = await put_pool(trigger)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1 and first.json()["changed_by"] == "credit-office"
    assert (await put_pool(trigger)).json()["version"] == 1  # nothing changed
    second = await put_pool(trigger, experts=EXPERTS[:10])
    assert second.json()["version"] == 2 and len(second.json()["experts"]) == 10
    read = await trigger.client.get(
        f"/v1/expert-pools/{GROUP}", headers=trigger.as_department("finance")
    )
    assert read.json()["version"] == 2
    old = await trigger.client.get(
        f"/v1/expert-pools/{GROUP}/versions/1", headers=trigger.as_department("finance")
    )
    assert len(old.json()["experts"]) == 20  # history kept
    twice = await put_pool(trigger, experts=[EXPERTS[0], EXPERTS[0]])
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["reason"] == "duplicate_expert"


async def test_a_draw_cannot_be_chosen_and_is_reverified_from_its_record(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    entry_id = await post(trigger, "GGZY-3")
    finance = trigger.as_department("finance")
    assert (await draw(trigger, entry_id, {"count": 3}, finance)).status_code == 409  # no pool
    await put_pool(trigger)
    for chosen in ({"count": 3, "seed": 269}, {"count": 3, "pool": ["expert-01"]}):
        refused = await draw(trigger, entry_id, chosen, finance)
        assert refused.status_code == 422
        [problem] = refused.json()["errors"]
        assert problem["reason"] == "draw_chosen_by_platform"
        assert "the platform" in problem["message"]
    too_many = await draw(trigger, entry_id, {"count": 16}, finance)
    assert too_many.status_code == 422  # 20 experts, 5 of them the initiating department's
    assert too_many.json()["errors"][0]["reason"] == "count_exceeds_pool"
    assert (
        await draw(trigger, entry_id, {"count": 3}, trigger.as_department("tax"))
    ).status_code == 403

    made = await draw(trigger, entry_id, {"count": 3}, finance)
    assert made.status_code == 200, made.text
    record = made.json()
    assert len(record["seed"]) == 32 and record["drawn_by"] == "finance"
    assert record["excluded"] == [f"expert-{i:02}" for i in range(5)]
    assert not set(record["experts"]) & set(record["excluded"])

    # One draw per meeting: a department cannot draw again; the office only, with a reason.
    assert (await draw(trigger, entry_id, {"count": 3}, finance)).status_code == 409
    no_reason = await draw(trigger, entry_id, {"count": 3}, trigger.as_office())
    assert no_reason.json()["errors"][0]["reason"] == "redraw_reason_required"
    again = await draw(trigger, entry_id, {"count": 3, "reason": "专家回避"}, trigger.as_office())
    assert again.status_code == 200 and again.json()["reason"] == "专家回避"

    # Anyone re-verifies every draw from the record and the pool version it names.
    shown = await trigger.client.get(
        f"/v1/list-entries/{entry_id}/recognition/expert-draw", headers=trigger.as_department("tax")
    )
    assert [d["seed"] for d in shown.json()] == [record["seed"], again.json()["seed"]]
    for d in shown.json():
        pool = await trigger.client.get(
            f"/v1/expert-pools/{d['pool_group']}/versions/{d['pool_version']}",
            headers=trigger.as_department("tax"),
        )
        members = sorted(e["id"] for e in pool.json()["experts"])
        initiator = [e["id"] for e in pool.json()["experts"] if e["department"] == "trading"]
        assert d["pool"] == members and d["excluded"] == sorted(initiator)
        candidates = [m for m in members if m not in initiator]
        assert d["experts"] == draw_experts(candidates, d["count"], d["seed"])
    entry = await trigger.client.get(
        f"/v1/list-entries/{entry_id}", headers=trigger.as_department("trading")
    )
    assert entry.json()["recognition"]["experts"] == again.json()["experts"]


async def test_departments_and_a_majority_of_drawn_experts_approve_and_only_then_it_is_sent(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    await put_pool(trigger)
    entry_id = await post(trigger, "GGZY-1")
    first = await vote(trigger, entry_id, "trading", "approve")
    assert first.status_code == 200 and first.json()["status"] == "awaiting_recognition"
    assert (await vote(trigger, entry_id, "trading", "approve")).status_code == 409
    outsider = await vote(trigger, entry_id, "tax", "approve")
    assert outsider.status_code == 403 and "not convened" in outsider.json()["detail"]
    await vote(trigger, entry_id, "finance", "approve")
    last = await vote(trigger, entry_id, "construction", "approve")
    assert last.json()["status"] == "awaiting_recognition"  # the experts have not voted
    assert "every convened department approves" in last.json()["recognition"]["rule"]
    experts = (
        await draw(trigger, entry_id, {"count": 3}, trigger.as_department("trading"))
    ).json()["experts"]
    by_department = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/expert-votes",
        json={"expert_id": experts[0], "vote": "approve"},
        headers=trigger.as_department("trading"),
    )
    assert by_department.status_code == 403  # the office records the experts' votes
    not_drawn = await expert_vote(trigger, entry_id, "expert-00", "approve")
    assert not_drawn.status_code == 422
    assert not_drawn.json()["errors"][0]["reason"] == "expert_not_drawn"
    assert (await expert_vote(trigger, entry_id, experts[0], "approve")).json()[
        "status"
    ] == "awaiting_recognition"
    assert (await expert_vote(trigger, entry_id, experts[1], "reject")).json()[
        "status"
    ] == "awaiting_recognition"
    assert await trigger.outbox(IN_FORCE) == []
    decided = await expert_vote(trigger, entry_id, experts[2], "approve")
    assert decided.json()["status"] == "in_force"
    recognition = decided.json()["recognition"]
    assert [v["department"] for v in recognition["votes"]] == CONVENED
    assert {v["expert_id"]: v["vote"] for v in recognition["expert_votes"]} == {
        experts[0]: "approve",
        experts[1]: "reject",
        experts[2]: "approve",
    }
    assert all(v["recorded_by"] == "credit-office" for v in recognition["expert_votes"])
    [event] = await trigger.outbox(IN_FORCE)
    assert event["entry_id"] == entry_id
    assert (await vote(trigger, entry_id, "finance", "reject")).status_code == 409


async def test_one_rejection_rejects_the_entry_and_it_never_reaches_enforcement(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    entry_id = await post(trigger, "GGZY-2")
    await vote(trigger, entry_id, "trading", "approve")
    rejected = await vote(trigger, entry_id, "finance", "reject")
    assert rejected.json()["status"] == "rejected"
    assert (await vote(trigger, entry_id, "construction", "approve")).status_code == 409
    revoke = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "x"},
        headers=trigger.as_department("trading"),
    )
    assert revoke.status_code == 409
    assert await trigger.outbox() == []


async def test_a_case_spanning_several_groups_is_decided_by_the_office(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    await put_pool(trigger, departments=["trading", "finance"])  # construction: another group
    entry_id = await post(trigger, "GGZY-4")
    not_yet = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/escalation/decision",
        json={"decision": "approve", "reason": "x"},
        headers=trigger.as_office(),
    )
    assert not_yet.status_code == 409
    experts = (
        await draw(trigger, entry_id, {"count": 3}, trigger.as_department("finance"))
    ).json()["experts"]
    for department in CONVENED:
        await vote(trigger, entry_id, department, "approve")
    for expert in experts:
        await expert_vote(trigger, entry_id, expert, "approve")
    shown = await trigger.client.get(
        f"/v1/list-entries/{entry_id}", headers=trigger.as_department("trading")
    )
    assert shown.json()["status"] == "awaiting_recognition"
    escalation = shown.json()["recognition"]["escalation"]
    assert escalation["group"] == GROUP and escalation["outside_departments"] == ["construction"]
    assert "joint conference office decides" in shown.json()["recognition"]["rule"]
    by_department = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/escalation/decision",
        json={"decision": "approve", "reason": "x"},
        headers=trigger.as_department("trading"),
    )
    assert by_department.status_code == 403
    decided = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/escalation/decision",
        json={"decision": "approve", "reason": "联席会议办公室认定"},
        headers=trigger.as_office(),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "in_force"
    assert decided.json()["recognition"]["escalation"]["decided_by"] == "credit-office"
    [event] = await trigger.outbox(IN_FORCE)
    assert event["entry_id"] == entry_id
