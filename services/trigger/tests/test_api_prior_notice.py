"""Prior notice through every entry point (国办发〔2020〕49号; DOMAIN.md §11; issue 14 part 4):
HTTP, bulk (NDJSON and CSV) and the inbound topic share one rule, and the entry carries the
notice to its readers and to enforcement."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from jrp_shared.events import topics
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import eventually
from jrp_trigger.testing import TriggerUnderTest, list_type, prior_notice, tax_entry

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
NOTICED = list_type(prior_notice={"required": True, "response_window_working_days": 5})


async def test_a_listing_needs_the_notice_and_waits_for_the_window(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(NOTICED)
    today = trigger.trigger.today()
    missing = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(today), headers=trigger.as_department()
    )
    assert missing.status_code == 422
    assert [p["reason"] for p in missing.json()["errors"]] == ["prior_notice_required"]
    open_window = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, prior_notice=prior_notice(today, response_received=False)),
        headers=trigger.as_department(),
    )
    assert open_window.status_code == 422
    [problem] = open_window.json()["errors"]
    assert problem["reason"] == "response_window_open" and problem["window_ends"] > str(today)
    assert problem["window_ends"] in problem["message"]
    late = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, prior_notice=prior_notice(today + timedelta(days=1))),
        headers=trigger.as_department(),
    )
    assert late.json()["errors"][0]["reason"] == "notice_in_future"

    told = prior_notice(today - timedelta(days=30), response_received=False)
    posted = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, prior_notice=told),
        headers=trigger.as_department(),
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["prior_notice"] == told
    [event] = await trigger.outbox(IN_FORCE)
    assert event["prior_notice"] == told
    # A correction keeps the notice given before the listing.
    body = {k: v for k, v in tax_entry(today, grounds="更正事由").items() if k != "record_id"}
    corrected = await trigger.client.post(
        f"/v1/list-entries/{posted.json()['entry_id']}/corrections",
        json={**body, "reason": "更正"},
        headers=trigger.as_department(),
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["prior_notice"] == told
    # Sent with the correction, the notice's record is corrected too (dates checked again).
    fixed = {**told, "document_number": "闽税稽告〔2026〕99号"}
    renumbered = await trigger.client.post(
        f"/v1/list-entries/{posted.json()['entry_id']}/corrections",
        json={**body, "reason": "更正告知书文号", "prior_notice": fixed},
        headers=trigger.as_department(),
    )
    assert renumbered.status_code == 200, renumbered.text
    assert renumbered.json()["prior_notice"]["document_number"] == "闽税稽告〔2026〕99号"
    future = {**told, "notified_on": str(today + timedelta(days=3))}
    refused = await trigger.client.post(
        f"/v1/list-entries/{posted.json()['entry_id']}/corrections",
        json={**body, "reason": "x", "prior_notice": future},
        headers=trigger.as_department(),
    )
    assert refused.json()["errors"][0]["reason"] == "notice_in_future"


async def test_bulk_lines_and_the_topic_go_through_the_same_rule(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(NOTICED)
    today = trigger.trigger.today()
    told = prior_notice(today - timedelta(days=30))
    lines = [
        tax_entry(today, record_id="b-1", prior_notice=told),
        tax_entry(today, record_id="b-2"),
    ]
    bulk = await trigger.client.post(
        "/v1/list-entries/bulk",
        content="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode(),
        headers={**trigger.as_department(), "Content-Type": "application/x-ndjson"},
    )
    results = [json.loads(x) for x in bulk.text.splitlines() if x.strip()]
    by_record = {r.get("record_id"): r for r in results if "line" in r}
    assert by_record["b-1"]["status"] == "created"
    assert by_record["b-2"]["status"] == "rejected"
    assert by_record["b-2"]["problems"][0]["reason"] == "prior_notice_required"

    row = {
        "record_id": "csv-1",
        "subject_code": "91110000802100433B",
        "subject_type": "legal_person",
        "subject_name": "北京示例",
        "list_type": NOTICED.code,
        "grounds": "虚开发票",
        "legal_basis": "《税收征收管理法》",
        "decision_number": "闽税稽罚〔2026〕13号",
        "decision_date": str(today),
        "period_start": str(today),
        "period_end": str(today + timedelta(days=700)),
        "disclosure_class": "public",
        "prior_notice_notified_on": str(today - timedelta(days=30)),
        "prior_notice_channel": "post",
        "prior_notice_document_number": "闽税稽告〔2026〕13号",
        "prior_notice_response_received": "false",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    csv_bulk = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=out.getvalue().encode(),
        headers={**trigger.as_department(), "Content-Type": "text/csv; charset=utf-8"},
    )
    [created] = [json.loads(x) for x in csv_bulk.text.splitlines() if '"line"' in x]
    assert created["status"] == "created", created
    shown = await trigger.client.get(
        f"/v1/list-entries/{created['entry_id']}", headers=trigger.as_department()
    )
    assert shown.json()["prior_notice"]["channel"] == "post"

    token = trigger.keys.token("tax", "initiator")
    unnoticed = ListEntrySubmission.model_validate(tax_entry(today, record_id="k-1"))
    await trigger.send(inbound_message(unnoticed, "tax", token))

    async def letter() -> list[dict[str, Any]] | None:
        letters = await trigger.dead_letters()
        return letters or None

    [dead] = await eventually(letter)
    assert dead["source_topic"] == topics.LIST_ENTRY_SUBMISSIONS
    assert "prior_notice_required" in dead["reason"] or "prior notice" in dead["reason"]
