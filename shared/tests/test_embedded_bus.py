"""The embedded bus is the real single-machine bus (a SQLite file), exercised as it runs."""

from pathlib import Path

from jrp_shared.bus.base import Message
from jrp_shared.bus.embedded import EmbeddedBus


def _msg(topic: str, key: str, n: int) -> Message:
    return Message(topic=topic, key=key, headers=(("h", str(n).encode()),), value=f"{n}".encode())


async def test_committed_messages_are_not_redelivered_and_uncommitted_ones_are(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bus.sqlite3"
    bus = EmbeddedBus("ns", path)
    await bus.start()
    await bus.publish([_msg("a.v1", "k1", i) for i in range(5)])
    sub = bus.subscribe("g1", ["a.v1"])
    first = await sub.poll(max_records=3, timeout_ms=100)
    assert [r.value for r in first] == [b"0", b"1", b"2"]
    assert first[0].headers == (("h", b"0"),)
    await sub.commit(first)
    await bus.stop()

    # A restart (a new bus on the same file) resumes after the committed position.
    bus = EmbeddedBus("ns", path)
    await bus.start()
    sub = bus.subscribe("g1", ["a.v1"])
    rest = await sub.poll(max_records=10, timeout_ms=100)
    assert [r.value for r in rest] == [b"3", b"4"]
    # Not committed: delivered again.
    again = await bus.subscribe("g1", ["a.v1"]).poll(max_records=10, timeout_ms=100)
    assert [r.value for r in again] == [b"3", b"4"]
    await bus.stop()


async def test_groups_are_independent_and_topics_are_namespaced(tmp_path: Path) -> None:
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    other_ns = EmbeddedBus("other", tmp_path / "bus.sqlite3")
    await bus.start()
    await other_ns.start()
    await bus.publish([_msg("a.v1", "k", 1), _msg("b.v1", "k", 2)])
    g1 = await bus.subscribe("g1", ["a.v1", "b.v1"]).poll(max_records=10, timeout_ms=100)
    g2 = await bus.subscribe("g2", ["b.v1"]).poll(max_records=10, timeout_ms=100)
    assert [(r.topic, r.value) for r in g1] == [("a.v1", b"1"), ("b.v1", b"2")]
    assert [r.value for r in g2] == [b"2"]
    assert await other_ns.subscribe("g1", ["a.v1"]).poll(max_records=10, timeout_ms=50) == []
    assert await bus.healthy()
    await bus.stop()
    await other_ns.stop()
    assert not await bus.healthy()
