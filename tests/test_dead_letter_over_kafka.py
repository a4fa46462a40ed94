"""A malformed message, or one whose `ce_type` no schema knows, on a real topic goes to the
dead-letter topic with its reason, and the consumer goes on to the next message."""

import json
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from harness import Mesh
from jrp_shared.events import topics
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration


async def test_malformed_catalog_messages_are_dead_lettered_and_consumption_goes_on(
    mesh: Mesh, kafka_bootstrap: str
) -> None:
    catalog_topic = f"{mesh.namespace}.{topics.CATALOG}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        # Key "black.tax.major-violation" puts these on the same partition as the real event.
        key = b"black.tax.major-violation"
        await producer.send_and_wait(catalog_topic, b"{not json", key=key)
        await producer.send_and_wait(
            catalog_topic,
            json.dumps({"code": "black.tax.major-violation"}).encode(),
            key=key,
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", b"bad-payload-1"),
                ("ce_source", b"/somewhere"),
                ("ce_type", b"cn.jrp.catalog.list-type.published.v1"),
                ("content-type", b"application/json"),
            ],
        )
        # A valid submission of the right shape under a misspelled type: kept, not dropped.
        await producer.send_and_wait(
            catalog_topic,
            json.dumps({"code": "black.tax.major-violation"}).encode(),
            key=key,
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", b"misspelled-type-1"),
                ("ce_source", b"/somewhere"),
                ("ce_type", b"cn.jrp.catalog.list-type.publish.v1"),
                ("content-type", b"application/json"),
            ],
        )
    finally:
        await producer.stop()
    await mesh.registry.seed_catalog()
    enforcement = mesh.followers["enforcement"]

    async def tax_list_type_arrived() -> Any:
        response = await enforcement.client.get(
            "/v1/catalog/list-types/black.tax.major-violation",
            headers=mesh.keys.headers("tax", "implementer"),
        )
        return response.status_code == 200

    await eventually(tax_list_type_arrived, within=60)

    reader = AIOKafkaConsumer(
        f"{mesh.namespace}.{topics.DEAD_LETTER}",
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{mesh.namespace}.inspector",
        auto_offset_reset="earliest",
    )
    await reader.start()
    letters: list[dict[str, Any]] = []
    try:

        async def enforcement_letters() -> list[dict[str, Any]]:
            batch = await reader.getmany(timeout_ms=500)
            for messages in batch.values():
                for m in messages:
                    headers = dict(m.headers)
                    assert headers["ce_type"] == b"cn.jrp.dead-letter.v1"
                    letters.append(json.loads(m.value))
            mine = [x for x in letters if x["consumer"].endswith("enforcement.catalog-copy")]
            return mine if len(mine) >= 3 else []

        mine = await eventually(enforcement_letters, within=30)
    finally:
        await reader.stop()
    reasons = sorted(x["reason"] for x in mine)
    assert any("invalid envelope" in r for r in reasons)
    assert any("invalid cn.jrp.catalog.list-type.published.v1 payload" in r for r in reasons)
    assert any(
        r.startswith("unknown event type 'cn.jrp.catalog.list-type.publish.v1'")
        and "did you mean 'cn.jrp.catalog.list-type.published.v1'" in r
        for r in reasons
    )
    assert all(x["source_topic"] == topics.CATALOG for x in mine)
    assert {x["value"] for x in mine} >= {"{not json"}
