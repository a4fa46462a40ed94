"""Recognition meetings through the HTTP API (002 二(二)2): an entry that needs one reaches
enforcement only when every convened department approves."""

from __future__ import annotations

import random
from typing import Any

import pytest

from jrp_trigger.testing import OTHER_ENTERPRISE, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
TRADING = list_type(
    "black.trading.serious-dishonesty",
    initiating_departments=["trading", "finance", "construction"],
    recognition_meeting_required=True,
)
POOL = [f"expert-{i}" for i in range(20)]


async def post(trigger: TriggerUnderTest, record_id: str, code: str) -> str:
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
    assert r.json()["recognition"]["pending"] == ["trading", "finance", "construction"]
    return str(r.json()["entry_id"])


async def vote(trigger: TriggerUnderTest, entry_id: str, department: str, choice: str) -> Any:
    return await trigger.client.post(
        f"/v1/list-entries/{entry_id}/recognition/votes",
        json={"vote": choice, "comment": "认定会议意见"},
        headers=trigger.as_department(department),
    )


async def test_all_convened_departments_approve_and_only_then_it_is_sent(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    entry_id = await post(trigger, "GGZY-1", OTHER_ENTERPRISE)
    assert await trigger.outbox(IN_FORCE) == []
    first = await vote(trigger, entry_id, "trading", "approve")
    assert first.status_code == 200 and first.json()["status"] == "awaiting_recognition"
    assert (await vote(trigger, entry_id, "trading", "approve")).status_code == 409
    outsider = await vote(trigger, entry_id, "tax", "approve")
    assert outsider.status_code == 403 and "not convened" in outsider.json()["message"]
    await vote(trigger, entry_id, "finance", "approve")
    assert await trigger.outbox(IN_FORCE) == []
    last = await vote(trigger, entry_id, "construction", "approve")
    assert last.json()["status"] == "in_force"
    votes = last.json()["recognition"]["votes"]
    assert [v["department"] for v in votes] == ["trading", "finance", "construction"]
    assert all(v["voted_at"] and v["comment"] == "认定会议意见" for v in votes)
    [event] = await trigger.outbox(IN_FORCE)
    assert event["entry_id"] == entry_id
    assert (await vote(trigger, entry_id, "finance", "reject")).status_code == 409


async def test_one_rejection_rejects_the_entry_and_it_never_reaches_enforcement(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    entry_id = await post(trigger, "GGZY-2", OTHER_ENTERPRISE)
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


async def test_experts_are_drawn_reproducibly_and_recorded_on_the_entry(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    entry_id = await post(trigger, "GGZY-3", OTHER_ENTERPRISE)
    url = f"/v1/list-entries/{entry_id}/recognition/expert-draw"
    seeded = await trigger.client.post(
        url,
        json={"pool": POOL, "count": 3, "seed": "meeting-2026-11"},
        headers=trigger.as_department("finance"),
    )
    assert seeded.status_code == 200, seeded.text
    assert seeded.json()["experts"] == random.Random("meeting-2026-11").sample(sorted(POOL), 3)
    assert seeded.json()["drawn_by"] == "finance"
    unseeded = await trigger.client.post(
        url, json={"pool": POOL, "count": 2}, headers=trigger.as_office()
    )
    draw = unseeded.json()
    assert draw["seed"] and draw["experts"] == random.Random(draw["seed"]).sample(sorted(POOL), 2)
    too_many = await trigger.client.post(
        url, json={"pool": ["a", "a"], "count": 2}, headers=trigger.as_department("trading")
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["reason"] == "count_exceeds_pool"
    outsider = await trigger.client.post(
        url, json={"pool": POOL, "count": 1}, headers=trigger.as_department("tax")
    )
    assert outsider.status_code == 403
    shown = await trigger.client.get(
        f"/v1/list-entries/{entry_id}", headers=trigger.as_department("trading")
    )
    draws = shown.json()["recognition"]["expert_draws"]
    assert [(d["seed"], d["drawn_by"], d["count"]) for d in draws] == [
        ("meeting-2026-11", "finance", 3),
        (draw["seed"], "credit-office", 2),
    ]
    assert draws[0]["pool"] == POOL
