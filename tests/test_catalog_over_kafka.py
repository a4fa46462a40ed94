"""A catalog change made in the registry reaches every other service's own copy over the real
broker — exactly once, even when the message is delivered twice."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from harness import Mesh, Service
from jrp_registry.adapters import orm as registry_orm
from jrp_registry.app import registry_of
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

TAX_LIST = "black.tax.major-violation"


async def _copy(service: Service, mesh: Mesh, path: str) -> Any:
    response = await service.client.get(path, headers=mesh.keys.headers("tax", "implementer"))
    return response.json() if response.status_code == 200 else None


def _consumed(service: Service, mesh: Mesh, outcome: str) -> float:
    value = service.runtime.metrics.registry.get_sample_value(
        "jrp_events_consumed_total",
        {"consumer": f"{mesh.namespace}.{service.name}.catalog-copy", "outcome": outcome},
    )
    return value or 0.0


async def test_the_seeded_catalog_reaches_every_service_and_all_are_ready(mesh: Mesh) -> None:
    report = await mesh.registry.seed_catalog()
    for service in mesh.followers.values():
        ready = await service.client.get("/readyz")
        checks = ready.json()["checks"]
        assert checks["database"] and checks["bus"] and checks["consumers"] and all(checks.values())

        async def all_list_types(service: Service = service) -> Any:
            copy = await _copy(service, mesh, "/v1/catalog/list-types")
            return copy if copy and len(copy) == len(report.list_types) else None

        async def all_measures(service: Service = service) -> Any:
            copy = await _copy(service, mesh, "/v1/catalog/measures")
            return copy if copy and len(copy) == len(report.measures) else None

        copy = await eventually(all_list_types, within=60)
        assert {t["code"] for t in copy} == set(report.list_types)
        measures = await eventually(all_measures)
        assert {m["code"] for m in measures} == set(report.measures)


async def test_a_catalog_change_arrives_once_even_when_delivered_twice(mesh: Mesh) -> None:
    await mesh.registry.seed_catalog()
    enforcement = mesh.followers["enforcement"]
    registry = mesh.registry

    async def version_one() -> Any:
        copy = await _copy(enforcement, mesh, f"/v1/catalog/list-types/{TAX_LIST}")
        return copy if copy and copy["version"] == 1 else None

    body = await eventually(version_one, within=60)
    body.pop("version")
    body.update(max_period_months=48, default_period_months=48, effective_from=str(date.today()))
    changed = await registry.client.put(
        f"/v1/catalog/list-types/{TAX_LIST}", json=body, headers=registry.as_office()
    )
    assert changed.status_code == 200, changed.text

    async def version_two() -> Any:
        copy = await _copy(enforcement, mesh, f"/v1/catalog/list-types/{TAX_LIST}")
        return copy if copy and copy["version"] == 2 else None

    assert (await eventually(version_two))["max_period_months"] == 48

    # Deliver the same event again: the registry's relay republishes its outbox row, as it
    # would after a crash between publishing and marking it published.
    runtime = registry_of(registry.app).runtime
    outbox = registry_orm.messaging.outbox
    async with runtime.db.sessions() as session, session.begin():
        event_id = await session.scalar(
            select(outbox.c.event_id)
            .where(outbox.c.key == TAX_LIST)
            .order_by(outbox.c.id.desc())
            .limit(1)
        )
        await session.execute(
            update(outbox).where(outbox.c.event_id == event_id).values(published_at=None)
        )
    duplicates_before = _consumed(enforcement, mesh, "duplicate")
    runtime.relay.wake()

    async def redelivered() -> bool:
        return _consumed(enforcement, mesh, "duplicate") > duplicates_before

    await eventually(redelivered)
    copy_tables = enforcement.app.state.catalog_copy.tables
    async with enforcement.runtime.db.sessions() as session:
        received = await session.scalar(
            select(func.count())
            .select_from(copy_tables.changes_received)
            .where(copy_tables.changes_received.c.event_id == event_id)
        )
        versions = await session.scalar(
            select(func.count())
            .select_from(copy_tables.list_types)
            .where(copy_tables.list_types.c.code == TAX_LIST)
        )
    assert received == 1
    assert versions == 2
