"""Must-check on the embedded default (`make run`): a real SQLite database, no servers, so
this runs in the fast layer. The same index loader and audit writer as on PostgreSQL, through
their SQLite paths (measures keyed by their text, executemany instead of COPY)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select, update

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters.audit_chain import AuditSealer, verify_chain
from jrp_enforcement.app import create_app
from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.checks import CheckService
from jrp_enforcement.testing import entry_in_force
from jrp_shared import migrations
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import Period
from jrp_shared.testing import Keys, eventually, serving

ENTERPRISE = "91350100M000100Y43"
PERSON = "11010519491231002X"
TODAY = china_date(datetime.now(UTC))
MEASURES = [
    {
        "code": "tax.no-new-invoice-quota",
        "version": 1,
        "content": "停止供应发票",
        "content_en": "No new invoices",
        "kind": "punishment",
        "mandatory": True,
        "legal_basis": "《中华人民共和国税收征收管理法》",
    }
]


def _rows(entry_id: str, state: str = "issued") -> dict[str, Any]:
    now = datetime.now(UTC)
    period = Period(start=TODAY - timedelta(days=1), end=TODAY + timedelta(days=30))
    payload = entry_in_force(entry_id=entry_id, period=period)
    return {
        "entry": {
            "entry_id": entry_id,
            "version": 1,
            "subject_code": ENTERPRISE,
            "list_type": payload.list_type,
            "colour": "black",
            "initiating_department": "tax",
            "period_start": period.start,
            "period_end": period.end,
            "status": "in_force",
            "payload": payload.model_dump(mode="json"),
            "received_at": now,
            "updated_at": now,
        },
        "targets": [
            {
                "entry_id": entry_id,
                "code": ENTERPRISE,
                "role": "subject",
                "subject_type": "legal_person",
                "name": "福州示例科技有限公司",
            },
            {
                "entry_id": entry_id,
                "code": PERSON,
                "role": "legal_representative",
                "subject_type": "natural_person",
                "name": "张三",
            },
        ],
        "order": {
            "order_id": f"{entry_id}-tax",
            "revision": 1,
            "sequence": 1,
            "entry_id": entry_id,
            "entry_version": 1,
            "department": "tax",
            "listed_subject_code": ENTERPRISE,
            "target_code": ENTERPRISE,
            "target_role": "subject",
            "list_type": payload.list_type,
            "colour": "black",
            "measures": MEASURES,
            "state": state,
            "issued_at": now,
            "receipt_due": TODAY,
            "feedback_due": TODAY,
            "deadlines_provisional": False,
        },
    }


async def _insert(session: Any, entry_id: str) -> None:
    rows = _rows(entry_id)
    await session.execute(insert(orm.list_entries).values(rows["entry"]))
    await session.execute(insert(orm.entry_targets), rows["targets"])
    await session.execute(insert(orm.sanction_orders).values(rows["order"]))


@pytest.fixture
async def running(tmp_path: Path, keys: Keys) -> AsyncIterator[tuple[AsyncClient, Any]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'enforcement.db'}"
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
    settings = EnforcementSettings(
        database_url=url,
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
        audit_seal_interval_seconds=3600,  # sealed at start, then by the test
    )
    app = create_app(settings)
    async with app.state.runtime.uow() as uow:  # before start: the index loads it
        await _insert(uow.session, "entry-1")
        await uow.commit()
    async with serving(app, "enforcement") as client:
        checks: CheckService = app.state.checks
        await asyncio.wait_for(checks.live.wait_ready(), 20)
        yield client, app


async def test_checks_batches_and_reloads_on_sqlite(
    running: tuple[AsyncClient, Any], keys: Keys
) -> None:
    client, app = running
    headers = keys.headers("tax", "implementer")
    one = (await client.get(f"/v1/checks/{ENTERPRISE}", headers=headers)).json()
    assert one["listed"] is True
    assert [m["code"] for m in one["mandatory_measures"]] == ["tax.no-new-invoice-quota"]
    person = (await client.get(f"/v1/checks/{PERSON}", headers=headers)).json()
    assert person["entries"][0]["roles"] == ["legal_representative"]

    batch = await client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": [ENTERPRISE, "x"]},
        headers=headers,
    )
    assert batch.status_code == 200
    assert [a.get("listed") for a in batch.json()["answers"]] == [True, None]
    # A batch of codes that are all refused checks nothing, records nothing and still answers.
    refused = await client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": ["x", "0" * 63]},
        headers=headers,
    )
    assert refused.status_code == 200, refused.text
    assert [a.get("listed") for a in refused.json()["answers"]] == [None, None]

    changes: EntryChanges = app.state.entry_changes
    async with app.state.runtime.uow() as uow:
        await uow.session.execute(
            update(orm.sanction_orders)
            .values(state="lifted")
            .where(orm.sanction_orders.c.order_id == "entry-1-tax")
        )
        changes.announce(uow, ["entry-1"])
        await uow.commit()

    async def lifted() -> bool:
        body = (await client.get(f"/v1/checks/{ENTERPRISE}", headers=headers)).json()
        return not body["mandatory_measures"]

    await eventually(lifted, within=10)
    async with app.state.runtime.db.sessions() as session:
        audited = list((await session.execute(select(orm.check_audit.c.subject_code))).scalars())
    assert audited.count(PERSON) == 1 and audited.count(ENTERPRISE) >= 3

    # Suspended pending an objection (DOMAIN.md §7): shown, with no measure, not listed.
    async with app.state.runtime.uow() as uow:
        await uow.session.execute(
            update(orm.list_entries)
            .values(status="suspended", suspension_case_kind="objection")
            .where(orm.list_entries.c.entry_id == "entry-1")
        )
        changes.announce(uow, ["entry-1"])
        await uow.commit()

    async def suspended() -> Any:
        body = (await client.get(f"/v1/checks/{ENTERPRISE}", headers=headers)).json()
        return body if body["suspended"] else None

    body = await eventually(suspended, within=10)
    assert body["listed"] is False
    assert body["entries"][0]["note"] == "suspended pending objection"


async def test_the_audit_is_sealed_and_verified_on_sqlite(
    running: tuple[AsyncClient, Any], keys: Keys
) -> None:
    client, app = running
    headers = keys.headers("tax", "implementer")
    for _ in range(5):
        assert (await client.get(f"/v1/checks/{ENTERPRISE}", headers=headers)).status_code == 200
    db = app.state.runtime.db
    sealer = AuditSealer(db, batch=2)
    while await sealer.seal_once():
        pass
    verified = await verify_chain(db, chunk=2)
    assert verified.walk.ok and verified.walk.verified >= 5 and verified.unsealed == 0
    a = orm.check_audit
    async with db.engine.begin() as conn:
        await conn.execute(update(a).where(a.c.chain_seq == 3).values(department="finance"))
    walk = (await verify_chain(db, chunk=2)).walk
    assert [(p.fault.value, p.chain_seq) for p in walk.problems] == [("altered", 3)]
