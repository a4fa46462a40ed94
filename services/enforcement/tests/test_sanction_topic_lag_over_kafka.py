"""The office sees an agency that stopped reading its sanction topic (issue 10, finding 7).

Enforcement runs on the real Kafka and PostgreSQL and plans the orders of a tax black-list
entry onto the departments' `sanctions.v1.<department>` topics. One department's system (a
consumer group of its own) reads its topic, commits and stops; more entries come. Enforcement's
/metrics then shows that group's lag on the topic (`jrp_sanction_topic_lag`) and the messages
no group has read (`jrp_sanction_topic_unread`); a department whose topic nobody reads shows
everything on it as unread."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.testing import EnforcementUnderTest, entry_in_force, running_enforcement
from jrp_shared.events import topics
from jrp_shared.events.payloads import ListEntryInForce, SubjectReference
from jrp_shared.testing import Keys, PostgresDatabases, eventually, sample_uscc
from jrp_shared.vocabulary import SubjectType

from .conftest import Catalog

pytestmark = pytest.mark.integration

AGENCY_GROUP = "agency-system.orders"


@pytest.fixture
async def enforcement_on_kafka(
    postgres: PostgresDatabases,
    keys: Keys,
    kafka_bootstrap: str,
    namespace: str,
    catalog: Catalog,
    tmp_path: Path,
) -> AsyncIterator[EnforcementUnderTest]:
    settings = EnforcementSettings(
        database_url=await postgres.fresh("enforcement", MIGRATIONS),
        bus="kafka",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
        sanction_lag_refresh_seconds=0.5,
    )
    async with running_enforcement(settings, keys) as service:
        await service.seed_catalog(*catalog)
        yield service


def _entry(n: int) -> ListEntryInForce:
    return entry_in_force(
        entry_id=f"entry-{n}",
        record_id=f"闽税-2026-{n:04d}",
        subject=SubjectReference(
            code=sample_uscc(n), subject_type=SubjectType.LEGAL_PERSON, name=f"示例{n}有限公司"
        ),
    )


async def _end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await reader.start()
    try:
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions)
        return ends
    finally:
        await reader.stop()


async def _read_all_and_stop(bootstrap: str, topic: str, upto: dict[TopicPartition, int]) -> int:
    """An agency's system: reads its topic in a consumer group (docs/loop.md) up to `upto`,
    commits, then stops."""
    agency = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=AGENCY_GROUP,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await agency.start()
    read = 0
    try:

        async def behind() -> bool:
            if set(agency.assignment()) != set(upto):
                return True
            return any([await agency.position(tp) < end for tp, end in upto.items()])

        while await behind():
            batch = await agency.getmany(timeout_ms=1000)
            read += sum(len(records) for records in batch.values())
        await agency.commit()
    finally:
        await agency.stop()
    return read


async def test_a_department_system_that_stops_reading_shows_its_lag(
    enforcement_on_kafka: EnforcementUnderTest, kafka_bootstrap: str, namespace: str
) -> None:
    service = enforcement_on_kafka
    bus = service.runtime.bus
    watch = service.app.state.sanction_topics
    await service.publish(_entry(1))

    async def department_topics() -> list[str]:
        return await bus.topics_named(topics.SANCTIONS_PREFIX)

    names = await eventually(department_topics, within=60)
    reading, *unread_ones = sorted(names)
    department = topics.sanctions_department(reading)
    assert department is not None
    qualified = topics.qualified(namespace, reading)

    async def orders_on_topic() -> dict[TopicPartition, int] | None:
        ends = await _end_offsets(kafka_bootstrap, qualified)
        return ends if sum(ends.values()) > 0 else None

    first = await eventually(orders_on_topic, within=60)
    assert await _read_all_and_stop(kafka_bootstrap, qualified, first) == sum(first.values())

    def lag_of_group() -> float | None:
        samples = [
            s
            for metric in service.runtime.metrics.registry.collect()
            if metric.name == "jrp_sanction_topic_lag"
            for s in metric.samples
            if s.labels["group"] == AGENCY_GROUP and s.labels["department"] == department
        ]
        return sum(s.value for s in samples) if samples else None

    def unread(code: str) -> float | None:
        return service.runtime.metrics.registry.get_sample_value(
            "jrp_sanction_topic_unread", {"department": code}
        )

    async def caught_up() -> bool:
        return lag_of_group() == 0 and unread(department) == 0

    await eventually(caught_up, within=60)

    # The agency's system is stopped; more entries bring more orders to its topic.
    await service.publish(_entry(2), _entry(3))

    async def more_orders() -> dict[TopicPartition, int] | None:
        ends = await _end_offsets(kafka_bootstrap, qualified)
        return ends if sum(ends.values()) > sum(first.values()) else None

    later = await eventually(more_orders, within=60)
    behind = sum(later.values()) - sum(first.values())

    async def lag_shows() -> bool:
        return lag_of_group() == behind and unread(department) == behind

    await eventually(lag_shows, within=60)
    metrics = (await service.client.get("/metrics")).text
    assert f'group="{AGENCY_GROUP}"' in metrics
    # A topic no group reads at all: everything on it is unread.
    for name in unread_ones:
        code = topics.sanctions_department(name)
        assert code is not None

        async def all_unread(name: str = name, code: str = code) -> bool:
            ends = await _end_offsets(kafka_bootstrap, topics.qualified(namespace, name))
            return sum(ends.values()) > 0 and unread(code) == sum(ends.values())

        await eventually(all_unread, within=60)
    lags, unread_counts = await watch.refresh()
    assert {lag.group for lag in lags} == {AGENCY_GROUP}
    assert unread_counts[reading] == behind
