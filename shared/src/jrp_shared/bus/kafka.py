"""The Kafka bus (aiokafka): idempotent producer with acks=all, manual offset commits.

Every client it builds (producer, consumers, admin) gets the same TLS/SASL arguments
(`KafkaConnection`); every message it publishes has its key and `ce_subject` made safe
(`SubjectPseudonyms`: no resident ID in clear). Topics are created on first use only when
`auto_create_topics` is on (development, tests); otherwise they must have been provisioned
(`jrp-registry provision-topics`) and a missing one is an error that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, KafkaError, TopicAlreadyExistsError

from jrp_shared.bus.base import Bus, Message, Record, Subscription
from jrp_shared.bus.connection import KafkaConnection
from jrp_shared.bus.lag import OffsetsSnapshot, PartitionExtent
from jrp_shared.events import topics
from jrp_shared.logging import get_logger
from jrp_shared.pseudonyms import SubjectPseudonyms

log = get_logger(__name__)

_OFFSET_FETCHES = 32
"""Consumer groups whose committed offsets are fetched at once (one request each)."""


_LOG_APPEND_TIME = 1
"""`timestamp_type` of a record whose timestamp the broker set when it stored it."""


def _appended_at(timestamp: int | None, timestamp_type: int | None) -> datetime | None:
    if timestamp_type != _LOG_APPEND_TIME or timestamp is None or timestamp < 0:
        return None
    return datetime.fromtimestamp(timestamp / 1000, UTC)


def _topic_configs(logical: str) -> dict[str, str]:
    """Topics department systems write to are stamped by the broker (receiver's time on the
    bus, `jrp_shared.messaging.inbound`)."""
    if logical in topics.BROKER_TIMESTAMPED:
        return {"message.timestamp.type": "LogAppendTime"}
    return {}


class MissingTopicsError(RuntimeError):
    """Topics are provisioned (auto-creation off) and some this service uses do not exist,
    or its principal may not see them."""


class KafkaSubscription(Subscription):
    def __init__(self, bus: KafkaBus, group_id: str, topics: Sequence[str]) -> None:
        self._bus = bus
        self._group_id = group_id
        self._topics = [bus.qualified(t) for t in topics]
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        await self._bus.ensure_topics([self._bus.logical(t) for t in self._topics])
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            **self._bus.client_kwargs(),
            group_id=self._group_id,
            client_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_interval_ms=300_000,
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def poll(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        assert self._consumer is not None, "subscription not started"
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        records: list[Record] = []
        for tp, messages in batches.items():
            for m in messages:
                key = m.key.decode() if m.key is not None else None
                records.append(
                    Record(
                        topic=self._bus.logical(tp.topic),
                        key=key,
                        headers=tuple((h, v) for h, v in (m.headers or ())),
                        value=m.value,
                        partition=tp.partition,
                        offset=m.offset,
                        appended_at=_appended_at(m.timestamp, m.timestamp_type),
                    )
                )
        return records

    async def commit(self, records: Sequence[Record]) -> None:
        assert self._consumer is not None, "subscription not started"
        if not records:
            return
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(self._bus.qualified(r.topic), r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        try:
            await self._consumer.commit(offsets)
        except CommitFailedError:
            # A rebalance took the partitions away: the new owner redelivers, the inbox
            # makes that harmless.
            log.warning("offset commit lost to a rebalance", group=self._group_id)


class KafkaListener(Subscription):
    """Every partition of the topics assigned to this process, without a group."""

    def __init__(self, bus: KafkaBus, topics: Sequence[str], *, from_beginning: bool) -> None:
        self._bus = bus
        self._logical = list(topics)
        self._from_beginning = from_beginning
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        await self._bus.ensure_topics(self._logical)
        consumer = AIOKafkaConsumer(
            **self._bus.client_kwargs(),
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            fetch_max_wait_ms=50,
        )
        await consumer.start()
        try:
            assigned = await self._bus.partitions(self._logical)
            consumer.assign(assigned)
            if self._from_beginning:
                await consumer.seek_to_beginning(*assigned)
            else:
                for tp, end in (await consumer.end_offsets(assigned)).items():
                    consumer.seek(tp, end)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def poll(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        assert self._consumer is not None, "listener not started"
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        return [
            Record(
                topic=self._bus.logical(tp.topic),
                key=m.key.decode() if m.key is not None else None,
                headers=tuple((h, v) for h, v in (m.headers or ())),
                value=m.value,
                partition=tp.partition,
                offset=m.offset,
            )
            for tp, messages in batches.items()
            for m in messages
        ]

    async def commit(self, records: Sequence[Record]) -> None:
        return None  # the position lives in the consumer, in memory


class KafkaBus(Bus):
    def __init__(
        self,
        namespace: str,
        bootstrap_servers: str,
        *,
        client_id: str,
        partitions: int = 3,
        linger_ms: int = 5,
        compression: str | None = "lz4",
        connection: KafkaConnection | None = None,
        auto_create_topics: bool = True,
        pseudonyms: SubjectPseudonyms | None = None,
    ) -> None:
        super().__init__(namespace)
        self.bootstrap_servers = bootstrap_servers
        self.connection = connection or KafkaConnection()
        self._auto_create_topics = auto_create_topics
        self._pseudonyms = pseudonyms or SubjectPseudonyms.ephemeral()
        self._client_id = client_id
        self._partitions = partitions
        self._linger_ms = linger_ms
        self._compression = compression
        self._producer: AIOKafkaProducer | None = None
        self._known_topics: set[str] = set()
        self._topic_lock = asyncio.Lock()
        self._coordinators: dict[str, int] = {}
        """Each consumer group's coordinator broker, as last found (saves a round trip a
        group when offsets are read again)."""

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            **self.client_kwargs(),
            client_id=self._client_id,
            enable_idempotence=True,  # forces acks=all; no duplicates from producer retries
            acks="all",
            linger_ms=self._linger_ms,
            max_batch_size=512 * 1024,
            compression_type=self._compression,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def client_kwargs(self) -> dict[str, Any]:
        """Where and how every client of this bus connects (holds the SASL password)."""
        return {"bootstrap_servers": self.bootstrap_servers, **self.connection.client_kwargs()}

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        wanted = {self.qualified(t) for t in topics} - self._known_topics
        if not wanted:
            return
        async with self._topic_lock:
            async with self._admin() as admin:
                existing = set(await admin.list_topics())
                missing = sorted(wanted - existing)
                if missing and not self._auto_create_topics:
                    raise MissingTopicsError(
                        f"topics {missing} do not exist or are not visible to this service's "
                        "principal; topics are provisioned, not created on first use: run "
                        "`jrp-registry provision-topics` (and `kafka-acls --apply`)"
                    )
                if missing:
                    # Another service may create it first: that is fine.
                    with contextlib.suppress(TopicAlreadyExistsError):
                        await admin.create_topics(
                            [
                                NewTopic(
                                    t,
                                    self._partitions,
                                    1,
                                    topic_configs=_topic_configs(self.logical(t)),
                                )
                                for t in missing
                            ]
                        )
            self._known_topics |= wanted

    @contextlib.asynccontextmanager
    async def _admin(self) -> AsyncIterator[AIOKafkaAdminClient]:
        """A short-lived admin client (topic metadata and creation)."""
        admin = AIOKafkaAdminClient(**self.client_kwargs())
        await admin.start()
        try:
            yield admin
        finally:
            await admin.close()

    @contextlib.asynccontextmanager
    async def _offset_reader(self) -> AsyncIterator[AIOKafkaConsumer]:
        """A short-lived consumer without a group, for where partitions start and end (the
        admin client has no call for that)."""
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers, group_id=None, enable_auto_commit=False
        )
        await reader.start()
        try:
            yield reader
        finally:
            await reader.stop()

    async def topics_named(self, prefix: str) -> list[str]:
        wanted = self.qualified(prefix)
        async with self._admin() as admin:
            names = await admin.list_topics()
        return sorted(self.logical(name) for name in names if name.startswith(wanted))

    async def consumer_groups(self) -> list[str]:
        async with self._admin() as admin:
            return sorted({g for g, _protocol in await admin.list_consumer_groups()})

    async def offsets(
        self,
        topics: Sequence[str],
        groups: Sequence[str] | None = None,
        *,
        among: Collection[str] | None = None,
    ) -> OffsetsSnapshot:
        logical = {self.qualified(t): t for t in topics}
        if not logical:
            return OffsetsSnapshot([], {})
        async with self._admin() as admin:
            described = await admin.describe_topics(sorted(logical))
            partitions = sorted(
                TopicPartition(d["topic"], p["partition"])
                for d in described
                if not d.get("error_code") and d["topic"] in logical
                for p in d["partitions"]
            )
            if not partitions:
                return OffsetsSnapshot([], {})
            every_group = groups is None
            if groups is not None:
                names = list(groups)
            elif among is not None:
                names = sorted(among)
            else:
                names = sorted({g for g, _protocol in await admin.list_consumer_groups()})
            limit = asyncio.Semaphore(_OFFSET_FETCHES)

            async def committed_of(group: str) -> dict[tuple[str, int], int]:
                async with limit:
                    try:
                        coordinator = self._coordinators.get(group)
                        if coordinator is None:
                            coordinator = await admin.find_coordinator(group)
                            self._coordinators[group] = coordinator
                        found = await admin.list_consumer_group_offsets(
                            group, group_coordinator_id=coordinator, partitions=partitions
                        )
                    except KafkaError:
                        self._coordinators.pop(group, None)  # moved, or gone: find it again
                        if not every_group:
                            raise
                        return {}  # a group being loaded or deleted meanwhile: next time
                return {
                    (logical[tp.topic], tp.partition): meta.offset
                    for tp, meta in found.items()
                    if tp.topic in logical and meta.offset >= 0
                }

            fetched = await asyncio.gather(*(committed_of(g) for g in names))
            if every_group and among is None:  # forget the groups that went away
                listed = set(names)
                for group in [g for g in self._coordinators if g not in listed]:
                    del self._coordinators[group]
        async with self._offset_reader() as reader:
            starts = await reader.beginning_offsets(partitions)
            ends = await reader.end_offsets(partitions)
        committed = {
            group: offsets
            for group, offsets in zip(names, fetched, strict=True)
            if offsets or not every_group
        }
        extents = [
            PartitionExtent(logical[tp.topic], tp.partition, starts[tp], ends[tp])
            for tp in partitions
        ]
        return OffsetsSnapshot(extents, committed)

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        """Every partition of these (logical) topics, as the broker describes them now."""
        qualified = [self.qualified(t) for t in topics]
        async with self._admin() as admin:
            described = await admin.describe_topics(qualified)
        found = [
            TopicPartition(d["topic"], p["partition"])
            for d in described
            if not d.get("error_code")
            for p in d["partitions"]
        ]
        if {tp.topic for tp in found} != set(qualified):
            raise KafkaError(f"no partitions known yet for some of {list(topics)}")
        return sorted(found)

    async def publish(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        assert self._producer is not None, "bus not started"
        await self.ensure_topics(sorted({m.topic for m in messages}))
        messages = [self._pseudonyms.message(m) for m in messages]
        # send() appends in call order, so per-key (per-partition) order is the outbox order.
        futures = [
            await self._producer.send(
                self.qualified(m.topic),
                value=m.value,
                key=m.key.encode() if m.key is not None else None,
                headers=list(m.headers),
            )
            for m in messages
        ]
        await asyncio.gather(*futures)

    def subscribe(self, group_id: str, topics: Sequence[str]) -> Subscription:
        return KafkaSubscription(self, group_id, topics)

    def listen(self, topics: Sequence[str], *, from_beginning: bool = False) -> Subscription:
        return KafkaListener(self, topics, from_beginning=from_beginning)

    async def healthy(self) -> bool:
        if self._producer is None:
            return False
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout=3)
        except (KafkaError, TimeoutError, OSError):
            return False
        return True
