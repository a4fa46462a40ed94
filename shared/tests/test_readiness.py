"""`/readyz` says whether a replica can serve (docs/operations.md), on SQLite and the embedded
bus: `not_ready` (503) while a consumer has not joined once or the database is away, `ready`,
and `degraded` (still 200) while only the bus is away; the `checks` keep their names. And the
embedded bus counts a consumer group's lag in messages, as Kafka's arithmetic does."""

import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import MetaData

from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.bus.lag import PartitionExtent, group_lags
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, eventually, serving
from jrp_shared.web import create_service_app

metadata = MetaData()
tables = messaging_tables(metadata)


class _SwitchableBus(EmbeddedBus):
    """The real embedded bus, whose health probe can be made to fail."""

    reachable = True

    async def healthy(self) -> bool:
        return self.reachable and await super().healthy()


async def _take(_uow: UnitOfWork, _envelope: Envelope, _payload: EventPayload) -> None:
    return None


@pytest.fixture
async def service(tmp_path: Path, keys: Keys) -> AsyncIterator[tuple[AsyncClient, ServiceRuntime]]:
    settings = ServiceSettings(
        service_name="svc",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        broker_probe_seconds=3600,
    )
    bus = _SwitchableBus(settings.topic_namespace, tmp_path / "bus.sqlite3")
    runtime = ServiceRuntime(settings, tables, bus=bus)
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    runtime.add_consumer("calendar", [topics.CALENDAR], {CalendarScheduleLoaded.event_type: _take})
    app = create_service_app(runtime, title="t", description="t", routers=[])
    async with serving(app, "svc") as client:
        yield client, runtime


async def test_ready_then_degraded_while_the_bus_is_away_then_ready_again(
    service: tuple[AsyncClient, ServiceRuntime],
) -> None:
    client, runtime = service

    async def ready() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(ready)
    answer = (await client.get("/readyz")).json()
    assert answer["status"] == "ready"
    assert answer["checks"] == {"database": True, "bus": True, "consumers": True}
    assert answer["outbox_backlog"] == 0
    assert answer["dead_letters_waiting"] == {"replayable": 0, "not_replayable": 0}
    assert answer["broker"]["reachable"] is True

    _SwitchableBus.reachable = False
    try:
        away = await client.get("/readyz")
        assert away.status_code == 200
        assert away.json()["status"] == "degraded"
        assert away.json()["degraded"] == ["bus"]
        assert away.json()["broker"]["unreachable_since"]
        assert runtime.metrics.registry.get_sample_value("jrp_bus_reachable") == 0
    finally:
        _SwitchableBus.reachable = True
    back = await client.get("/readyz")
    assert (back.status_code, back.json()["status"]) == (200, "ready")
    assert back.json()["broker"]["unreachable_since"] is None


async def test_not_ready_503_without_the_database(
    service: tuple[AsyncClient, ServiceRuntime],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    client, runtime = service

    async def ready() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(ready)
    # A database that cannot be opened (its directory was removed), as readiness sees it.
    away = Database(f"sqlite+aiosqlite:///{tmp_path}/gone/svc.db")
    shutil.rmtree(tmp_path / "gone")
    monkeypatch.setattr(runtime, "db", away)
    answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert answer.json()["checks"]["database"] is False
    assert "outbox_backlog" not in answer.json()


async def test_the_embedded_bus_counts_a_groups_lag_in_messages(tmp_path: Path) -> None:
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await bus.start()
    try:
        schedules = [
            CalendarScheduleLoaded(
                year=year, source="t", holidays=[date(year, 1, 1)], adjusted_workdays=[]
            ).message("/jrp/registry")
            for year in range(2030, 2035)
        ]
        await bus.publish(schedules)
        reader = bus.subscribe("ns.svc.calendar", [topics.CALENDAR])
        records = await reader.poll(max_records=2, timeout_ms=100)
        await reader.commit(records)
        snapshot = await bus.offsets([topics.CALENDAR], groups=["ns.svc.calendar", "ns.other"])
        assert snapshot.partitions == [PartitionExtent(topics.CALENDAR, 0, 0, 5)]
        lags = {
            lag.group: lag.lag
            for lag in group_lags(
                snapshot, {"ns.svc.calendar": {topics.CALENDAR}, "ns.other": {topics.CALENDAR}}
            )
        }
        assert lags == {"ns.svc.calendar": 3, "ns.other": 5}
        assert await bus.topics_named("calendar.") == [topics.CALENDAR]
        assert await bus.topics_named("sanctions.v1.") == []
    finally:
        await bus.stop()
