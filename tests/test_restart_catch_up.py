"""A service that was down while the catalog changed catches up when it comes back, over the
real broker, without losing or doubling anything (offsets are committed after the effect)."""

from typing import Any

import pytest
from sqlalchemy import func, select

from harness import Mesh
from jrp_enforcement import cli as enforcement_cli
from jrp_enforcement.app import create_app
from jrp_enforcement.config import EnforcementSettings
from jrp_shared.testing import Keys, PostgresDatabases, eventually, serving

pytestmark = pytest.mark.integration

TAX_LIST = "black.tax.major-violation"


async def test_a_restarted_service_catches_up_exactly_once(
    mesh: Mesh, postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str
) -> None:
    settings = EnforcementSettings(
        service_name="enforcement-b",  # a second enforcement replica set with its own group
        database_url=await postgres.fresh("enforcement", enforcement_cli.MIGRATIONS),
        bus="kafka",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=mesh.namespace,
        auth_public_key_file=keys.public_key_file,
        log_json=False,
    )
    headers = keys.headers("tax", "implementer")
    report = await mesh.registry.seed_catalog()

    async def copy_of(client: Any, version: int) -> Any:
        response = await client.get(f"/v1/catalog/list-types/{TAX_LIST}", headers=headers)
        return response.status_code == 200 and response.json()["version"] == version

    async with serving(create_app(settings), "enforcement-b") as client:
        await eventually(lambda: copy_of(client, 1), within=60)

    # While it is down the catalog changes twice.
    body = (
        await mesh.registry.client.get(
            f"/v1/catalog/list-types/{TAX_LIST}", headers=mesh.registry.as_office()
        )
    ).json()
    for derived in ("measures", "versions", "version"):
        body.pop(derived)
    for months in (40, 44):
        body.update(max_period_months=months, default_period_months=months)
        changed = await mesh.registry.client.put(
            f"/v1/catalog/list-types/{TAX_LIST}", json=body, headers=mesh.registry.as_office()
        )
        assert changed.status_code == 200, changed.text

    # The seed (past editions too) and two changes.
    expected = len(report.list_types) + len(report.past_list_types) + len(report.measures) + 2
    app = create_app(settings)
    tables = app.state.catalog_copy.tables

    async def taken() -> tuple[int, int]:
        async with app.state.runtime.db.sessions() as session:
            received = await session.scalar(
                select(func.count()).select_from(tables.changes_received)
            )
            distinct = await session.scalar(
                select(func.count(func.distinct(tables.changes_received.c.event_id)))
            )
        return int(received or 0), int(distinct or 0)

    async with serving(app, "enforcement-b") as client:
        await eventually(lambda: copy_of(client, 3), within=60)

        async def all_taken() -> tuple[int, int] | None:
            counts = await taken()
            return counts if counts[0] >= expected else None

        await eventually(all_taken, within=60)
        received, distinct = await taken()
    # Every event taken exactly once: none lost while down, none doubled on catching up.
    assert received == distinct == expected


async def test_enforcement_down_during_an_objection_catches_up_once(
    mesh: Mesh, postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str
) -> None:
    """A second enforcement (its own group and database) takes the entry, goes down, misses
    the suspension and the resumption of an objection, and on coming back applies each once:
    every order suspended once and re-issued once, as revision 2 (DOMAIN.md §7)."""
    from test_due_process_over_kafka import decide, entry_in_appeals, object_to, post_entry
    from test_loop_over_kafka import catalog_ready, tax_entry

    settings = EnforcementSettings(
        service_name="enforcement-b",
        database_url=await postgres.fresh("enforcement", enforcement_cli.MIGRATIONS),
        bus="kafka",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=mesh.namespace,
        auth_public_key_file=keys.public_key_file,
        log_json=False,
    )
    office = keys.headers("credit-office", "administrator")
    await catalog_ready(mesh)
    entry_id = await post_entry(mesh, tax_entry())

    async def orders_of(client: Any) -> list[Any] | None:
        r = await client.get(f"/v1/sanction-orders?entry_id={entry_id}", headers=office)
        return r.json() if r.status_code == 200 and r.json() else None

    async with serving(create_app(settings), "enforcement-b") as client:
        before = await eventually(lambda: orders_of(client), within=60)

    # While it is down: an objection suspends the entry and the provider's rejection resumes it.
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, keys.subject_headers("91350100M000100Y43"))
    await decide(
        mesh,
        f"/v1/objections/{objection['objection_id']}/decision",
        keys.headers("tax", "initiator"),
        outcome="information_right",
        reasons="经核查，认定无误",
    )

    async def resumed_in_trigger() -> bool:
        r = await mesh.followers["trigger"].client.get(
            f"/v1/list-entries/{entry_id}", headers=keys.headers("tax", "initiator")
        )
        return bool(r.json()["version"] == 2)

    await eventually(resumed_in_trigger, within=60)

    async with serving(create_app(settings), "enforcement-b") as client:

        async def caught_up() -> list[Any] | None:
            found = await orders_of(client)
            return found if found and all(o["revision"] == 2 for o in found) else None

        after = await eventually(caught_up, within=60)
        assert {o["order_id"] for o in after} == {o["order_id"] for o in before}
        for order in after:
            detail = await client.get(f"/v1/sanction-orders/{order['order_id']}", headers=office)
            changes = [h["change"] for h in detail.json()["history"]]
            assert changes.count("suspended") == 1 and changes.count("reissued") == 1, changes
            assert order["state"] == "issued"
