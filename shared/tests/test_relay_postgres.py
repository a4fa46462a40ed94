"""Two relay replicas on one PostgreSQL outbox, publishing to the real broker: every row goes
out exactly once (rows are claimed with FOR UPDATE SKIP LOCKED)."""

import asyncio
from datetime import date

import pytest
from sqlalchemy import MetaData, func, select

from jrp_shared.bus.base import Record
from jrp_shared.bus.kafka import KafkaBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded
from jrp_shared.messaging.relay import OutboxRelay
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration

ROWS = 300


async def test_two_relays_publish_each_outbox_row_once(
    postgres: PostgresDatabases, kafka_bootstrap: str, namespace: str
) -> None:
    metadata = MetaData()
    tables = messaging_tables(metadata)
    db = Database(await postgres.empty())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with UnitOfWork(db, tables, source="/jrp/test") as uow:
        sent = [
            uow.emit(
                CalendarScheduleLoaded(
                    year=2030 + i % 7,
                    source=str(i),
                    holidays=[date(2030, 1, 1)],
                    adjusted_workdays=[],
                )
            ).id
            for i in range(ROWS)
        ]
        await uow.commit()

    bus = KafkaBus(namespace, kafka_bootstrap, client_id="relay-test")
    await bus.start()
    try:
        metrics = ServiceMetrics("test")
        relays = [OutboxRelay(db, tables, bus, metrics, batch_size=40) for _ in range(2)]

        async def drain(relay: OutboxRelay) -> int:
            total = 0
            while published := await relay.publish_pending():
                total += published
            return total

        counts = await asyncio.gather(*(drain(r) for r in relays))
        assert sum(counts) == ROWS
        assert all(c > 0 for c in counts), f"both replicas should have taken rows: {counts}"
        async with db.sessions() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(tables.outbox)
                .where(tables.outbox.c.published_at.is_(None))
            )
        assert left == 0

        sub = bus.subscribe(f"{namespace}.reader", [topics.CALENDAR])
        await sub.start()
        received: list[Record] = []
        for _ in range(60):
            received += await sub.poll(max_records=500, timeout_ms=500)
            if len(received) >= ROWS:
                break
        await asyncio.sleep(1)
        received += await sub.poll(max_records=500, timeout_ms=500)
        await sub.stop()
        ids = [Envelope.from_wire(r.headers, r.value).id for r in received]
        assert len(ids) == ROWS
        assert set(ids) == set(sent)
    finally:
        await bus.stop()
        await db.dispose()
