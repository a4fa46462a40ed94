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
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, KafkaError, TopicAlreadyExistsError

from jrp_shared.bus.base import Bus, Message, Record, Subscription
from jrp_shared.bus.connection import KafkaConnection
from jrp_shared.logging import get_logger
from jrp_shared.pseudonyms import SubjectPseudonyms

log = get_logger(__name__)


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
                            [NewTopic(t, self._partitions, 1) for t in missing]
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
