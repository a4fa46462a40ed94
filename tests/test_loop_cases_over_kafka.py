"""More of the loop over the real broker: a red list (rewards), a recognition meeting, and bad
input at every entry point (HTTP, bulk, the inbound topics, the must-check)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from test_loop_over_kafka import (
    ENTERPRISE,
    catalog_ready,
    expected_orders,
    orders_on_topics,
    tax_entry,
)

from harness import Mesh
from jrp_shared.events import topics
from jrp_shared.events.payloads import ListEntrySubmission, ReceiptAcknowledged
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import TopicReader, eventually

pytestmark = pytest.mark.integration

ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
OTHER_ENTERPRISE = "91110000802100433B"
THIRD_ENTERPRISE = "91440300708461136T"


async def test_a_red_list_entry_brings_rewards_to_each_department(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    red = "red.tax.a-grade-taxpayer"
    expected = expected_orders(red, subject_type="legal_person", with_person=False)
    today = date.today()
    posted = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(
            record_id="A-2026-1",
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "守信企业"},
            list_type=red,
            grounds="纳税信用年度评价为A级",
            legal_basis="《纳税信用管理办法（试行）》",
            linked_persons=[],
            period={"start": str(today), "end": str(today + timedelta(days=300))},
        ),
        headers=mesh.keys.headers("tax", "initiator"),
    )
    assert posted.status_code == 201, posted.text
    departments = {d for d, _ in expected}
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        issued = await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
    for department, messages in issued.items():
        [order] = messages
        assert order.body["colour"] == "red"
        assert {m["code"] for m in order.body["measures"]} == expected[(department, "subject")]
        assert {m["kind"] for m in order.body["measures"]} == {"reward"}
    department = sorted(departments)[0]
    check = await enforcement.client.get(
        f"/v1/checks/{OTHER_ENTERPRISE}", headers=mesh.keys.headers(department, "implementer")
    )
    answer = check.json()
    assert answer["rewarded"] is True and answer["listed"] is False
    assert {m["code"] for m in answer["rewards"]} == expected[(department, "subject")]


async def test_a_recognition_meeting_decides_whether_an_entry_reaches_enforcement(
    mesh: Mesh,
) -> None:
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    trading = "black.trading.serious-dishonesty"
    voters = ["trading", "finance", "construction", "transport", "natural-resources"]
    expected = expected_orders(trading, subject_type="legal_person", with_person=False)

    async def post(record_id: str, code: str) -> str:
        r = await trigger.client.post(
            "/v1/list-entries",
            json=tax_entry(
                record_id=record_id,
                subject={"code": code, "subject_type": "legal_person", "name": "围标企业"},
                list_type=trading,
                grounds="围标串标",
                legal_basis="《中华人民共和国招标投标法》",
                linked_persons=[],
            ),
            headers=mesh.keys.headers("trading", "initiator"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "awaiting_recognition"
        return str(r.json()["entry_id"])

    async def vote(entry_id: str, department: str, vote: str) -> dict[str, Any]:
        r = await trigger.client.post(
            f"/v1/list-entries/{entry_id}/recognition/votes",
            json={"vote": vote, "comment": "认定会议意见"},
            headers=mesh.keys.headers(department, "initiator"),
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    # The office keeps the group's expert pool; the group's members are the departments the
    # trading list convenes, so this case stays with the group (no escalation).
    office = mesh.keys.headers("credit-office", "administrator")
    pool = await trigger.client.put(
        "/v1/expert-pools/public-resource-trading",
        json={
            "experts": [
                {"id": f"expert-{i}", "name": f"专家{i}", "department": "university"}
                for i in range(20)
            ],
            "departments": voters,
        },
        headers=office,
    )
    assert pool.status_code == 200, pool.text

    async def draw(entry_id: str) -> list[str]:
        r = await trigger.client.post(
            f"/v1/list-entries/{entry_id}/recognition/expert-draw",
            json={"count": 3},
            headers=mesh.keys.headers("trading", "initiator"),
        )
        assert r.status_code == 200, r.text
        return list(r.json()["experts"])

    approved = await post("GGZY-1", OTHER_ENTERPRISE)
    rejected = await post("GGZY-2", THIRD_ENTERPRISE)
    chosen = await trigger.client.post(
        f"/v1/list-entries/{approved}/recognition/expert-draw",
        json={"count": 3, "seed": "meeting-2026-11"},
        headers=mesh.keys.headers("trading", "initiator"),
    )
    assert chosen.status_code == 422  # the platform makes the seed
    experts = await draw(approved)
    await draw(rejected)

    for department in voters:
        assert (await vote(approved, department, "approve"))["status"] == "awaiting_recognition"
    assert (await vote(rejected, "finance", "reject"))["status"] == "rejected"
    for expert in experts[:-1]:
        r = await trigger.client.post(
            f"/v1/list-entries/{approved}/recognition/expert-votes",
            json={"expert_id": expert, "vote": "approve"},
            headers=office,
        )
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_force"  # every department and 2 of 3 experts approve

    async with TopicReader(mesh.kafka_bootstrap) as reader:
        issued = await orders_on_topics(
            mesh, reader, {d for d, _ in expected}, len(expected), ISSUED
        )
    subjects = {m.key for messages in issued.values() for m in messages}
    assert subjects == {OTHER_ENTERPRISE}  # the rejected entry never reached enforcement
    headers = mesh.keys.headers("finance", "implementer")
    listed = await enforcement.client.get(f"/v1/checks/{OTHER_ENTERPRISE}", headers=headers)
    assert listed.json()["listed"] is True
    not_listed = await enforcement.client.get(f"/v1/checks/{THIRD_ENTERPRISE}", headers=headers)
    assert not_listed.json()["listed"] is False


async def test_bad_input_is_refused_clearly_at_every_entry_point(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    tax = mesh.keys.headers("tax", "initiator")
    today = date.today()

    async def refused(body: dict[str, Any], headers: dict[str, str] = tax) -> str:
        r = await trigger.client.post("/v1/list-entries", json=body, headers=headers)
        assert 400 <= r.status_code < 500, r.text
        return r.text

    assert "black.tax.no-such-list" in await refused(tax_entry(list_type="black.tax.no-such-list"))
    assert "market" in await refused(
        tax_entry(), headers=mesh.keys.headers("market", "initiator")
    )  # 谁主管、谁负责: market regulation may not initiate the tax list
    assert (
        "max"
        in (
            await refused(
                tax_entry(period={"start": str(today), "end": str(today + timedelta(days=365 * 4))})
            )
        ).lower()
    )
    assert "uscc_check_character" in await refused(
        tax_entry(
            subject={"code": "91350100M000100Y42", "subject_type": "legal_person", "name": "x"}
        )
    )
    future = str(today + timedelta(days=3))
    assert (
        "future"
        in (await refused(tax_entry(decision_document={"number": "x", "date": future}))).lower()
    )
    assert (
        "in force"
        in (
            await refused(
                tax_entry(
                    decision_document={"number": "x", "date": "2025-06-01"},
                    period={"start": "2025-06-01", "end": "2027-06-01"},
                )
            )
        ).lower()
    )

    # Bulk: bad lines get their own results, good lines go through.
    lines = [
        tax_entry(
            record_id="bulk-ok",
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "好"},
        ),
        tax_entry(record_id="bulk-bad", list_type="black.nope"),
    ]
    body = "\n".join(json.dumps(line) for line in lines) + "\n{broken\n"
    bulk = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=body.encode(),
        headers={**tax, "Content-Type": "application/x-ndjson"},
    )
    assert bulk.status_code == 200, bulk.text
    results = [json.loads(x) for x in bulk.text.splitlines() if x.strip()]
    statuses = [r.get("status") for r in results if "line" in r]
    assert statuses == ["created", "rejected", "rejected"]

    # The inbound topics: a refused submission and a report without a valid token are
    # dead-lettered with the reason.
    submission = ListEntrySubmission.model_validate(tax_entry(list_type="black.nope"))
    refused_message = inbound_message(submission, "tax", mesh.keys.token("tax", "initiator"))
    receipt = ReceiptAcknowledged(
        order_id="no-such-order", subject_code=ENTERPRISE, received_at=datetime.now(UTC)
    )
    forged = inbound_message(receipt, "finance", "forged-token")
    await mesh.send(refused_message, forged)
    reader = AIOKafkaConsumer(
        mesh.topic(topics.DEAD_LETTER),
        bootstrap_servers=mesh.kafka_bootstrap,
        group_id=f"{mesh.namespace}.inspector",
        auto_offset_reset="earliest",
    )
    await reader.start()
    letters: list[dict[str, Any]] = []
    try:

        async def both() -> list[dict[str, Any]] | None:
            for messages in (await reader.getmany(timeout_ms=500)).values():
                letters.extend(json.loads(m.value) for m in messages)
            topics_seen = {x["source_topic"] for x in letters}
            wanted = {topics.LIST_ENTRY_SUBMISSIONS, topics.DEPARTMENT_REPORTS}
            return letters if wanted <= topics_seen else None

        await eventually(both, within=60)
    finally:
        await reader.stop()
    reasons = {x["source_topic"]: x["reason"] for x in letters}
    assert "black.nope" in reasons[topics.LIST_ENTRY_SUBMISSIONS]
    assert "unauthenticated" in reasons[topics.DEPARTMENT_REPORTS]

    # Enforcement: a malformed code to the must-check, an order that does not exist.
    finance = mesh.keys.headers("finance", "implementer")
    bad_check = await enforcement.client.get("/v1/checks/91350100M000100Y42", headers=finance)
    assert bad_check.status_code == 422
    assert "position" in bad_check.text
    missing = await enforcement.client.post(
        "/v1/sanction-orders/no-such-order/receipt", json={}, headers=finance
    )
    assert missing.status_code == 404
