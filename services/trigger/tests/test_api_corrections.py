"""Corrections and revocations through the HTTP API: a new version each time, the history
kept, and enforcement told (DOMAIN.md §5, §7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jrp_trigger.testing import (
    OTHER_ENTERPRISE,
    TriggerUnderTest,
    list_type,
    tax_entry,
)

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
REVOKED = "cn.jrp.trigger.list-entry.revoked.v1"


def correction(trigger: TriggerUnderTest, **changes: Any) -> dict[str, Any]:
    body = tax_entry(trigger.trigger.today(), **changes)
    del body["record_id"]
    return {**body, "reason": "更正处罚决定文号"}


async def posted(trigger: TriggerUnderTest) -> str:
    await trigger.seed(list_type())
    r = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(trigger.trigger.today()),
        headers=trigger.as_department(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["entry_id"])


async def test_a_correction_makes_a_new_version_and_is_sent_again(
    trigger: TriggerUnderTest,
) -> None:
    entry_id = await posted(trigger)
    url = f"/v1/list-entries/{entry_id}/corrections"
    fixed = correction(
        trigger,
        decision_document={"number": "闽税稽罚〔2026〕13号", "date": str(trigger.trigger.today())},
    )
    r = await trigger.client.post(url, json=fixed, headers=trigger.as_department())
    assert r.status_code == 200, r.text
    entry = r.json()
    assert entry["version"] == 2 and entry["decision_document"]["number"].endswith("13号")
    assert [v["version"] for v in entry["versions"]] == [1, 2]
    assert entry["versions"][0]["decision_document"]["number"].endswith("12号")
    assert entry["versions"][1]["reason"] == "更正处罚决定文号"
    events = await trigger.outbox(IN_FORCE)
    assert [e["version"] for e in events] == [1, 2]
    assert events[1]["decision_document"]["number"].endswith("13号")

    repeated = await trigger.client.post(url, json=fixed, headers=trigger.as_department())
    assert repeated.json()["version"] == 2 and len(await trigger.outbox(IN_FORCE)) == 2

    # The department's system re-posting its record as corrected gets the same entry back.
    reposted = await trigger.client.post(
        "/v1/list-entries",
        json={**{k: v for k, v in fixed.items() if k != "reason"}, "record_id": "闽税-2026-0001"},
        headers=trigger.as_department(),
    )
    assert reposted.status_code == 200 and reposted.json()["entry_id"] == entry_id


async def test_corrections_follow_the_rules_of_a_submission(trigger: TriggerUnderTest) -> None:
    entry_id = await posted(trigger)
    url = f"/v1/list-entries/{entry_id}/corrections"
    today = trigger.trigger.today()
    by_other = await trigger.client.post(
        url, json=correction(trigger), headers=trigger.as_department("market")
    )
    assert by_other.status_code == 403
    too_long = await trigger.client.post(
        url,
        json=correction(
            trigger, period={"start": str(today), "end": str(today + timedelta(days=1200))}
        ),
        headers=trigger.as_department(),
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["reason"] == "period_exceeds_max"
    other_subject = await trigger.client.post(
        url,
        json=correction(
            trigger,
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "别的企业"},
        ),
        headers=trigger.as_department(),
    )
    assert other_subject.status_code == 422
    assert other_subject.json()["errors"][0]["reason"] == "not_correctable"
    no_reason = {k: v for k, v in correction(trigger).items() if k != "reason"}
    missing = await trigger.client.post(url, json=no_reason, headers=trigger.as_department())
    assert missing.status_code == 422
    assert len(await trigger.outbox(IN_FORCE)) == 1


async def test_a_revocation_is_sent_once_and_ends_corrections(trigger: TriggerUnderTest) -> None:
    entry_id = await posted(trigger)
    url = f"/v1/list-entries/{entry_id}/revocation"
    by_other = await trigger.client.post(
        url, json={"reason": "x"}, headers=trigger.as_department("market")
    )
    assert by_other.status_code == 403
    r = await trigger.client.post(
        url, json={"reason": "行政复议撤销原处罚决定"}, headers=trigger.as_department()
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert r.json()["revocation"]["revoked_by"] == "tax"
    [event] = await trigger.outbox(REVOKED)
    assert event["entry_id"] == entry_id and event["reason"] == "行政复议撤销原处罚决定"
    assert event["subject_code"] == "91350100M000100Y43" and event["version"] == 1
    twice = await trigger.client.post(
        url, json={"reason": "again"}, headers=trigger.as_department()
    )
    assert twice.status_code == 409
    corrected = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/corrections",
        json=correction(trigger, grounds="x"),
        headers=trigger.as_department(),
    )
    assert corrected.status_code == 409
    assert len(await trigger.outbox(REVOKED)) == 1


def _officer(trigger: TriggerUnderTest, officer: str = "officer-0a1b2c3d4e5f") -> dict[str, str]:
    """A tax officer's token (issue 16, docs/security.md "Officers")."""
    token, _ = trigger.keys.issuer.issue(
        "tax", frozenset({"initiator", "reviewer"}), officer=officer, officer_version=1
    )
    return {"Authorization": f"Bearer {token}"}


async def test_the_officer_who_corrected_and_revoked_is_recorded(
    trigger: TriggerUnderTest,
) -> None:
    entry_id = await posted(trigger)
    fixed = correction(
        trigger,
        decision_document={"number": "闽税稽罚〔2026〕13号", "date": str(trigger.trigger.today())},
    )
    corrected = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/corrections", json=fixed, headers=_officer(trigger)
    )
    assert corrected.status_code == 200, corrected.text
    versions = corrected.json()["versions"]
    assert [v["recorded_by_officer"] for v in versions] == [None, "officer-0a1b2c3d4e5f"]
    assert versions[1]["recorded_by"] == "tax"
    revoked = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "行政复议撤销原处罚决定"},
        headers=_officer(trigger, "officer-ffeeddccbbaa"),
    )
    assert revoked.status_code == 200, revoked.text
    revocation = revoked.json()["revocation"]
    assert revocation["revoked_by"] == "tax"
    assert revocation["revoked_by_officer"] == "officer-ffeeddccbbaa"
    read = await trigger.client.get(f"/v1/list-entries/{entry_id}", headers=trigger.as_department())
    assert read.json()["revocation"]["revoked_by_officer"] == "officer-ffeeddccbbaa"
    assert read.json()["versions"][1]["recorded_by_officer"] == "officer-0a1b2c3d4e5f"
    [event] = await trigger.outbox(REVOKED)
    assert event["revoked_by"] == "tax" and event["officer"] == "officer-ffeeddccbbaa"
