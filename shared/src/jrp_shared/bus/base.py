"""What a bus is to the services: durable publish, consumer groups, explicit commits.

Both implementations give the same at-least-once contract: `publish` returns only once every
message is durably stored; a subscription redelivers everything after the last committed
position, so a consumer commits only after it has stored the effect (see
`jrp_shared.messaging.consumer`). Topic names given here are logical (`catalog.v1`); the bus
adds the deployment's namespace.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from jrp_shared.bus.lag import OffsetsSnapshot


@dataclass(frozen=True)
class Message:
    topic: str
    key: str | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes


@dataclass(frozen=True)
class Record:
    """A delivered message, with where it came from (for commits and dead letters)."""

    topic: str
    key: str | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes | None
    partition: int
    offset: int
    appended_at: datetime | None = None
    """When the broker stored it, by the broker's clock (Kafka `LogAppendTime`), or None when
    only the producer's own timestamp is known (which no check may rely on)."""


class Subscription(ABC):
    """One consumer-group member reading a set of topics."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def poll(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        """Next records, in order within a partition; [] when nothing came within the timeout."""

    @abstractmethod
    async def commit(self, records: Sequence[Record]) -> None:
        """Mark these records (and everything before them in their partitions) as processed."""


class Bus(ABC):
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def qualified(self, topic: str) -> str:
        return f"{self.namespace}.{topic}"

    def logical(self, qualified_topic: str) -> str:
        prefix = f"{self.namespace}."
        return qualified_topic.removeprefix(prefix)

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, messages: Sequence[Message]) -> None:
        """Store every message durably, in order per key; raise if any could not be stored."""

    @abstractmethod
    async def ensure_topics(self, topics: Sequence[str]) -> None: ...

    @abstractmethod
    def subscribe(self, group_id: str, topics: Sequence[str]) -> Subscription: ...

    @abstractmethod
    def listen(self, topics: Sequence[str], *, from_beginning: bool = False) -> Subscription:
        """Every message on `topics`, to this process alone (no consumer group: every
        listener gets every message, whatever the partition). The position is fixed by
        `start()`: the end of each topic then, or its beginning. `commit` does nothing; a
        listener keeps its position in memory. For state kept in memory by every replica."""

    @abstractmethod
    async def healthy(self) -> bool: ...

    @abstractmethod
    async def topics_named(self, prefix: str) -> list[str]:
        """The (logical) topics on the bus whose names start with `prefix` (e.g. every
        department's `sanctions.v1.`)."""

    @abstractmethod
    async def consumer_groups(self) -> list[str]:
        """Every consumer group the bus knows (with committed offsets or members)."""

    @abstractmethod
    async def offsets(
        self,
        topics: Sequence[str],
        groups: Sequence[str] | None = None,
        *,
        among: Collection[str] | None = None,
    ) -> OffsetsSnapshot:
        """Where each partition of `topics` starts and ends, and the committed offsets of
        `groups` on them (None: of every group that has committed on any of them, looked for
        `among` these groups, or among all of `consumer_groups()`), for the lag arithmetic of
        `jrp_shared.bus.lag`. Read from the bus itself, so every replica gets the same answer.
        Name topics that exist (a Kafka broker that creates topics on first use would create
        one it is asked to describe)."""
