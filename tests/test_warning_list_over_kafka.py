"""The big-data warning list across the mesh with two enforcement replicas (DOMAIN.md §11;
docs/warning-list.md).

Three watch entries in three key areas are posted through trigger, over the real broker; the
replica that plans each entry recomputes the subject's warning in that entry's transaction, and
both replicas' must-check indexes learn it from enforcement-changes.v1: both checks show the
warning. One entry is revoked: both show none.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from test_enforcement_replicas import replica
from test_loop_over_kafka import catalog_ready

from harness import Mesh
from jrp_enforcement.config import EnforcementSettings
from jrp_shared.testing import eventually, sample_uscc

pytestmark = pytest.mark.integration

SUBJECT = sample_uscc(715_001)
AREAS = {"tax": "tax", "market": "market", "environment": "environment"}
"""key area → the department that initiates its watch list in the seed catalog."""


def watch_body(area: str) -> dict[str, Any]:
    today = date.today()
    return {
        "record_id": f"warning-{area}",
        "subject": {"code": SUBJECT, "subject_type": "legal_person", "name": "福州预警示例企业"},
        "list_type": f"watch.{area}.key-supervision",
        "grounds": "存在违法违规行为，需重点关注",
        "legal_basis": "《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》",
        "decision_document": {"number": f"重点关注〔2026〕{area}号", "date": str(today)},
        "period": {"start": str(today), "end": str(today + timedelta(days=300))},
        "disclosure_class": "government_sharing",
        "evidence_references": [f"检查记录-{area}"],
    }


async def warning(client: AsyncClient, mesh: Mesh) -> Any:
    r = await client.get(
        f"/v1/checks/{SUBJECT}", headers=mesh.keys.headers("market", "implementer")
    )
    assert r.status_code == 200, r.text
    return r.json()["warning"]


async def test_both_replicas_show_the_warning_and_its_end(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    a = mesh.followers["enforcement"]
    settings: EnforcementSettings = a.runtime.settings  # type: ignore[assignment]
    trigger = mesh.followers["trigger"].client

    async with replica(settings, "enforcement-warning-b") as b:
        entry_ids: dict[str, str] = {}
        for area, department in AREAS.items():
            r = await trigger.post(
                "/v1/list-entries",
                json=watch_body(area),
                headers=mesh.keys.headers(department, "initiator"),
            )
            assert r.status_code == 201, r.text
            entry_ids[area] = str(r.json()["entry_id"])

        async def both_warned() -> list[Any] | None:
            found = [await warning(a.client, mesh), await warning(b, mesh)]
            return found if all(w is not None for w in found) else None

        first, second = await eventually(both_warned, within=90, interval=0.5)
        assert first == second
        assert first["key_areas"] == ["environment", "market", "tax"]

        r = await trigger.post(
            f"/v1/list-entries/{entry_ids['market']}/revocation",
            json={"reason": "事实认定错误"},
            headers=mesh.keys.headers("market", "initiator"),
        )
        assert r.status_code == 200, r.text

        async def both_clear() -> bool:
            return await warning(a.client, mesh) is None and await warning(b, mesh) is None

        await eventually(both_clear, within=90, interval=0.5)
        r = await b.get(
            f"/v1/warning-list/{SUBJECT}",
            headers=mesh.keys.headers("credit-office", "administrator"),
        )
        assert r.status_code == 200, r.text
        [stay] = r.json()["history"]
        assert stay["until"] is not None


async def test_a_public_watch_entry_is_refused(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    body = {**watch_body("tax"), "disclosure_class": "public"}

    r = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=body, headers=mesh.keys.headers("tax", "initiator")
    )

    assert r.status_code == 422, r.text
    problems = {p["field"]: p["reason"] for p in r.json()["errors"]}
    assert problems == {"body.disclosure_class": "watch_list_not_public"}
