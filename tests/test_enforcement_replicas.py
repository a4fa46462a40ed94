"""Two enforcement replicas, one answer (DOMAIN.md §6: a wrong "not listed" is a sanction
silently not applied).

Two enforcement apps run on one database and one consumer group, over the real broker: each
plans the entries of the partitions it owns, and each keeps its own in-memory must-check
index. Entries are posted, corrected, objected to and revoked; every single and batch check
must answer the same on both replicas, including after one of them is stopped mid-load (its
tasks cancelled in the middle of whatever they were doing) and a new one started in its
place.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from httpx import AsyncClient
from test_loop_over_kafka import TAX_LIST, catalog_ready

from harness import Mesh
from jrp_enforcement.app import create_app as create_enforcement
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.testing import comparable
from jrp_shared.events import topics
from jrp_shared.testing import TopicReader, eventually, sample_resident_id, sample_uscc, serving
from jrp_trigger.testing import prior_notice

pytestmark = pytest.mark.integration

UNLISTED = sample_uscc(999_999, division="350200")


def entry_body(n: int, **changes: Any) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "record_id": f"replicas-{n}",
        "subject": {"code": sample_uscc(n), "subject_type": "legal_person", "name": f"企业{n}"},
        "list_type": TAX_LIST,
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": {"number": f"闽税稽罚〔2026〕{n}号", "date": str(today)},
        # Told before listing and answered (国办发〔2020〕49号; the list type requires it).
        "prior_notice": prior_notice(today),
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
        "linked_persons": [
            {"role": "legal_representative", "name": f"法人{n}", "resident_id": person(n)}
        ],
        "evidence_references": [f"稽查报告-{n}"],
    }
    body.update(changes)
    return body


def person(n: int) -> str:
    return sample_resident_id(n)


def codes_of(numbers: Iterable[int]) -> list[str]:
    return [code for n in numbers for code in (sample_uscc(n), person(n))]


async def batch(client: AsyncClient, mesh: Mesh, codes: list[str]) -> dict[str, Any]:
    r = await client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": codes},
        headers=mesh.keys.headers("finance", "implementer"),
    )
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = comparable(r.json())
    return answer


async def single(client: AsyncClient, mesh: Mesh, code: str) -> dict[str, Any]:
    r = await client.get(f"/v1/checks/{code}", headers=mesh.keys.headers("finance", "implementer"))
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = comparable(r.json())
    return answer


async def orders(client: AsyncClient, mesh: Mesh, entry_ids: Iterable[str]) -> list[Any]:
    """The order listing of these entries (state and revision of each order)."""
    found = []
    for entry_id in entry_ids:
        r = await client.get(
            "/v1/sanction-orders",
            params={"entry_id": entry_id, "limit": 500},
            headers=mesh.keys.headers("credit-office", "administrator"),
        )
        assert r.status_code == 200, r.text
        found += sorted((o["order_id"], o["state"], o["revision"]) for o in r.json())
    return found


def statuses(answer: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    return {a["subject_code"]: (a["listed"], a["suspended"]) for a in answer["answers"]}


@asynccontextmanager
async def replica(settings: EnforcementSettings, name: str) -> AsyncIterator[AsyncClient]:
    """Another replica of the same enforcement: same database, same consumer groups."""
    app = create_enforcement(settings)
    async with serving(app, name) as client:

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready, within=60)
        yield client


async def post(mesh: Mesh, numbers: Iterable[int]) -> dict[int, str]:
    trigger = mesh.followers["trigger"].client

    async def one(n: int) -> tuple[int, str]:
        r = await trigger.post(
            "/v1/list-entries", json=entry_body(n), headers=mesh.keys.headers("tax", "initiator")
        )
        assert r.status_code == 201, r.text
        return n, str(r.json()["entry_id"])

    return dict(await asyncio.gather(*(one(n) for n in numbers)))


async def test_two_replicas_answer_every_check_the_same(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    a = mesh.followers["enforcement"]
    settings: EnforcementSettings = a.runtime.settings  # type: ignore[assignment]
    trigger, appeals = mesh.followers["trigger"].client, mesh.followers["appeals"].client
    tax = mesh.keys.headers("tax", "initiator")

    entries: dict[int, str] = {}

    async def agree(b: AsyncClient, codes: list[str], want: dict[str, tuple[bool, bool]]) -> bool:
        """Both replicas give the same batch and single answers, and they are `want`."""
        first, second = await batch(a.client, mesh, codes), await batch(b, mesh, codes)
        if statuses(first) != want or first != second:
            return False
        for code in codes[:: max(len(codes) // 8, 1)]:
            if await single(a.client, mesh, code) != await single(b, mesh, code):
                return False
        listed = list(entries.values())[:5]
        return await orders(a.client, mesh, listed) == await orders(b, mesh, listed)

    async with replica(settings, "enforcement-b") as b:
        # 1. Twenty enterprises, each with its legal representative: the two replicas share
        #    the partitions of list-entries.v1, and each index must learn every entry.
        #    Until b's group membership settles a may take every partition: entries are
        #    posted in waves until both replicas have planned some.
        planners: set[str] = set()
        async with TopicReader(mesh.kafka_bootstrap) as reader:
            for wave in range(6):
                entries |= await post(mesh, range(1 + 10 * wave, 11 + 10 * wave))
                codes = [*codes_of(entries), UNLISTED]
                want = {code: (True, False) for code in codes_of(entries)} | {
                    UNLISTED: (False, False)
                }
                await eventually(partial(agree, b, codes, want), within=90, interval=0.5)
                changes = await reader.read(mesh.topic(topics.ENFORCEMENT_CHANGES))
                planners = {m.body["replica"] for m in changes if m.body["entry_ids"]}
                if len(planners) == 2 and wave >= 1:
                    break
        assert len(planners) == 2, "both replicas planned entries (the partitions are shared)"

        # 2. A correction removes entry 1's legal representative (its orders are lifted),
        #    the subject of entry 2 objects (suspended everywhere), entry 3 is revoked.
        corrected = entry_body(1, reason="法定代表人信息有误")
        corrected.pop("record_id")
        corrected.pop("linked_persons")
        r = await trigger.post(
            f"/v1/list-entries/{entries[1]}/corrections", json=corrected, headers=tax
        )
        assert r.status_code == 200, r.text

        async def in_appeals() -> bool:
            r = await appeals.get(
                f"/v1/entries/{entries[2]}",
                headers=mesh.keys.headers("credit-office", "administrator"),
            )
            return r.status_code == 200

        await eventually(in_appeals, within=60)
        r = await appeals.post(
            "/v1/objections",
            json={
                "entry_id": entries[2],
                "grounds": "所列欠税已缴清",
                "evidence_references": ["完税凭证"],
            },
            headers=mesh.keys.subject_headers(sample_uscc(2)),
        )
        assert r.status_code == 201, r.text
        r = await trigger.post(
            f"/v1/list-entries/{entries[3]}/revocation", json={"reason": "复议撤销"}, headers=tax
        )
        assert r.status_code == 200, r.text
        want |= {
            person(1): (False, False),
            sample_uscc(2): (False, True),
            person(2): (False, True),
            sample_uscc(3): (False, False),
            person(3): (False, False),
        }
        await eventually(lambda: agree(b, codes, want), within=90, interval=0.5)

        # 3. More entries arrive and replica b is stopped in the middle of taking them.
        loading = asyncio.create_task(post(mesh, range(101, 121)))
        await asyncio.sleep(0.3)
    more = await loading
    entries |= more
    codes += codes_of(more)
    want |= {code: (True, False) for code in codes_of(more)}

    # 4. A new replica takes b's place: it loads the index, follows every change, and the two
    #    agree on everything, including what b had left half done.
    async with replica(settings, "enforcement-c") as c:
        await eventually(lambda: agree(c, codes, want), within=90, interval=0.5)
        entries |= await post(mesh, range(121, 126))
        codes += codes_of(range(121, 126))
        want |= {code: (True, False) for code in codes_of(range(121, 126))}
        await eventually(lambda: agree(c, codes, want), within=90, interval=0.5)
