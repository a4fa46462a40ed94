"""Retention on a real PostgreSQL: published outbox rows and inbox rows past their horizon go,
in bounded batches; recent rows and unpublished rows stay; a redelivered event still inside the
inbox horizon is still absorbed."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from jrp_shared.bus.base import Record
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.consumer import EventConsumer
from jrp_shared.messaging.retention import MessagingRetention
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
)
NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def _outbox_row(i: int, created: datetime, published: datetime | None) -> dict[str, object]:
    return {
        "event_id": f"out-{i}",
        "event_type": CalendarScheduleLoaded.event_type,
        "topic": topics.CALENDAR,
        "key": "2030",
        "headers": [],
        "body": "{}",
        "created_at": created,
        "published_at": published,
    }


def _inbox_row(i: int, processed: datetime) -> dict[str, object]:
    return {
        "consumer": "test.consumer",
        "event_id": f"in-{i}",
        "event_type": CalendarScheduleLoaded.event_type,
        "processed_at": processed,
    }


async def _store_effect(uow: UnitOfWork, envelope: Envelope, _payload: EventPayload) -> None:
    await uow.session.execute(insert(effects).values(event_id=envelope.id))


async def test_old_rows_go_in_batches_and_what_redelivery_needs_stays(
    postgres: PostgresDatabases, tmp_path: Path
) -> None:
    db = Database(await postgres.empty())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    old_published = [_outbox_row(i, NOW - 10 * DAY, NOW - 10 * DAY) for i in range(25)]
    recent_published = [_outbox_row(100 + i, NOW - 10 * DAY, NOW - DAY) for i in range(3)]
    stuck = [_outbox_row(200, NOW - 9 * DAY, None)]  # never published: still owed to the bus
    old_processed = [_inbox_row(i, NOW - 40 * DAY) for i in range(45)]
    recent_processed = [_inbox_row(100 + i, NOW - 2 * DAY) for i in range(4)]
    async with db.engine.begin() as conn:
        await conn.execute(insert(tables.outbox), [*old_published, *stuck, *recent_published])
        await conn.execute(insert(tables.inbox), [*old_processed, *recent_processed])

    # An event taken by a consumer 20 days ago (inside the 30-day inbox horizon)...
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await bus.start()
    metrics = ServiceMetrics("test")
    consumer = EventConsumer(
        name="test.consumer",
        bus=bus,
        db=db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: _store_effect},
        metrics=metrics,
        source="/jrp/test",
    )
    envelope = CalendarScheduleLoaded(
        year=2030, source="test", holidays=[date(2030, 1, 1)], adjusted_workdays=[]
    ).envelope("/jrp/registry")
    record = Record(topics.CALENDAR, "2030", tuple(envelope.to_headers()), envelope.body(), 0, 1)
    try:
        await consumer.handle(record)
        async with db.engine.begin() as conn:
            await conn.execute(
                update(tables.inbox)
                .where(tables.inbox.c.event_id == envelope.id)
                .values(processed_at=NOW - 20 * DAY)
            )

        retention = MessagingRetention(
            db, tables, metrics, outbox_hours=7 * 24, inbox_hours=30 * 24, batch_size=10
        )
        swept = await retention.sweep()
        assert (swept.outbox_deleted, swept.inbox_deleted) == (25, 45)
        assert swept.batches == 3 + 5  # 10 + 10 + 5 outbox rows, 10 × 4 + 5 inbox rows
        async with db.sessions() as session:
            kept_outbox = set(await session.scalars(select(tables.outbox.c.event_id)))
            kept_inbox = set(await session.scalars(select(tables.inbox.c.event_id)))
        assert kept_outbox == {"out-100", "out-101", "out-102", "out-200"}
        assert kept_inbox == {"in-100", "in-101", "in-102", "in-103", envelope.id}
        assert (await retention.sweep()).outbox_deleted == 0  # nothing more is old enough

        # ... redelivered now (a replay, a rebalance): still absorbed.
        await consumer.handle(record)
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(effects)) == 1
        duplicates = metrics.registry.get_sample_value(
            "jrp_events_consumed_total", {"consumer": "test.consumer", "outcome": "duplicate"}
        )
        assert duplicates == 1

        await retention.observe()
        sample = metrics.registry.get_sample_value
        assert sample("jrp_outbox_unpublished") == 1
        age = sample("jrp_outbox_oldest_unpublished_seconds")
        assert age is not None and 9 * 86_400 <= age < 9 * 86_400 + 3_600
        assert sample("jrp_messaging_table_rows", {"table": "outbox"}) == 4
        assert sample("jrp_messaging_table_rows", {"table": "inbox"}) == 5
        assert (sample("jrp_messaging_table_bytes", {"table": "inbox"}) or 0) > 0
        assert sample("jrp_retention_deleted_total", {"table": "inbox"}) == 45
    finally:
        await bus.stop()
        await db.dispose()
