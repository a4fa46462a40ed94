"""Exchange with the upper-level platform over the real broker (DOMAIN.md §11: results pushed
to the other platforms within 3 working days; docs/exchange.md).

The test plays the upper-level platform (the catalog's exchange partner `fj-platform`): it
reads exchange.v1, acknowledges one record with its own token on exchange-acks.v1 and
deliberately misses the other, which the trigger pushes again (attempt 2) and, once the clock
passes its push deadline, reports overdue (route and gauge). The platform also sends an entry
of another region on list-entry-submissions.v1: it is recorded with its origin and not pushed
back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from harness import Mesh, running_mesh
from jrp_shared.auth import ROLE_EXCHANGE
from jrp_shared.clock import CHINA
from jrp_shared.events import topics
from jrp_shared.events.payloads import ExchangeRecordAcknowledged, ListEntrySubmission
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import Keys, PostgresDatabases, TopicReader, eventually
from jrp_trigger.app import trigger_of
from jrp_trigger.testing import prior_notice

pytestmark = pytest.mark.integration

PLATFORM = "fj-platform"
TAX_LIST = "black.tax.major-violation"
ENTERPRISES = ("91350100M000100Y43", "91110000802100433B")


@pytest.fixture
async def mesh(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[Mesh]:
    """The mesh with the trigger pushing again after one second and sweeping twice a second."""

    def settings(service: str) -> dict[str, Any]:
        if service != "trigger":
            return {}
        return {"exchange_retry_seconds": 1.0, "exchange_sweep_seconds": 0.5}

    async with running_mesh(
        postgres, keys, kafka_bootstrap, namespace, service_settings=settings
    ) as mesh:
        yield mesh


def tax_entry(record_id: str, code: str, **changes: Any) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "record_id": record_id,
        "subject": {"code": code, "subject_type": "legal_person", "name": f"示例企业 {record_id}"},
        "list_type": TAX_LIST,
        "grounds": "虚开增值税专用发票，达到重大税收违法失信主体标准",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": {"number": f"闽税稽罚〔2026〕{record_id}号", "date": str(today)},
        "prior_notice": prior_notice(today),
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
    }
    body.update(changes)
    return body


async def catalog_ready(mesh: Mesh) -> None:
    """The catalog and the departments (the partner among them) have reached the trigger."""
    await mesh.registry.seed_catalog()
    trigger = mesh.followers["trigger"]

    async def ready() -> bool:
        r = await trigger.client.get(
            f"/v1/catalog/list-types/{TAX_LIST}", headers=mesh.keys.headers("tax", "initiator")
        )
        return r.status_code == 200

    await eventually(ready, within=60)


async def test_the_upper_level_platform_receives_acknowledges_and_misses_one(
    mesh: Mesh,
) -> None:
    await catalog_ready(mesh)
    trigger = mesh.followers["trigger"]
    tax = mesh.keys.headers("tax", "initiator")
    office = mesh.keys.headers("credit-office", "administrator")
    entry_ids = []
    for record_id, code in zip(("EX-1", "EX-2"), ENTERPRISES, strict=True):
        r = await trigger.client.post(
            "/v1/list-entries", json=tax_entry(record_id, code), headers=tax
        )
        assert r.status_code == 201, r.text
        entry_ids.append(r.json()["entry_id"])
    acked_entry, missed_entry = entry_ids

    async with TopicReader(mesh.kafka_bootstrap) as reader:

        async def pushes() -> dict[str, list[dict[str, Any]]] | None:
            records = [d.body for d in await reader.read(mesh.topic(topics.EXCHANGE))]
            by_entry: dict[str, list[dict[str, Any]]] = {e: [] for e in entry_ids}
            for body in records:
                by_entry.setdefault(body["entry_id"], []).append(body)
            return by_entry if all(by_entry[e] for e in entry_ids) else None

        received = await eventually(pushes, within=60)
        first = received[acked_entry][0]
        assert first["operation"] == "entry" and first["attempt"] == 1
        # The layout, filled from the catalog and the registry's departments.
        assert first["district"] == "350100"
        assert first["deciding_department_name"] == "国家税务总局福州市税务局"
        assert first["list_type_name"] and first["domain"] == "tax"
        assert first["measures"], "the catalog's measures for the tax black list"
        assert first["reward_punishment_type"] == "black" and first["status"] == "in_force"
        missed = received[missed_entry][0]

        # The platform takes the first record and never answers the second.
        token = mesh.keys.token(PLATFORM, ROLE_EXCHANGE)
        ack = ExchangeRecordAcknowledged(
            record_id=first["record_id"], entry_id=acked_entry, platform=PLATFORM, accepted=True
        )
        await mesh.send(inbound_message(ack, PLATFORM, token))

        async def acknowledged() -> dict[str, Any] | None:
            r = await trigger.client.get(
                f"/v1/exchange/records/{first['record_id']}", headers=office
            )
            body: dict[str, Any] = r.json()
            return body if body.get("state") == "acknowledged" else None

        record = await eventually(acknowledged, within=60)
        assert record["acknowledged_by"] == PLATFORM and record["accepted"] is True

        async def pushed_again() -> list[dict[str, Any]] | None:
            records = [d.body for d in await reader.read(mesh.topic(topics.EXCHANGE))]
            again = [
                b for b in records if b["record_id"] == missed["record_id"] and b["attempt"] >= 2
            ]
            return again or None

        again = await eventually(pushed_again, within=60)
        assert again[0]["attempt"] == 2
        # The same record: the same layout, only the attempt and push time move.
        assert {k: v for k, v in again[0].items() if k not in ("attempt", "pushed_at")} == {
            k: v for k, v in missed.items() if k not in ("attempt", "pushed_at")
        }

    # Past the missed record's deadline it is overdue; the acknowledged one is not.
    service = trigger_of(trigger.app)
    after_due = date.fromisoformat(missed["push_due"]) + timedelta(days=1)
    service.clock = lambda: datetime.combine(after_due, time(12), tzinfo=CHINA)
    r = await trigger.client.get("/v1/exchange/records?status=overdue", headers=office)
    assert r.status_code == 200, r.text
    assert [x["record_id"] for x in r.json()] == [missed["record_id"]]
    assert r.json()[0]["attempts"] >= 2
    assert service.exchange_overdue is not None
    assert await service.exchange_overdue.refresh() == 1
    metrics = await trigger.client.get("/metrics")
    assert "jrp_exchange_overdue 1.0" in metrics.text


async def test_another_regions_entry_arrives_with_its_origin(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    trigger = mesh.followers["trigger"]
    origin = {
        "platform": "xm-credit-platform",
        "region_code": "350200",
        "department_name": "国家税务总局厦门市税务局",
        "original_entry_id": "XM-2026-0001",
    }
    submission = ListEntrySubmission.model_validate(
        tax_entry("XM-1", ENTERPRISES[0], origin=origin)
    )
    message = inbound_message(submission, PLATFORM, mesh.keys.token(PLATFORM, ROLE_EXCHANGE))
    office = mesh.keys.headers("credit-office", "administrator")

    async def recorded() -> dict[str, Any] | None:
        # The trigger knows the partner from the registry's departments.v1; until its copy
        # has it, the platform's message is refused (origin_not_allowed) and the platform
        # sends it again, as a department system retries (the same record id: one entry).
        await mesh.send(message)
        r = await trigger.client.get("/v1/list-entries", headers=office)
        found = [e for e in r.json() if e["record_id"] == "XM-1"]
        return found[0] if found else None

    summary = await eventually(recorded, within=60, interval=1.0)
    r = await trigger.client.get(f"/v1/list-entries/{summary['entry_id']}", headers=office)
    assert r.json()["origin"] == origin
    assert r.json()["status"] == "in_force"
    records = await trigger.client.get("/v1/exchange/records", headers=office)
    assert [x for x in records.json() if x["entry_id"] == summary["entry_id"]] == []
