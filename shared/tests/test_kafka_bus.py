"""The Kafka bus against the real broker: durable publish, per-key order, commits, redelivery."""

import pytest

from jrp_shared.bus.base import Message, Record, Subscription
from jrp_shared.bus.kafka import KafkaBus

pytestmark = pytest.mark.integration


async def _poll_all(sub: Subscription, expected: int) -> list[Record]:
    records: list[Record] = []
    for _ in range(60):
        records += await sub.poll(max_records=100, timeout_ms=500)
        if len(records) >= expected:
            break
    return records


async def test_publish_consume_commit_and_redeliver(kafka_bootstrap: str, namespace: str) -> None:
    bus = KafkaBus(namespace, kafka_bootstrap, client_id="test")
    await bus.start()
    try:
        await bus.publish(
            [
                Message("orders.v1", "subject-a", (("ce_id", str(i).encode()),), f"a{i}".encode())
                for i in range(5)
            ]
            + [Message("orders.v1", "subject-b", (), b"b0")]
        )
        assert await bus.healthy()

        sub = bus.subscribe(f"{namespace}.g1", ["orders.v1"])
        await sub.start()
        records = await _poll_all(sub, 6)
        # One subject's events stay in order (the key picks the partition).
        a = [r for r in records if r.key == "subject-a"]
        assert [r.value for r in a] == [f"a{i}".encode() for i in range(5)]
        assert len({r.partition for r in a}) == 1
        assert a[0].headers == (("ce_id", b"0"),)
        assert a[0].topic == "orders.v1"
        await sub.commit(a[:3])  # commit only part of subject-a's events
        await sub.stop()

        again = bus.subscribe(f"{namespace}.g1", ["orders.v1"])
        await again.start()
        redelivered = await _poll_all(again, 3)
        await again.stop()
        assert sorted(r.value or b"" for r in redelivered) == [b"a3", b"a4", b"b0"]
    finally:
        await bus.stop()
