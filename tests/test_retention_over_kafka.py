"""Retention over a long load (issue 10): 2,000 entries go through the mesh on the real Kafka with
short horizons (outbox 1 s, inbox 10 s, a sweep every second). The outbox and the inboxes stay
bounded while thousands of events pass, end empty once the horizons have passed, and an event
replayed after its producer's outbox row is gone (older than the outbox horizon, as after an
operator's replay or a consumer group reset) is still absorbed by every consumer that took it,
because the inbox horizon is longer (docs/architecture.md, "Choosing the inbox horizon")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from test_loop_over_kafka import catalog_ready

from bench.loop import entry
from harness import Mesh, Service, running_mesh
from jrp_appeals.adapters.orm import entries as appeals_entries
from jrp_enforcement.adapters.orm import list_entries as enforcement_entries
from jrp_enforcement.adapters.orm import sanction_orders
from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.testing import Keys, PostgresDatabases, TopicReader, eventually

pytestmark = pytest.mark.integration

ENTRIES = 2_000
CHUNK = 100
HOURS = 1 / 3600  # one second, in the settings' unit


@pytest.fixture
async def short_horizons(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[Mesh]:
    async with running_mesh(
        postgres,
        keys,
        kafka_bootstrap,
        namespace,
        outbox_retention_hours=1 * HOURS,
        inbox_retention_hours=10 * HOURS,
        # The settings refuse an inbox horizon shorter than the topics' retention; here every
        # horizon is scaled down together (the rule itself: shared/tests/test_settings.py).
        kafka_retention_hours=10 * HOURS,
        retention_sweep_seconds=1.0,
    ) as mesh:
        yield mesh


async def table_rows(service: Service) -> dict[str, int]:
    tables = service.runtime.tables
    async with service.runtime.db.sessions() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (tables.outbox, tables.inbox)
        }


async def test_outbox_and_inbox_stay_bounded_and_an_old_duplicate_is_absorbed(
    short_horizons: Mesh,
) -> None:
    mesh = short_horizons
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    appeals = mesh.followers["appeals"]
    registry = Service("registry", mesh.registry.app, mesh.registry.client)
    services = [registry, *mesh.followers.values()]
    peaks: dict[tuple[str, str], int] = {}
    loading = True

    async def sample() -> None:
        while loading:
            for service in services:
                for table, rows in (await table_rows(service)).items():
                    key = (service.name, table)
                    peaks[key] = max(peaks.get(key, 0), rows)
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    # A long load: 20 bulk posts of 100 entries, one a second, so the horizons pass during it.
    for chunk in range(ENTRIES // CHUNK):
        body = "".join(
            json.dumps(entry(n, run="retention", with_person=False)) + "\n"
            for n in range(chunk * CHUNK, (chunk + 1) * CHUNK)
        )
        bulk = await trigger.client.post(
            "/v1/list-entries/bulk",
            content=body.encode(),
            headers={
                **mesh.keys.headers("tax", "initiator"),
                "Content-Type": "application/x-ndjson",
            },
            timeout=600,
        )
        assert bulk.status_code == 200, bulk.text
        results = [json.loads(x) for x in bulk.text.splitlines() if x.strip()]
        assert [r["status"] for r in results if "line" in r] == ["created"] * CHUNK
        await asyncio.sleep(1.0)

    async def held_by(service: Service, table: Any) -> int | None:
        async with service.runtime.db.sessions() as session:
            count = int(await session.scalar(select(func.count()).select_from(table)) or 0)
        return count if count == ENTRIES else None

    # Enforcement holds every entry: the load has gone through it. (Appeals, which also sends
    # each new entry's repair guidance, may still be behind; the replay below waits for it.)
    await eventually(lambda: held_by(enforcement, enforcement_entries), within=300, interval=1.0)
    loading = False
    await sampler

    # Every event the mesh made: what was published on the topics the services write.
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        list_entries_events = await reader.read(mesh.topic(topics.LIST_ENTRIES))
    assert len(list_entries_events) >= ENTRIES

    # Bounded while thousands passed: trigger's outbox never held more than a fraction of the
    # entries it published, and enforcement's inbox never more than a fraction it processed.
    assert peaks[("trigger", "outbox")] < ENTRIES / 2, peaks
    assert peaks[("enforcement", "inbox")] < ENTRIES, peaks

    # A duplicate older than the outbox horizon but inside the inbox horizon: the last entry's
    # event is no longer in trigger's outbox (deleted), but enforcement's and appeals' inboxes
    # still know it.
    replayed = list_entries_events[-1]
    event_id = replayed.headers["ce_id"]

    async def gone_from_outbox() -> bool:
        outbox = trigger.runtime.tables.outbox
        async with trigger.runtime.db.sessions() as session:
            left = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.event_id == event_id)
            )
        return left == 0

    await eventually(gone_from_outbox, within=30)
    orders_before = await orders(enforcement)
    before = {name: await duplicates(mesh.followers[name]) for name in ("enforcement", "appeals")}
    await mesh.send(
        Message(
            topics.LIST_ENTRIES,
            replayed.key,
            tuple((k, v.encode()) for k, v in replayed.headers.items()),
            json.dumps(replayed.body).encode(),
        )
    )

    # Appeals takes the original (earlier on the same partition) before the replay.
    await eventually(lambda: held_by(appeals, appeals_entries), within=300, interval=1.0)

    async def absorbed() -> bool:
        now = {name: await duplicates(mesh.followers[name]) for name in before}
        return all(now[name] == before[name] + 1 for name in before)

    await eventually(absorbed, within=30)
    assert await orders(enforcement) == orders_before  # absorbed: nothing planned again

    # And once the horizons have passed, both tables are empty again in every service.
    async def emptied() -> dict[str, dict[str, int]] | None:
        rows = {service.name: await table_rows(service) for service in services}
        return rows if all(v == 0 for r in rows.values() for v in r.values()) else None

    await eventually(emptied, within=60, interval=1.0)


async def duplicates(service: Service) -> float:
    """How many redelivered events this service's consumers absorbed (from /metrics)."""
    text = (await service.client.get("/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("jrp_events_consumed_total{") and 'outcome="duplicate"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def orders(enforcement: Service) -> int:
    async with enforcement.runtime.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(sanction_orders)) or 0)
