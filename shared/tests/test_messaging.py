"""Outbox, relay, inbox and dead-lettering on the embedded default: a real SQLite database and
the real embedded bus (no fakes), so these run in the fast layer."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from jrp_shared.bus.base import Message, Record
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.db import Database
from jrp_shared.errors import FieldProblem, InvalidInput
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload, MeasurePublished
from jrp_shared.messaging.consumer import EventConsumer, Handler
from jrp_shared.messaging.relay import OutboxRelay
from jrp_shared.messaging.retention import MessagingRetention
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("note", String(50)),
)


@dataclass
class Stack:
    db: Database
    bus: EmbeddedBus
    metrics: ServiceMetrics

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, tables, source="/jrp/test")

    def consumer(self, handler: Handler, **kwargs: Any) -> EventConsumer:
        return EventConsumer(
            name="test.consumer",
            bus=self.bus,
            db=self.db,
            tables=tables,
            topics=[topics.CALENDAR],
            handlers={CalendarScheduleLoaded.event_type: handler},
            metrics=self.metrics,
            source="/jrp/test",
            retry_seconds=0.01,
            **kwargs,
        )

    async def count(self, table: Table) -> int:
        async with self.db.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(table)) or 0)

    async def dead_letters(self) -> list[Envelope]:
        sub = self.bus.subscribe("inspector", [topics.DEAD_LETTER])
        records = await sub.poll(max_records=100, timeout_ms=100)
        return [Envelope.from_wire(r.headers, r.value) for r in records]


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await bus.start()
    yield Stack(db, bus, ServiceMetrics("test"))
    await bus.stop()
    await db.dispose()


def _schedule(year: int = 2027) -> CalendarScheduleLoaded:
    return CalendarScheduleLoaded(
        year=year, source="test", holidays=[date(year, 1, 1)], adjusted_workdays=[]
    )


async def _record_effect(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, CalendarScheduleLoaded)
    await uow.session.execute(insert(effects).values(year=payload.year, note=envelope.id[:8]))


def _as_record(envelope: Envelope, offset: int = 1) -> Record:
    return Record(
        topic=topics.CALENDAR,
        key=envelope.subject,
        headers=tuple(envelope.to_headers()),
        value=envelope.body(),
        partition=0,
        offset=offset,
    )


async def test_state_and_event_commit_together_or_not_at_all(stack: Stack) -> None:
    async with stack.uow() as uow:
        await uow.session.execute(insert(effects).values(year=1))
        uow.emit(_schedule())
        await uow.commit()
    with pytest.raises(RuntimeError):
        async with stack.uow() as uow:
            await uow.session.execute(insert(effects).values(year=2))
            uow.emit(_schedule(2028))
            raise RuntimeError("the handler failed before commit")
    assert await stack.count(effects) == 1
    assert await stack.count(tables.outbox) == 1


async def test_relay_publishes_the_outbox_in_order_and_marks_it(stack: Stack) -> None:
    async with stack.uow() as uow:
        sent = [uow.emit(_schedule(2027 + i)) for i in range(3)]
        await uow.commit()
    relay = OutboxRelay(stack.db, tables, stack.bus, stack.metrics)
    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 0
    records = await stack.bus.subscribe("reader", [topics.CALENDAR]).poll(
        max_records=10, timeout_ms=100
    )
    received = [Envelope.from_wire(r.headers, r.value) for r in records]
    assert [e.id for e in received] == [e.id for e in sent]
    assert records[0].key == "2027"
    assert received[0].correlationid is None
    assert json.loads(records[2].value or b"")["year"] == 2029


async def test_redelivery_never_doubles_an_effect(stack: Stack) -> None:
    consumer = stack.consumer(_record_effect)
    async with stack.uow() as uow:
        envelope = uow.emit(_schedule())
        await uow.commit()
    await consumer.handle(_as_record(envelope, 1))
    await consumer.handle(_as_record(envelope, 2))  # the same event delivered again
    assert await stack.count(effects) == 1
    assert await stack.count(tables.inbox) == 1
    duplicates = stack.metrics.registry.get_sample_value(
        "jrp_events_consumed_total", {"consumer": "test.consumer", "outcome": "duplicate"}
    )
    assert duplicates == 1


async def test_malformed_messages_go_to_the_dead_letter_topic_and_the_consumer_goes_on(
    stack: Stack,
) -> None:
    consumer = stack.consumer(_record_effect)
    garbage = Record(topics.CALENDAR, "k", (("x", b"y"),), b"\xff\xfe not json", 0, 7)
    wrong_payload = Envelope(
        source="/jrp/x", type=CalendarScheduleLoaded.event_type, data={"year": "soon"}
    )
    good = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(garbage)
    await consumer.handle(_as_record(wrong_payload, 8))
    await consumer.handle(_as_record(good, 9))
    assert await stack.count(effects) == 1
    letters = await stack.dead_letters()
    assert [e.data["offset"] for e in letters] == [7, 8]
    assert "invalid envelope" in letters[0].data["reason"]
    assert letters[0].data["value_encoding"] == "base64"
    assert "year" in letters[1].data["reason"]
    assert letters[1].data["consumer"] == "test.consumer"


@pytest.mark.parametrize("error", [ValueError, AttributeError])
async def test_a_handler_that_keeps_failing_is_dead_lettered_after_its_attempts(
    stack: Stack, error: type[Exception]
) -> None:
    """Whatever the failure (bad data or a bug), it never blocks the partition forever."""
    calls = 0

    async def broken(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        nonlocal calls
        calls += 1
        await uow.session.execute(insert(effects).values(year=0))
        raise error("no such list type")

    consumer = stack.consumer(broken, max_attempts=3)
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(_as_record(envelope))
    assert calls == 3
    assert await stack.count(effects) == 0  # each failed attempt rolled back
    [letter] = await stack.dead_letters()
    assert "failed 3 times" in letter.data["reason"]
    assert "no such list type" in letter.data["reason"]


async def test_the_running_consumer_commits_after_the_effect(stack: Stack) -> None:
    consumer = stack.consumer(_record_effect)
    task = asyncio.create_task(consumer.run())
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await stack.bus.publish(
        [Message(topics.CALENDAR, "2027", tuple(envelope.to_headers()), envelope.body())]
    )
    for _ in range(100):
        if await stack.count(effects) == 1:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.6)  # one more poll cycle, so the batch's offsets are committed
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await stack.count(effects) == 1
    leftover = await stack.bus.subscribe("test.consumer", [topics.CALENDAR]).poll(
        max_records=10, timeout_ms=50
    )
    assert leftover == []


async def test_a_poll_is_taken_in_one_transaction_and_one_bad_event_costs_only_itself(
    stack: Stack,
) -> None:
    async def fails_for_2028(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, CalendarScheduleLoaded)
        await _record_effect(uow, envelope, payload)
        if payload.year == 2028:
            raise ValueError("2028 is refused")

    consumer = stack.consumer(fails_for_2028, max_attempts=1)
    events = [
        Envelope(
            source="/jrp/x",
            type=CalendarScheduleLoaded.event_type,
            data=_schedule(year).model_dump(mode="json"),
        )
        for year in (2027, 2028, 2029)
    ]
    records = [_as_record(env, i) for i, env in enumerate(events)]
    await consumer.handle_batch([*records, _as_record(events[0], 9)])  # one redelivered inside
    async with stack.db.sessions() as s:
        years = sorted(await s.scalars(select(effects.c.year)))
    assert years == [2027, 2029]  # the failed batch rolled back, the good ones taken one by one
    [letter] = await stack.dead_letters()
    assert "2028 is refused" in letter.data["reason"]
    await consumer.handle_batch(records[::2])  # the whole batch again: all duplicates
    assert await stack.count(effects) == 2
    assert await stack.count(tables.inbox) == 2


async def test_a_clean_poll_commits_once_for_all_its_events(stack: Stack) -> None:
    consumer = stack.consumer(_record_effect)
    events = [
        Envelope(
            source="/jrp/x",
            type=CalendarScheduleLoaded.event_type,
            data=_schedule(2027 + i).model_dump(mode="json"),
        )
        for i in range(5)
    ]
    await consumer.handle_batch([_as_record(env, i) for i, env in enumerate(events)])
    async with stack.db.sessions() as s:
        notes = set(await s.scalars(select(effects.c.note)))
    assert notes == {env.id[:8] for env in events}
    processed = stack.metrics.registry.get_sample_value(
        "jrp_events_consumed_total", {"consumer": "test.consumer", "outcome": "processed"}
    )
    assert processed == 5


async def test_an_event_that_breaks_a_domain_rule_is_dead_lettered_at_once(stack: Stack) -> None:
    calls = 0

    async def refuses(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        nonlocal calls
        calls += 1
        raise InvalidInput(
            "list entry refused",
            problems=[FieldProblem("list_type", "unknown_list_type", "no such list type: x")],
        )

    consumer = stack.consumer(refuses, max_attempts=3)
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(_as_record(envelope))
    assert calls == 1  # no retry: the event itself is wrong
    [letter] = await stack.dead_letters()
    assert letter.data["reason"] == "refused: list entry refused (list_type: no such list type: x)"


async def test_after_commit_callbacks_run_only_when_the_work_commits(stack: Stack) -> None:
    ran: list[str] = []
    async with stack.uow() as uow:
        uow.after_commit(lambda: ran.append("committed"))
        await uow.commit()
    with pytest.raises(RuntimeError):
        async with stack.uow() as uow:
            uow.after_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("failed")
    assert ran == ["committed"]


async def test_an_outage_is_waited_out_and_never_counts_as_an_attempt(stack: Stack) -> None:
    """Ten refusals of a restarting database, then success: stored, nothing dead-lettered."""
    calls = 0

    async def restarting(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        nonlocal calls
        calls += 1
        if calls <= 10:
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        await _record_effect(uow, envelope, payload)

    consumer = stack.consumer(restarting, max_attempts=3, max_retry_seconds=0.02)
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(_as_record(envelope))
    assert calls == 11
    assert await stack.count(effects) == 1
    assert await stack.dead_letters() == []
    waits = stack.metrics.registry.get_sample_value(
        "jrp_consumer_dependency_waits_total", {"consumer": "test.consumer"}
    )
    assert waits == 10


async def test_after_an_outage_a_real_failure_still_gets_all_its_attempts(stack: Stack) -> None:
    """The attempt counter counts only failures on a healthy database."""
    calls = 0

    async def outage_then_bug(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        nonlocal calls
        calls += 1
        if calls <= 6:
            raise ConnectionRefusedError(111, "Connect call failed")
        raise ValueError("no such list type")

    consumer = stack.consumer(outage_then_bug, max_attempts=3, max_retry_seconds=0.02)
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(_as_record(envelope))
    assert calls == 6 + 3
    [letter] = await stack.dead_letters()
    assert "failed 3 times" in letter.data["reason"]


class _BrokerAwayAtFirst(EmbeddedBus):
    """The real embedded bus, unreachable for its first `refusals` publishes."""

    def __init__(self, namespace: str, path: Path, refusals: int) -> None:
        super().__init__(namespace, path)
        self.refusals = refusals

    async def publish(self, messages: Sequence[Message]) -> None:
        if self.refusals > 0:
            self.refusals -= 1
            raise KafkaConnectionError("Unable to bootstrap from 127.0.0.1:19092")
        await super().publish(messages)


async def test_a_dead_letter_the_broker_cannot_take_is_retried_until_stored(
    stack: Stack, tmp_path: Path
) -> None:
    bus = _BrokerAwayAtFirst("ns", tmp_path / "flaky-bus.sqlite3", refusals=4)
    await bus.start()
    try:
        consumer = EventConsumer(
            name="test.consumer",
            bus=bus,
            db=stack.db,
            tables=tables,
            topics=[topics.CALENDAR],
            handlers={CalendarScheduleLoaded.event_type: _record_effect},
            metrics=stack.metrics,
            source="/jrp/test",
            retry_seconds=0.001,
            max_retry_seconds=0.01,
        )
        garbage = Record(topics.CALENDAR, "k", (), b"{not json", 0, 7)
        await consumer.handle(garbage)  # returns only once the dead letter is stored
        assert bus.refusals == 0
        records = await bus.subscribe("inspector", [topics.DEAD_LETTER]).poll(
            max_records=10, timeout_ms=100
        )
        [letter] = [Envelope.from_wire(r.headers, r.value) for r in records]
        assert letter.data["offset"] == 7
    finally:
        await bus.stop()


async def test_an_unknown_event_type_is_dead_lettered_a_known_one_not_taken_here_ignored(
    stack: Stack,
) -> None:
    consumer = stack.consumer(_record_effect)
    data = _schedule().model_dump(mode="json")
    misspelled = Envelope(
        source="/jrp/x", type="cn.jrp.registry.calendar.schedule-loadd.v1", data=data
    )
    not_for_us = Envelope(source="/jrp/x", type=MeasurePublished.event_type, data={"code": "x"})
    await consumer.handle(_as_record(misspelled, 3))
    await consumer.handle(_as_record(not_for_us, 4))
    [letter] = await stack.dead_letters()
    assert letter.data["offset"] == 3
    assert letter.data["reason"] == (
        "unknown event type 'cn.jrp.registry.calendar.schedule-loadd.v1': no payload schema "
        f"has that name (did you mean {CalendarScheduleLoaded.event_type!r}?)"
    )
    ignored = stack.metrics.registry.get_sample_value(
        "jrp_events_consumed_total", {"consumer": "test.consumer", "outcome": "ignored"}
    )
    assert ignored == 1
    assert await stack.count(effects) == 0


async def test_retention_works_on_the_embedded_default_too(stack: Stack) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=60)
    async with stack.uow() as uow:
        uow.emit(_schedule())
        await uow.commit()
    consumer = stack.consumer(_record_effect)
    envelope = Envelope(
        source="/jrp/x",
        type=CalendarScheduleLoaded.event_type,
        data=_schedule().model_dump(mode="json"),
    )
    await consumer.handle(_as_record(envelope))
    await OutboxRelay(stack.db, tables, stack.bus, stack.metrics).publish_pending()
    async with stack.db.engine.begin() as conn:
        await conn.execute(update(tables.outbox).values(published_at=long_ago))
        await conn.execute(update(tables.inbox).values(processed_at=long_ago))
    retention = MessagingRetention(
        stack.db, tables, stack.metrics, outbox_hours=24, inbox_hours=48, batch_size=1
    )
    swept = await retention.sweep()
    assert (swept.outbox_deleted, swept.inbox_deleted) == (1, 1)
    await retention.observe()
    assert stack.metrics.registry.get_sample_value("jrp_outbox_unpublished") == 0
    assert await stack.count(tables.inbox) == 0


async def test_a_dead_letter_never_keeps_an_access_token(stack: Stack) -> None:
    consumer = stack.consumer(_record_effect)
    token = b"Bearer eyJhbGciOiJFZERTQSJ9.secret.signature"
    await consumer.handle(Record(topics.CALENDAR, "k", (("authorization", token),), b"{", 0, 5))
    [letter] = await stack.dead_letters()
    assert letter.data["headers"] == {"authorization": "[redacted]"}
    assert "secret" not in letter.body().decode()
