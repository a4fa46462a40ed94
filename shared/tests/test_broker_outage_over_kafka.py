"""A broker outage does not take a service out of service (issue 11, finding 10).

A service runs on a Kafka broker of the test's own (`private_kafka`; the shared test broker is
never stopped) and the shared PostgreSQL. The broker is stopped: `/readyz` stays 200 and says
`degraded`, with since when the broker is away; the HTTP API keeps taking writes; the outbox
backlog gauges and the `/readyz` detail rise with them; the Kafka client's flood of connection
errors is cut to a few lines. The broker comes back: the backlog drains and every event reaches
the consumer, and `/readyz` says `ready` again."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import pytest
from fastapi import APIRouter, FastAPI, Request
from httpx import AsyncClient
from sqlalchemy import MetaData

from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.logging import broker_client_log_limiter, configure_logging
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, PostgresDatabases, PrivateKafka, eventually, serving
from jrp_shared.web import create_service_app, runtime_of

pytestmark = pytest.mark.integration

metadata = MetaData()
tables = messaging_tables(metadata)


def _app(runtime: ServiceRuntime, taken: list[int]) -> FastAPI:
    router = APIRouter()

    @router.post("/v1/schedules/{year}", status_code=201)
    async def load(year: int, request: Request) -> dict[str, int]:
        async with runtime_of(request).uow() as uow:
            uow.emit(
                CalendarScheduleLoaded(
                    year=year, source="t", holidays=[date(year, 1, 1)], adjusted_workdays=[]
                )
            )
            await uow.commit()
        return {"year": year}

    async def take(_uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, CalendarScheduleLoaded)
        taken.append(payload.year)

    runtime.add_consumer("calendar", [topics.CALENDAR], {CalendarScheduleLoaded.event_type: take})
    return create_service_app(runtime, title="t", description="t", routers=[router])


@pytest.fixture
async def service(
    postgres: PostgresDatabases, private_kafka: PrivateKafka, keys: Keys, namespace: str
) -> AsyncIterator[tuple[AsyncClient, ServiceRuntime, list[int]]]:
    url = await postgres.empty()
    settings = ServiceSettings(
        service_name="svc",
        bus="kafka",
        kafka_bootstrap_servers=private_kafka.bootstrap,
        topic_namespace=namespace,
        database_url=url,
        auth_public_key_file=keys.public_key_file,
        log_json=True,
        metrics_refresh_seconds=0.3,
        broker_probe_seconds=0.3,
    )
    configure_logging("svc", json=True)
    runtime = ServiceRuntime(settings, tables, topics_published=[topics.CALENDAR])
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    taken: list[int] = []
    async with serving(_app(runtime, taken), "svc") as client:
        yield client, runtime, taken


def _gauge(runtime: ServiceRuntime, name: str) -> float | None:
    return runtime.metrics.registry.get_sample_value(name)


async def test_readyz_stays_200_degraded_and_the_outbox_buffers_while_the_broker_is_away(
    service: tuple[AsyncClient, ServiceRuntime, list[int]], private_kafka: PrivateKafka
) -> None:
    client, runtime, taken = service

    async def status() -> str:
        return str((await client.get("/readyz")).json()["status"])

    await eventually(lambda: _is(status, "ready"), within=60)
    assert (await client.post("/v1/schedules/2030")).status_code == 201
    await eventually(lambda: _true(lambda: taken == [2030]), within=60)

    passed_before = broker_client_log_limiter.passed
    await private_kafka.stop()

    async def degraded() -> dict[str, object] | None:
        answer = await client.get("/readyz")
        assert answer.status_code == 200, answer.text  # never 503 for the broker alone
        body = answer.json()
        return body if body["status"] == "degraded" else None

    body = await eventually(degraded, within=60)
    assert body["checks"]["database"] is True  # type: ignore[index]
    assert body["checks"]["bus"] is False  # type: ignore[index]
    assert "bus" in body["degraded"]  # type: ignore[operator]
    assert body["broker"]["reachable"] is False  # type: ignore[index]
    assert body["broker"]["unreachable_since"]  # type: ignore[index]

    # The API keeps serving; the outbox keeps what is owed.
    for year in range(2031, 2036):
        assert (await client.post(f"/v1/schedules/{year}")).status_code == 201

    async def backlog_of_five() -> dict[str, object] | None:
        body = (await client.get("/readyz")).json()
        gauge = _gauge(runtime, "jrp_outbox_unpublished")
        return body if body.get("outbox_backlog") == 5 and gauge == 5 else None

    body = await eventually(backlog_of_five, within=30)
    assert body["status"] == "degraded"
    assert float(body["outbox_oldest_unpublished_seconds"]) >= 0  # type: ignore[arg-type]
    assert (_gauge(runtime, "jrp_outbox_oldest_unpublished_seconds") or 0) > 0
    assert _gauge(runtime, "jrp_bus_reachable") == 0
    metrics = (await client.get("/metrics")).text
    assert "jrp_outbox_seconds_since_last_publish" in metrics
    # A few broker client lines, not ~850 a second.
    assert broker_client_log_limiter.passed - passed_before <= 2 * broker_client_log_limiter.burst

    await private_kafka.start()
    await eventually(lambda: _is(status, "ready"), within=120)
    await eventually(lambda: _true(lambda: sorted(taken) == list(range(2030, 2036))), within=120)

    async def drained() -> bool:
        body = (await client.get("/readyz")).json()
        return body.get("outbox_backlog") == 0 and _gauge(runtime, "jrp_outbox_unpublished") == 0

    await eventually(drained, within=30)
    assert _gauge(runtime, "jrp_bus_reachable") == 1
    assert (_gauge(runtime, "jrp_outbox_seconds_since_last_publish") or 99) < 5


async def _is(probe: Callable[[], Awaitable[str]], expected: str) -> bool:
    return await probe() == expected


async def _true(check: Callable[[], bool]) -> bool:
    return check()
