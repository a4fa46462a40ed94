"""Over the real broker: a service's own consumer lag and its dead letters waiting, on
/metrics and /readyz.

- A consumer held up in its handler: `jrp_consumer_lag` shows the messages behind it, per
  partition, and falls to 0 once it goes on.
- A poisoned event (its handler keeps failing) and a message that is no event at all are
  dead-lettered: `jrp_dead_letters_waiting` counts one replayable and one not, `/readyz` says
  so; once the cause is fixed and the event replayed and taken, the replayable one is gone."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import MetaData

from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.replay import DeadLetterFilter, find_dead_letters, replay
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, PostgresDatabases, eventually, serving
from jrp_shared.web import create_service_app

pytestmark = pytest.mark.integration

metadata = MetaData()
tables = messaging_tables(metadata)
POISON = 1999


@dataclass
class Svc:
    client: AsyncClient
    runtime: ServiceRuntime
    gate: asyncio.Event
    taken: list[int] = field(default_factory=list)
    broken: bool = True

    @property
    def consumer(self) -> str:
        return self.runtime.consumers[0].name

    def sample(self, name: str, **labels: str) -> float | None:
        return self.runtime.metrics.registry.get_sample_value(name, labels)

    def lag(self) -> float:
        return sum(
            s.value
            for metric in self.runtime.metrics.registry.collect()
            if metric.name == "jrp_consumer_lag"
            for s in metric.samples
            if s.labels["consumer"] == self.consumer and s.labels["topic"] == topics.CALENDAR
        )


def _schedule(year: int) -> Message:
    return CalendarScheduleLoaded(
        year=year, source="t", holidays=[date(2030, 1, 1)], adjusted_workdays=[]
    ).message("/jrp/registry")


@pytest.fixture
async def svc(
    postgres: PostgresDatabases, kafka_bootstrap: str, keys: Keys, namespace: str
) -> AsyncIterator[Svc]:
    settings = ServiceSettings(
        service_name="svc",
        bus="kafka",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        database_url=await postgres.empty(),
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        consumer_max_attempts=1,
        metrics_refresh_seconds=0.3,
    )
    runtime = ServiceRuntime(settings, tables)
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    gate = asyncio.Event()
    gate.set()
    state: dict[str, Any] = {}

    async def take(_uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, CalendarScheduleLoaded)
        await gate.wait()
        if payload.year == POISON and state["svc"].broken:
            raise RuntimeError("the calendar table is missing a column")
        state["svc"].taken.append(payload.year)

    runtime.add_consumer("calendar", [topics.CALENDAR], {CalendarScheduleLoaded.event_type: take})
    app: FastAPI = create_service_app(runtime, title="t", description="t", routers=[])
    async with serving(app, "svc") as client:
        state["svc"] = service = Svc(client, runtime, gate)
        await eventually(lambda: _ready(client), within=60)
        yield service


async def _ready(client: AsyncClient) -> bool:
    return bool((await client.get("/readyz")).json()["status"] == "ready")


async def test_a_held_up_consumer_shows_its_lag_until_it_goes_on(svc: Svc) -> None:
    svc.gate.clear()
    await svc.runtime.bus.publish([_schedule(year) for year in range(2030, 2034)])

    async def behind_by_four() -> bool:
        return svc.lag() == 4

    await eventually(behind_by_four, within=30)
    metrics = (await svc.client.get("/metrics")).text
    assert f'jrp_consumer_lag{{consumer="{svc.consumer}",partition="' in metrics
    assert svc.sample("jrp_lag_refreshed_timestamp_seconds", scope="consumers")

    svc.gate.set()

    async def caught_up() -> bool:
        return svc.lag() == 0 and sorted(svc.taken) == [2030, 2031, 2032, 2033]

    await eventually(caught_up, within=30)


async def test_dead_letters_wait_until_their_event_is_replayed_and_taken(svc: Svc) -> None:
    await svc.runtime.bus.publish(
        [_schedule(POISON), Message(topics.CALENDAR, "x", (), b"{not an event")]
    )

    def waiting(replayable: str) -> float | None:
        return svc.sample("jrp_dead_letters_waiting", consumer=svc.consumer, replayable=replayable)

    async def both_waiting() -> bool:
        return waiting("true") == 1 and waiting("false") == 1

    await eventually(both_waiting, within=30)
    ready = await svc.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["dead_letters_waiting"] == {"replayable": 1, "not_replayable": 1}

    svc.broken = False  # the cause is fixed; the operator replays
    letters = await find_dead_letters(
        svc.runtime.bus,
        DeadLetterFilter(consumer_prefix=f"{svc.runtime.settings.topic_namespace}.svc."),
        now=datetime.now(UTC),
        inbox_horizon=timedelta(days=30),
        idle_seconds=2,
    )
    assert await replay(svc.runtime.bus, letters) == 1

    async def resolved() -> bool:
        return POISON in svc.taken and waiting("true") == 0

    await eventually(resolved, within=30)
    assert waiting("false") == 1  # the non-event stays for an operator to read
    body = (await svc.client.get("/readyz")).json()
    assert body["dead_letters_waiting"] == {"replayable": 0, "not_replayable": 1}
