"""PostgreSQL crashes (`pg_ctl stop -m immediate`) and starts again while events flow through
a consumer over the real broker: every effect is stored exactly once and nothing is
dead-lettered. The consumer waits out "connection refused", "the database system is starting
up" and connections killed mid-transaction, for as long as they last.

The cluster is the test's own (`private_postgres`): the shared test server is never restarted."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from jrp_shared.bus.base import Message
from jrp_shared.bus.kafka import KafkaBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.consumer import EventConsumer
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.testing import PrivatePostgres, eventually

pytestmark = pytest.mark.integration

EVENTS = 300
metadata = MetaData()
tables = messaging_tables(metadata)
# No unique key on purpose: a doubled effect shows as a second row.
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
)


async def _store_effect(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, CalendarScheduleLoaded)
    await uow.session.execute(insert(effects).values(event_id=envelope.id, year=payload.year))


def _event(i: int) -> Message:
    payload = CalendarScheduleLoaded(
        year=2030 + i % 5, source=f"load {i}", holidays=[date(2030, 1, 1)], adjusted_workdays=[]
    )
    return payload.message("/jrp/test")


async def _dead_letters_on_the_topic(bus: KafkaBus, kafka_bootstrap: str) -> int:
    """How many messages the dead-letter topic ever received (its end offsets)."""
    topic = bus.qualified(topics.DEAD_LETTER)
    reader = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap)
    await reader.start()
    try:
        partitions = reader.partitions_for_topic(topic)
        assert partitions, f"no metadata for {topic}"
        ends = await reader.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        await reader.stop()


async def test_a_postgres_crash_and_restart_costs_no_event(
    private_postgres: PrivatePostgres, kafka_bootstrap: str, namespace: str
) -> None:
    db = Database(private_postgres.url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = KafkaBus(namespace, kafka_bootstrap, client_id="restart-test")
    await bus.start()
    await bus.ensure_topics([topics.CALENDAR, topics.DEAD_LETTER])
    metrics = ServiceMetrics("test")
    consumer = EventConsumer(
        name=f"{namespace}.test.restart",
        bus=bus,
        db=db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: _store_effect},
        metrics=metrics,
        source="/jrp/test",
        max_attempts=3,
        retry_seconds=0.01,
        max_retry_seconds=0.1,  # so it knocks during "the database system is starting up"
        batch_size=20,
    )
    running = asyncio.create_task(consumer.run())

    async def stored() -> int:
        async with db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(effects)) or 0)

    async def publish_steadily() -> None:
        for start in range(0, EVENTS, 10):
            await bus.publish([_event(i) for i in range(start, start + 10)])
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(consumer.ready.wait(), timeout=30)
        publishing = asyncio.create_task(publish_steadily())
        await eventually(lambda: _at_least(stored, 30), within=30)  # flowing
        await private_postgres.crash()  # mid-flow: connections die, new ones are refused
        await asyncio.sleep(1.0)  # events keep arriving while the database is away
        await private_postgres.start()  # crash recovery, then "starting up", then open
        await publishing

        def dead_lettered() -> float | None:
            return metrics.registry.get_sample_value(
                "jrp_events_consumed_total",
                {"consumer": consumer.name, "outcome": "dead_lettered"},
            )

        async def all_stored() -> int:
            assert dead_lettered() is None, "a valid event was dead-lettered during the outage"
            count = await stored()
            return count if count >= EVENTS else 0

        await eventually(all_stored, within=90, interval=0.2)
        await asyncio.sleep(1.0)  # time for a doubled effect to show, if any
        async with db.sessions() as session:
            rows = (await session.execute(select(effects.c.event_id))).scalars().all()
            inbox = await session.scalar(select(func.count()).select_from(tables.inbox))
        assert len(rows) == EVENTS, "an effect was doubled"
        assert len(set(rows)) == EVENTS
        assert inbox == EVENTS
        waits = metrics.registry.get_sample_value(
            "jrp_consumer_dependency_waits_total", {"consumer": consumer.name}
        )
        assert waits, "the consumer never met the outage: the test proved nothing"
        assert dead_lettered() is None
        assert await _dead_letters_on_the_topic(bus, kafka_bootstrap) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await bus.stop()
        await db.dispose()


async def _at_least(probe: Callable[[], Awaitable[int]], n: int) -> bool:
    return await probe() >= n
