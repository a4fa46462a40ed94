"""Parsing with limits: any byte sequence on a topic ends as a dead letter, never as a consumer
that restarts on it for ever (issue 11 finding 3). Unit tests and the embedded bus (fast layer);
the same poison over the real Kafka is in tests/test_poison_over_kafka.py."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from jrp_shared import limits
from jrp_shared.bus.base import Message, Record
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope, EnvelopeError
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.consumer import DEAD_LETTER_VALUE_BYTES, EventConsumer
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings

DEEP = b"[" * 100_000 + b"]" * 100_000
"""What wedged trigger's consumer: Python's own parser raises RecursionError on it."""


def _headers(event_type: str = CalendarScheduleLoaded.event_type) -> tuple[tuple[str, bytes], ...]:
    return (
        ("ce_specversion", b"1.0"),
        ("ce_id", b"poison-1"),
        ("ce_source", b"/departments/tax"),
        ("ce_type", event_type.encode()),
    )


# --- unit: the limits themselves ----------------------------------------------------------------


def test_nesting_is_measured_without_recursing_and_strings_do_not_count() -> None:
    assert limits.nested_deeper_than(DEEP, 32)
    assert limits.nested_deeper_than(b'{"a":' * 33 + b"1" + b"}" * 33, 32)
    assert not limits.nested_deeper_than(b'{"a":' * 32 + b"1" + b"}" * 32, 32)
    assert not limits.nested_deeper_than(b'{"name": "' + b"[" * 1000 + b'"}', 32)
    assert not limits.nested_deeper_than(b'["\\"[[[[", [1], [2], [3]]', 3)
    assert not limits.nested_deeper_than(b"[]" * 100_000, 2)


def test_loads_refuses_with_the_limits_value_and_never_raises_recursion_error() -> None:
    with pytest.raises(limits.NestedTooDeep, match="more than 32 levels") as deep:
        limits.loads(DEEP, max_bytes=1_000_000, max_depth=32)
    assert deep.value.limit == 32
    with pytest.raises(limits.InputTooLarge, match="limit of 1024 bytes") as large:
        limits.loads(b'"' + b"x" * 2000 + b'"', max_bytes=1024)
    assert large.value.limit == 1024
    assert limits.loads(b'{"a": [1, {"b": "[["}]}') == {"a": [1, {"b": "[["}]}


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        (_headers(), DEEP, "more than 32 levels deep"),
        (_headers(), b'{"a":"' + b"x" * 2_000_000 + b'"}', "limit of 1048576 bytes"),
        ((*_headers(), ("x-junk", b"j" * 10_000)), b"{}", "limit of 8192"),
        (tuple(_headers()) + tuple((f"h{i}", b"") for i in range(40)), b"{}", "limit of 32"),
        (_headers(), b"\xff\xfe", "not JSON"),
        (
            (
                ("ce_specversion", b"1.0"),
                ("ce_id", b"i" * 65),
                ("ce_source", b"/s"),
                ("ce_type", b"t"),
            ),
            b"{}",
            "id",
        ),
    ],
)
def test_an_envelope_over_a_limit_is_refused_with_the_limit(
    headers: tuple[tuple[str, bytes], ...], body: bytes, reason: str
) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        Envelope.from_wire(headers, body)


# --- a consumer on the embedded bus -------------------------------------------------------------

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table("effects", metadata, Column("year", Integer, nullable=False))


async def _record_effect(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, CalendarScheduleLoaded)
    await uow.session.execute(insert(effects).values(year=payload.year))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
async def bus(tmp_path: Path) -> AsyncIterator[EmbeddedBus]:
    embedded = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await embedded.start()
    yield embedded
    await embedded.stop()


def _consumer(bus: EmbeddedBus, db: Database, metrics: ServiceMetrics) -> EventConsumer:
    return EventConsumer(
        name="test.consumer",
        bus=bus,
        db=db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: _record_effect},
        metrics=metrics,
        source="/jrp/test",
        retry_seconds=0.01,
    )


def _schedule_message(year: int) -> Message:
    schedule = CalendarScheduleLoaded(
        year=year, source="test", holidays=[date(year, 1, 1)], adjusted_workdays=[]
    )
    return schedule.message("/jrp/test")


async def _letters(bus: EmbeddedBus) -> list[Envelope]:
    records = await bus.subscribe("inspector", [topics.DEAD_LETTER]).poll(
        max_records=100, timeout_ms=100
    )
    return [Envelope.from_wire(r.headers, r.value) for r in records]


async def _count(db: Database) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(effects)) or 0)


async def test_poison_between_good_messages_is_dead_lettered_and_the_rest_taken(
    bus: EmbeddedBus, db: Database
) -> None:
    poisons = [
        Message(topics.CALENDAR, "k", _headers(), DEEP),
        Message(topics.CALENDAR, "k", _headers(), b"{" * 50 + b"x" * 3_000_000),
        Message(topics.CALENDAR, "k", (("\udcff", b"\xff"),), b"\x00\x01"),
    ]
    await bus.publish([_schedule_message(2027), *poisons, _schedule_message(2028)])
    metrics = ServiceMetrics("test")
    consumer = _consumer(bus, db, metrics)
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(200):
            if await _count(db) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await _count(db) == 2
    letters = await _letters(bus)
    assert len(letters) == 3
    assert "more than 32 levels deep" in letters[0].data["reason"]
    assert "limit of 1048576 bytes" in letters[1].data["reason"]
    assert len(letters[1].data["value"]) == DEAD_LETTER_VALUE_BYTES  # a letter fits the bus
    assert "value cut" in letters[1].data["reason"]
    assert not consumer.stalled
    assert (
        metrics.registry.get_sample_value("jrp_consumer_stalled", {"consumer": consumer.name}) == 0
    )


async def test_a_consumer_that_cannot_make_progress_says_so(bus: EmbeddedBus, db: Database) -> None:
    metrics = ServiceMetrics("test")
    consumer = _consumer(bus, db, metrics)

    async def broken_batch(records: object) -> None:
        raise RuntimeError("a bug that no dead letter can take away")

    consumer.handle_batch = broken_batch  # type: ignore[method-assign]
    await bus.publish([_schedule_message(2027)])
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(100):
            if consumer.stalled:
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert consumer.stalled
    assert (
        metrics.registry.get_sample_value("jrp_consumer_stalled", {"consumer": consumer.name}) == 1
    )


async def test_a_replayed_message_id_is_dead_lettered_a_redelivery_stays_silent(
    bus: EmbeddedBus, db: Database
) -> None:
    metrics = ServiceMetrics("test")
    consumer = EventConsumer(
        name="test.inbound",
        bus=bus,
        db=db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: _record_effect},
        metrics=metrics,
        source="/jrp/test",
        retry_seconds=0.01,
        authenticate=lambda record, envelope: None,  # a department's message, token checked
    )
    original = _schedule_message(2027)
    other_body = _schedule_message(2031)
    same_id_other_body = Message(original.topic, original.key, original.headers, other_body.value)

    def at(message: Message, offset: int) -> Record:
        return Record(message.topic, message.key, message.headers, message.value, 0, offset)

    await consumer.handle(at(original, 1))
    await consumer.handle(at(original, 1))  # redelivered after a restart: a silent duplicate
    await consumer.handle(at(original, 5))  # posted again
    await consumer.handle(at(same_id_other_body, 6))  # the same id over a different body
    async with db.sessions() as s:
        assert list(await s.scalars(select(effects.c.year))) == [2027]
    letters = await _letters(bus)
    assert [x.data["offset"] for x in letters] == [5, 6]
    assert all(x.data["reason"].startswith("replayed message id") for x in letters)
    assert "offset 1" in letters[0].data["reason"]
    duplicates = metrics.registry.get_sample_value(
        "jrp_events_consumed_total", {"consumer": "test.inbound", "outcome": "duplicate"}
    )
    assert duplicates == 1


async def test_readyz_says_when_a_consumer_cannot_make_progress(tmp_path: Path) -> None:
    settings = ServiceSettings(
        service_name="svc",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}",
        embedded_bus_path=tmp_path / "bus.sqlite3",
    )
    runtime = ServiceRuntime(settings, tables)
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    consumer = runtime.add_consumer(
        "calendar", [topics.CALENDAR], {CalendarScheduleLoaded.event_type: _record_effect}
    )

    async def broken_batch(records: object) -> None:
        raise RuntimeError("a bug that no dead letter can take away")

    consumer.handle_batch = broken_batch  # type: ignore[method-assign]
    await runtime.bus.start()
    try:
        await runtime.bus.publish([_schedule_message(2027)])
        task = asyncio.create_task(consumer.run())
        try:
            for _ in range(100):
                if consumer.stalled:
                    break
                await asyncio.sleep(0.1)
            checks = await runtime.readiness()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await runtime.bus.stop()
        await runtime.db.dispose()
    assert checks["database"] and checks["bus"]
    assert checks["consumers"] is False
