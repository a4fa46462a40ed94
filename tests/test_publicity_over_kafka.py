"""Double publicity (双公示) across the mesh over the real broker (issue 13 part 4; DOMAIN.md §9,
§11, §12): a department posts a penalty decision to trigger; the registry's public lookup
shows it without a token, masked where the counterpart is a person; appeals delivers the
decision with its repair guidance to the counterpart (两书同达), once; a withdrawal takes it out
of the public lookup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from harness import Mesh
from jrp_shared.clock import china_date
from jrp_shared.testing import eventually, sample_resident_id, sample_uscc

pytestmark = pytest.mark.integration


def _penalty(record_id: str, counterpart: dict[str, Any], number: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "kind": "penalty",
        "counterpart": counterpart,
        "decision_number": number,
        "decision_date": china_date(datetime.now(UTC)).isoformat(),
        "penalty": {
            "illegal_act": "发布虚假广告",
            "provision_violated": "《中华人民共和国广告法》第二十八条",
            "legal_basis": "《中华人民共和国广告法》第五十五条",
            "penalty_types": ["fine"],
            "content": "罚款人民币五万元",
            "fine_amount": 50000,
            "severity": "general",
        },
    }


async def _public(mesh: Mesh, q: str) -> list[dict[str, Any]]:
    registry = mesh.registry
    r = await registry.client.get("/v1/public/decisions", params={"q": q})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


async def test_a_penalty_is_published_delivered_with_its_repair_guidance_and_withdrawn(
    mesh: Mesh,
) -> None:
    trigger, appeals = mesh.followers["trigger"], mesh.followers["appeals"]
    market = mesh.keys.headers("market", "initiator")
    company = sample_uscc(41301)
    person = sample_resident_id(41302)
    posted = await trigger.client.post(
        "/v1/publicity/decisions",
        json=_penalty(
            "榕市监罚-2026-0001",
            {
                "name": "福州虚假广告示例科技有限公司",
                "category": "legal_person",
                "code": company,
                "legal_representative": "张三",
            },
            "榕市监罚〔2026〕101号",
        ),
        headers=market,
    )
    assert posted.status_code == 201, posted.text
    decision = posted.json()
    assert decision["state"] == "published"
    assert decision["repair_guidance"]
    by_person = await trigger.client.post(
        "/v1/publicity/decisions",
        json=_penalty(
            "榕市监罚-2026-0002",
            {"name": "李四", "category": "natural_person", "code": person},
            "榕市监罚〔2026〕102号",
        ),
        headers=market,
    )
    assert by_person.status_code == 201, by_person.text

    async def shown() -> list[dict[str, Any]] | None:
        found = await _public(mesh, "虚假广告示例科技")
        return found or None

    found = await eventually(shown, within=60)
    assert found is not None and len(found) == 1
    public = found[0]
    assert public["decision_number"] == "榕市监罚〔2026〕101号"
    assert public["counterpart"]["code"] == company
    assert "repair_guidance" not in public  # told to the counterpart, not to the public
    # The subject lookup by code shows it too (the counterpart is known from the decision).
    looked_up = await mesh.registry.client.get(f"/v1/public/subjects/{company}")
    assert looked_up.status_code == 200, looked_up.text
    assert [d["decision_number"] for d in looked_up.json()["publicity_decisions"]] == [
        "榕市监罚〔2026〕101号"
    ]

    async def person_shown() -> list[dict[str, Any]] | None:
        return await _public(mesh, "榕市监罚〔2026〕102号") or None

    masked = await eventually(person_shown, within=60)
    assert masked is not None
    assert masked[0]["counterpart"]["code"] == f"{person[:6]}********{person[14:]}"
    assert person not in str(masked)
    # A partial resident ID never finds the person.
    fragment = await mesh.registry.client.get("/v1/public/decisions", params={"q": person[:10]})
    assert fragment.status_code == 422
    assert person[:10] not in fragment.text

    # 两书同达: the company is told the decision with its repair guidance, once.
    subject = mesh.keys.subject_headers(company)

    async def delivered() -> list[dict[str, Any]] | None:
        r = await appeals.client.get("/v1/notifications", headers=subject)
        assert r.status_code == 200, r.text
        notes = [n for n in r.json() if n["about"] == "penalty_decision"]
        return notes or None

    notes = await eventually(delivered, within=60)
    assert notes is not None and len(notes) == 1
    assert "榕市监罚〔2026〕101号" in notes[0]["body"]

    # Withdrawn (revoked by the deciding department): gone from the public lookup.
    withdrawn = await trigger.client.post(
        f"/v1/publicity/decisions/{decision['decision_id']}/withdrawal",
        json={"reason": "revoked", "note": "行政复议撤销"},
        headers=market,
    )
    assert withdrawn.status_code == 200, withdrawn.text

    async def gone() -> bool | None:
        return True if not await _public(mesh, "虚假广告示例科技") else None

    assert await eventually(gone, within=60)
    assert (await mesh.registry.client.get(f"/v1/public/subjects/{company}")).status_code == 404
    # ...and the notice was not sent twice by the correction-free withdrawal.
    r = await appeals.client.get("/v1/notifications", headers=subject)
    assert len([n for n in r.json() if n["about"] == "penalty_decision"]) == 1
