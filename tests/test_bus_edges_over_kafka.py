"""The inbound topics against an attacker and a careless sender, over the real broker (issue 11
findings 1-3): a poisoned message is dead-lettered and the messages after it are taken; an
expired token with a back-dated `ce_time` is refused; a replayed message id is dead-lettered
and changes nothing; no dead letter keeps a token."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from aiokafka import AIOKafkaConsumer
from cryptography.hazmat.primitives import serialization
from test_loop_over_kafka import ENTERPRISE, catalog_ready, tax_entry

from harness import Mesh
from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import Keys, eventually

pytestmark = pytest.mark.integration


def _expired_token(keys: Keys, days_ago: int) -> str:
    issued = int((datetime.now(UTC) - timedelta(days=days_ago)).timestamp())
    claims = {
        "iss": "jrp-registry",
        "aud": "jrp",
        "sub": "tax",
        "roles": ["initiator"],
        "iat": issued,
        "nbf": issued,
        "exp": issued + 900,
    }
    key = serialization.load_pem_private_key(keys.private_key_file.read_bytes(), password=None)
    return jwt.encode(claims, key, algorithm="EdDSA")  # type: ignore[arg-type]


def _submission(record_id: str, **changes: Any) -> ListEntrySubmission:
    return ListEntrySubmission.model_validate(tax_entry(record_id=record_id, **changes))


def _with(message: Message, *, headers: Any = None, value: bytes | None = None) -> Message:
    return Message(
        message.topic,
        message.key,
        message.headers if headers is None else tuple(headers),
        message.value if value is None else value,
    )


async def _entries(mesh: Mesh) -> dict[str, Any]:
    trigger = mesh.followers["trigger"]
    r = await trigger.client.get(
        "/v1/list-entries", params={"limit": 500}, headers=mesh.keys.headers("tax", "initiator")
    )
    assert r.status_code == 200, r.text
    return {e["record_id"]: e for e in r.json()}


async def test_poison_backdated_and_replayed_messages_are_refused_and_the_rest_taken(
    mesh: Mesh,
) -> None:
    await catalog_ready(mesh)
    token = mesh.keys.token("tax", "initiator")

    before = inbound_message(_submission("BUS-1"), "tax", token)
    # Finding 3: a deeply nested body (no token needed to send it) on the same key.
    poison = _with(before, value=b"[" * 200_000 + b"]" * 200_000)
    poison = _with(poison, headers=[(k, v) for k, v in poison.headers if k != "ce_id"])
    poison = _with(poison, headers=[*poison.headers, ("ce_id", b"poison-1")])
    # Finding 1: a token that expired three days ago, with a ce_time of three days ago.
    stale = _expired_token(mesh.keys, days_ago=3)
    stale_message = inbound_message(_submission("BUS-STALE"), "tax", stale)
    envelope = Envelope.from_wire(stale_message.headers, stale_message.value)
    backdated = envelope.model_copy(update={"time": datetime.now(UTC) - timedelta(days=3)})
    backdated_message = _with(
        stale_message,
        headers=[*backdated.to_headers(), ("authorization", f"Bearer {stale}".encode())],
    )
    after = inbound_message(_submission("BUS-2"), "tax", token)
    # A replay: BUS-1's message id again, over another body (another grounds).
    replay_body = _submission("BUS-1", grounds="另一事由，同一消息编号").model_dump(mode="json")
    replay = _with(before, value=json.dumps(replay_body, ensure_ascii=False).encode())
    await mesh.send(before, poison, backdated_message, after)

    async def both_taken() -> dict[str, Any] | None:
        entries = await _entries(mesh)
        return entries if {"BUS-1", "BUS-2"} <= set(entries) else None

    taken = await eventually(both_taken, within=60)
    assert "BUS-STALE" not in taken
    await mesh.send(replay)

    reader = AIOKafkaConsumer(
        mesh.topic(topics.DEAD_LETTER),
        mesh.topic(topics.LIST_ENTRY_SUBMISSIONS),
        bootstrap_servers=mesh.kafka_bootstrap,
        group_id=f"{mesh.namespace}.inspector",
        auto_offset_reset="earliest",
    )
    await reader.start()
    letters: list[dict[str, Any]] = []
    timestamp_types: set[int] = set()
    try:

        async def three_letters() -> list[dict[str, Any]] | None:
            for tp, messages in (await reader.getmany(timeout_ms=500)).items():
                for m in messages:
                    if tp.topic == mesh.topic(topics.DEAD_LETTER):
                        letters.append(json.loads(m.value))
                    else:
                        timestamp_types.add(m.timestamp_type)
            mine = [x for x in letters if x["source_topic"] == topics.LIST_ENTRY_SUBMISSIONS]
            return mine if len(mine) >= 3 else None

        mine = await eventually(three_letters, within=60)
    finally:
        await reader.stop()
    by_id = {x["headers"].get("ce_id"): x for x in mine}
    assert "more than 32 levels deep" in by_id["poison-1"]["reason"]
    assert "expired" in by_id[backdated.id]["reason"]
    replayed = by_id[Envelope.from_wire(before.headers, before.value).id]
    assert replayed["reason"].startswith("replayed message id")
    # Finding 2: nothing in a dead letter can act as anyone.
    assert all(x["headers"]["authorization"] == "[redacted]" for x in mine)
    assert not any(token in json.dumps(x) or stale in json.dumps(x) for x in mine)
    # The inbound topic is stamped by the broker (LogAppendTime), not by the sender.
    assert timestamp_types == {1}

    # The replay changed nothing; the consumer is ready and not stalled.
    assert (await _entries(mesh))["BUS-1"] == taken["BUS-1"]
    trigger = mesh.followers["trigger"]
    ready = await trigger.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["consumers"] is True
    metrics = (await trigger.client.get("/metrics")).text
    stalled = [x for x in metrics.splitlines() if x.startswith("jrp_consumer_stalled{")]
    assert stalled and all(x.endswith(" 0.0") for x in stalled)
    assert {e["subject"]["code"] for e in taken.values()} == {ENTERPRISE}
