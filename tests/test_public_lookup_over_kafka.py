"""The public credit lookup end to end over the real broker (issue 13 "Done when"): an entry
posted through trigger reaches the registry over list-entries.v1 and appears in
`GET /v1/public/subjects/{code}` and by a traditional-character and a pinyin name query, with
the court-list person's resident ID masked; an authorised-query entry never appears; a revoked
entry and a repaired one disappear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_due_process_over_kafka import (
    at,
    decide,
    entry_in_appeals,
    post_entry,
    repair_application,
    set_appeals_clock,
)
from test_loop_over_kafka import catalog_ready, tax_entry

from harness import Mesh
from jrp_shared.clock import china_date
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.testing import eventually, sample_uscc
from jrp_trigger.testing import DEBTOR, court_entry

pytestmark = pytest.mark.integration

MINJIANG = sample_uscc(31_313)
PRIVATE = sample_uscc(31_314)


async def _public(mesh: Mesh, code: str) -> dict[str, Any] | None:
    r = await mesh.registry.client.get(f"/v1/public/subjects/{code}")
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _entry_ids(mesh: Mesh, code: str) -> list[str]:
    body = await _public(mesh, code)
    return [e["entry_id"] for e in body["entries"]] if body else []


async def _search(mesh: Mesh, q: str) -> list[str]:
    r = await mesh.registry.client.get("/v1/public/subjects", params={"q": q})
    assert r.status_code == 200, r.text
    return [f["code"] for f in r.json()]


async def _known_to_the_registry(mesh: Mesh, code: str) -> None:
    async def known() -> bool:
        r = await mesh.registry.client.get(
            f"/v1/subjects/{code}", headers=mesh.keys.headers("tax", "initiator")
        )
        return r.status_code == 200

    await eventually(known, within=60)


async def test_an_entry_posted_through_trigger_is_public_until_it_is_revoked(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    today = china_date(datetime.now(UTC))
    subject = {
        "code": MINJIANG,
        "subject_type": "legal_person",
        "name": "福州市闽江示例科技有限公司",
    }
    entry_id = await post_entry(mesh, tax_entry(record_id="闽税-2026-1301", subject=subject))
    await post_entry(
        mesh,
        tax_entry(
            record_id="闽税-2026-1302",
            subject={
                "code": PRIVATE,
                "subject_type": "legal_person",
                "name": "福州授权查询有限公司",
            },
            disclosure_class="authorised_query",
        ),
    )
    court_id = await post_entry(mesh, court_entry(today), department="court")

    # By code: the enterprise's entry, in Chinese, with its measures and deciding department.
    assert await eventually(lambda: _entry_ids(mesh, MINJIANG), within=60) == [entry_id]
    body = await _public(mesh, MINJIANG)
    assert body is not None
    assert body["name"] == "福州市闽江示例科技有限公司"
    [entry] = body["entries"]
    assert entry["list_type"]["name"] == "重大税收违法失信主体"
    assert entry["deciding_department"]["name"] == "国家税务总局福州市税务局"
    assert entry["measures"] and entry["legal_representative"] == "张三"
    assert entry["publication_ends"] <= entry["period"]["end"]
    # By name: traditional characters, pinyin, initials.
    assert await _search(mesh, "閩江示例") == [MINJIANG]
    assert await _search(mesh, "minjiangshili") == [MINJIANG]
    assert MINJIANG in await _search(mesh, "fzsmjsl")

    # The court's list publishes the person, the resident ID masked.
    assert await eventually(lambda: _entry_ids(mesh, DEBTOR), within=60) == [court_id]
    person = await _public(mesh, DEBTOR)
    assert person is not None
    assert person["code"] == mask_resident_id(DEBTOR)
    assert DEBTOR not in str(person)
    assert person["entries"][0]["court_case"]["case_number"] == "(2025)闽01执123号"
    assert await _search(mesh, "李四") == [mask_resident_id(DEBTOR)]

    # The authorised-query entry is known to the registry, never shown: the subject, known only
    # from that listing, is not found at all (that would tell a record exists).
    await _known_to_the_registry(mesh, PRIVATE)
    assert await _entry_ids(mesh, PRIVATE) == []
    hidden = await mesh.registry.client.get("/v1/public/subjects", params={"q": "授权查询"})
    assert hidden.status_code == 200 and hidden.json() == []

    # Revoked: it disappears from the lookup and from the search counts.
    revoked = await mesh.followers["trigger"].client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "行政复议撤销原处罚决定"},
        headers=mesh.keys.headers("tax", "initiator"),
    )
    assert revoked.status_code == 200, revoked.text

    async def gone() -> bool:
        return await _entry_ids(mesh, MINJIANG) == []

    await eventually(gone, within=60)
    # Known only from that listing, it is no longer found by name either.
    found = await mesh.registry.client.get("/v1/public/subjects", params={"q": "闽江示例"})
    assert found.status_code == 200 and found.json() == []


async def test_a_repaired_entry_disappears_from_the_public_lookup(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    subject = {
        "code": MINJIANG,
        "subject_type": "legal_person",
        "name": "福州市闽江示例科技有限公司",
    }
    entry_id = await post_entry(mesh, tax_entry(record_id="闽税-2026-1303", subject=subject))
    await entry_in_appeals(mesh, entry_id)
    assert await eventually(lambda: _entry_ids(mesh, MINJIANG), within=60) == [entry_id]

    # Thirteen months on (the tax list's minimum is twelve), the credit portal forwards the
    # application and the tax authority grants repair (DOMAIN.md §11).
    set_appeals_clock(mesh, at(timedelta(days=396)))
    applied = await mesh.followers["appeals"].client.post(
        "/v1/repairs",
        json=repair_application(entry_id),
        headers=mesh.keys.subject_headers(MINJIANG),
    )
    assert applied.status_code == 201, applied.text
    forwarded = await mesh.followers["appeals"].client.post(
        f"/v1/repairs/{applied.json()['repair_id']}/forwarding",
        headers=mesh.keys.headers("credit-office", "portal"),
    )
    assert forwarded.status_code == 200, forwarded.text
    granted = await decide(
        mesh,
        f"/v1/repairs/{applied.json()['repair_id']}/decision",
        mesh.keys.headers("tax", "initiator"),
        approved=True,
        reasons="已补缴税款、滞纳金和罚款并作出信用承诺",
    )
    assert granted["state"] == "approved"

    async def gone() -> bool:
        return await _entry_ids(mesh, MINJIANG) == []

    await eventually(gone, within=60)
