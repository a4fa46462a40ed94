"""The schemas are served where `ce_dataschema` points (docs/events.md): on the real broker, the
events the registry and trigger publish name a schema URL under the deployment's
`event_schema_base_url`, the registry answers that URL with the event's JSON Schema (the same
as docs/schemas/, `$id` = the URL), and the AsyncAPI document's messages name the same URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from test_loop_over_kafka import catalog_ready, tax_entry

from harness import Mesh, running_mesh
from jrp_shared.events import topics
from jrp_shared.events.asyncapi import asyncapi_document
from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE, schema_base, set_schema_base
from jrp_shared.events.payloads import EVENT_TYPES
from jrp_shared.events.schemas import event_schema
from jrp_shared.testing import Delivered, Keys, PostgresDatabases, TopicReader, eventually

pytestmark = pytest.mark.integration

BASE = "http://registry/schemas/events/"
"""The registry of this test's mesh (its HTTP client's host), as a deployment would set
JRP_<SERVICE>_EVENT_SCHEMA_BASE_URL to its registry's public address."""


@pytest.fixture
async def mesh_with_schema_base(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[Mesh]:
    try:
        async with running_mesh(
            postgres, keys, kafka_bootstrap, namespace, event_schema_base_url=BASE.rstrip("/")
        ) as mesh:
            yield mesh
    finally:
        set_schema_base(DEFAULT_SCHEMA_BASE)  # one value per process: leave the default


async def _first(mesh: Mesh, reader: TopicReader, topic: str, event_type: str) -> Delivered:
    found: list[Delivered] = []

    async def arrived() -> bool:
        found[:] = [
            m for m in await reader.read(mesh.topic(topic)) if m.headers["ce_type"] == event_type
        ]
        return bool(found)

    await eventually(arrived, within=60)
    return found[0]


async def test_published_events_name_a_schema_the_registry_serves(
    mesh_with_schema_base: Mesh,
) -> None:
    mesh = mesh_with_schema_base
    assert schema_base() == BASE  # the setting, with its missing slash added
    await catalog_ready(mesh)
    posted = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text

    documented = {
        m["name"]: m["x-dataschema"]
        for m in asyncapi_document(BASE)["components"]["messages"].values()
    }
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        published = [
            await _first(mesh, reader, topic, event_type)
            for topic, event_type in (
                (topics.CATALOG, "cn.jrp.catalog.measure.published.v1"),
                (topics.LIST_ENTRIES, "cn.jrp.trigger.list-entry.in-force.v1"),
            )
        ]
    for message in published:
        event_type = message.headers["ce_type"]
        url = message.headers["ce_dataschema"]
        assert url == f"{BASE}{event_type}.json"
        assert documented[event_type] == url

        # No token: anyone building a consumer may fetch it.
        served = await mesh.registry.client.get(url)
        assert served.status_code == 200, served.text
        assert served.headers["content-type"] == "application/schema+json"
        schema = served.json()
        assert schema["$id"] == url
        assert schema["x-event-type"] == event_type
        assert schema == event_schema(EVENT_TYPES[event_type], BASE)
        # The body of the message it describes has exactly the schema's required fields.
        assert set(schema["required"]) <= set(message.body)
        assert set(message.body) <= set(schema["properties"])


async def test_an_unknown_event_type_is_not_found(mesh: Mesh) -> None:
    missing = await mesh.registry.client.get("/schemas/events/cn.jrp.no-such.event.v1.json")
    assert missing.status_code == 404
    assert "cn.jrp.no-such.event.v1" in missing.json()["detail"]
    served = await mesh.registry.client.get(
        "/schemas/events/cn.jrp.registry.calendar.schedule-loaded.v1.json"
    )
    assert served.status_code == 200
    assert served.json()["$id"] == (
        f"{DEFAULT_SCHEMA_BASE}cn.jrp.registry.calendar.schedule-loaded.v1.json"
    )
