"""`replay-dead-letters` over the real broker: a valid event dead-lettered by a failing handler
is listed (dry run changes nothing), replayed once the cause is fixed, and taken exactly once;
what cannot be replayed is said so; another service's dead letters are not listed, and where
that service had taken the event the replay is absorbed as a duplicate."""

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from jrp_shared import cli
from jrp_shared.bus.base import Message
from jrp_shared.bus.kafka import KafkaBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.consumer import EventConsumer, Handler
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import PostgresDatabases, eventually

pytestmark = pytest.mark.integration

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
)


def _replay(
    settings: ServiceSettings, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    capsys.readouterr()
    code = cli.run(
        prog="jrp-test",
        settings_factory=lambda: settings,
        app_factory="unused:create_app",
        script_location=Path("unused"),
        argv=["replay-dead-letters", "--idle-seconds", "2", *args],
    )
    assert code == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    return lines[:-1], lines[-1]


async def test_a_dead_letter_is_listed_then_replayed_once_its_cause_is_fixed(
    postgres: PostgresDatabases,
    kafka_bootstrap: str,
    namespace: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = Database(await postgres.empty())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    settings = ServiceSettings(
        service_name="svc",
        bus="kafka",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        database_url=db.url,
    )
    bus = KafkaBus(namespace, kafka_bootstrap, client_id="replay-test")
    await bus.start()
    metrics = ServiceMetrics("svc")
    broken = True

    async def store(uow: UnitOfWork, envelope: Envelope, _payload: EventPayload) -> None:
        await uow.session.execute(insert(effects).values(event_id=envelope.id))

    async def store_unless_broken(uow: UnitOfWork, envelope: Envelope, p: EventPayload) -> None:
        if broken:
            raise RuntimeError("the calendar table is missing a column")
        await store(uow, envelope, p)

    def consumer(name: str, handler: Handler) -> EventConsumer:
        return EventConsumer(
            name=f"{namespace}.{name}",
            bus=bus,
            db=db,
            tables=tables,
            topics=[topics.CALENDAR],
            handlers={CalendarScheduleLoaded.event_type: handler},
            metrics=metrics,
            source="/jrp/svc",
            max_attempts=1,
        )

    ours = consumer("svc.calendar-copy", store_unless_broken)
    theirs = consumer("other.calendar-copy", store)
    running = [asyncio.create_task(c.run()) for c in (ours, theirs)]
    event = CalendarScheduleLoaded(
        year=2031, source="test", holidays=[date(2031, 1, 1)], adjusted_workdays=[]
    ).message("/jrp/registry")
    original_id = dict(event.headers)["ce_id"].decode()
    try:
        await bus.publish([event, Message(topics.CALENDAR, "2031", (), b"{not an event")])

        def dead_lettered() -> float:
            total = 0.0
            for c in (ours, theirs):
                total += (
                    metrics.registry.get_sample_value(
                        "jrp_events_consumed_total",
                        {"consumer": c.name, "outcome": "dead_lettered"},
                    )
                    or 0.0
                )
            return total

        async def three_dead_letters() -> bool:
            return dead_lettered() == 3  # ours: both messages; theirs: the garbage

        await eventually(three_dead_letters, within=30)
        broken = False  # the cause is fixed (a release, a migration)

        listed, summary = await asyncio.to_thread(_replay, settings, capsys)
        assert summary == {
            "summary": {"found": 2, "replayable": 1, "replayed": 0},
            "dry_run": True,
        }
        by_action = {line["action"]: line for line in listed}
        assert by_action["replay"]["event_id"] == original_id
        assert by_action["replay"]["consumer"] == ours.name
        assert "failed 1 times" in by_action["replay"]["reason"]
        assert "not a valid event" in by_action["skip"]["why_not"]
        await asyncio.sleep(1)

        async def taken() -> int:
            async with db.sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(effects)) or 0)

        assert await taken() == 1  # theirs only

        listed, summary = await asyncio.to_thread(
            _replay,
            settings,
            capsys,
            "--consumer",
            "calendar-copy",
            "--event-id",
            original_id,
            "--apply",
        )
        assert summary["summary"] == {"found": 1, "replayable": 1, "replayed": 1}
        assert [line["action"] for line in listed] == ["replayed"]

        # Ours takes it now; theirs, which took it the first time, skips it (its inbox).
        await eventually(lambda: _equals(taken, 2), within=30)

        async def absorbed() -> bool:
            return (
                metrics.registry.get_sample_value(
                    "jrp_events_consumed_total", {"consumer": theirs.name, "outcome": "duplicate"}
                )
                == 1
            )

        await eventually(absorbed, within=30)
        assert await taken() == 2
        assert dead_lettered() == 3
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await bus.stop()
        await db.dispose()


async def _equals(probe: Any, expected: int) -> bool:
    return bool(await probe() == expected)
