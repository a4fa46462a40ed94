"""Enforcement's `/metrics` on the embedded default (SQLite, no servers; and on PostgreSQL in
the integration layer): the must-check index (`jrp_check_index_*`, read from the replica's
index at each scrape) and `jrp_orders_overdue{kind, department}` counted from the orders table
(DOMAIN.md §5: receipt and feedback due days; the due day itself is still in time; lifted and
suspended orders are never late); plus the process collectors every service carries
(docs/operations.md, "Metrics")."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, update

from jrp_enforcement.adapters import orm
from jrp_enforcement.app import create_app
from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.service_layer.checks import CheckService
from jrp_enforcement.testing import entry_in_force
from jrp_shared import migrations
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import Period
from jrp_shared.testing import Keys, PostgresDatabases, eventually, serving

ENTERPRISE = "91350100M000100Y43"
TODAY = china_date(datetime.now(UTC))
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)

# (order, department, state, receipt due, feedback due): which are late, and with what.
ORDERS = [
    ("o-receipt", "tax", "issued", YESTERDAY, TOMORROW),  # receipt late
    ("o-feedback", "tax", "received", YESTERDAY, YESTERDAY),  # feedback late (received)
    ("o-both", "finance", "issued", YESTERDAY, YESTERDAY),  # both late
    ("o-lifted", "finance", "lifted", YESTERDAY, YESTERDAY),  # never late
    ("o-suspended", "market", "suspended", YESTERDAY, YESTERDAY),  # never late
    ("o-due-today", "market", "issued", TODAY, TODAY),  # still in time
    ("o-fed-back", "customs", "fed_back", YESTERDAY, YESTERDAY),  # done
]


async def _seed(session: Any) -> None:
    now = datetime.now(UTC)
    period = Period(start=TODAY - timedelta(days=1), end=TODAY + timedelta(days=30))
    payload = entry_in_force(entry_id="entry-1", period=period)
    await session.execute(
        insert(orm.list_entries).values(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            list_type=payload.list_type,
            colour="black",
            initiating_department="tax",
            period_start=period.start,
            period_end=period.end,
            status="in_force",
            payload=payload.model_dump(mode="json"),
            received_at=now,
            updated_at=now,
        )
    )
    await session.execute(
        insert(orm.entry_targets).values(
            entry_id="entry-1",
            code=ENTERPRISE,
            role="subject",
            subject_type="legal_person",
            name="福州示例科技有限公司",
        )
    )
    for n, (order_id, department, state, receipt_due, feedback_due) in enumerate(ORDERS, 1):
        await session.execute(
            insert(orm.sanction_orders).values(
                order_id=order_id,
                revision=1,
                sequence=n,
                entry_id="entry-1",
                entry_version=1,
                department=department,
                listed_subject_code=ENTERPRISE,
                target_code=ENTERPRISE,
                target_role="subject",
                list_type=payload.list_type,
                colour="black",
                measures=[],
                state=state,
                issued_at=now,
                receipt_due=receipt_due,
                feedback_due=feedback_due,
                deadlines_provisional=False,
            )
        )


@asynccontextmanager
async def _running(url: str, tmp_path: Path, keys: Keys) -> AsyncIterator[tuple[AsyncClient, Any]]:
    settings = EnforcementSettings(
        database_url=url,
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
        reminder_sweep_interval_seconds=3600,
        reminders_gauge_refresh_seconds=0.2,
    )
    app = create_app(settings)
    async with app.state.runtime.uow() as uow:
        await _seed(uow.session)
        await uow.commit()
    async with serving(app, "enforcement") as client:
        checks: CheckService = app.state.checks
        await asyncio.wait_for(checks.live.wait_ready(), 20)
        yield client, app


Samples = dict[str, list[tuple[dict[str, str], float]]]


async def _samples(client: AsyncClient) -> Samples:
    text = (await client.get("/metrics")).text
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _overdue(samples: Samples) -> dict[tuple[str, str], float]:
    return {
        (labels["kind"], labels["department"]): value
        for labels, value in samples.get("jrp_orders_overdue", [])
    }


async def test_the_index_and_overdue_orders_on_metrics(tmp_path: Path, keys: Keys) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'enforcement.db'}"
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
    async with _running(url, tmp_path, keys) as running:
        await _check(*running)


@pytest.mark.integration
async def test_the_index_and_overdue_orders_on_metrics_on_postgresql(
    postgres: PostgresDatabases, tmp_path: Path, keys: Keys
) -> None:
    url = await postgres.fresh("enforcement", MIGRATIONS)
    async with _running(url, tmp_path, keys) as running:
        await _check(*running)


async def _check(client: AsyncClient, app: Any) -> None:
    expected = {
        ("receipt", "tax"): 1.0,
        ("feedback", "tax"): 1.0,
        ("receipt", "finance"): 1.0,
        ("feedback", "finance"): 1.0,
    }

    async def counted() -> bool:
        return _overdue(await _samples(client)) == expected

    await eventually(counted, within=10)
    samples = await _samples(client)
    one = {name: values[0][1] for name, values in samples.items() if len(values) == 1}
    assert one["jrp_check_index_ready"] == 1
    assert one["jrp_check_index_entries"] == 1
    assert one["jrp_check_index_subjects"] == 1
    assert one["jrp_check_index_bytes"] > 0
    assert one["jrp_check_index_load_seconds"] > 0
    assert one["jrp_check_index_reloads_total"] == 0
    assert one["process_resident_memory_bytes"] > 0
    assert one["process_start_time_seconds"] > 0
    assert "python_gc_objects_collected_total" in samples
    # No subject code in any label of any series.
    assert ENTERPRISE not in (await client.get("/metrics")).text

    # Receipts acknowledged: tax's receipt no longer late, its series drops out; finance's
    # order, received, is still late with its feedback.
    async with app.state.runtime.uow() as uow:
        await uow.session.execute(
            update(orm.sanction_orders)
            .values(state="received", received_at=datetime.now(UTC))
            .where(orm.sanction_orders.c.order_id.in_(["o-receipt", "o-both"]))
        )
        await uow.commit()

    async def received() -> bool:
        return _overdue(await _samples(client)) == {
            ("feedback", "tax"): 1.0,
            ("feedback", "finance"): 1.0,
        }

    await eventually(received, within=10)
