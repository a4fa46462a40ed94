"""Kafka secured (issue 11, item 9): SASL/SCRAM principals, the authorizer and the ACL plan.

On a second broker of the session's own (`secured_kafka`: SASL/SCRAM, StandardAuthorizer,
nothing allowed that no ACL allows), the topics are provisioned and the ACL plan generated
from the catalog's departments is applied, both by the commands' own code and twice (they
are idempotent). An agency reads its own sanction topic and is refused another's; the four
services, each as its own principal and with topic auto-creation off, run the loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError
from test_loop_over_kafka import (
    TAX_LIST,
    catalog_ready,
    expected_orders,
    orders_on_topics,
    tax_entry,
)

from harness import running_mesh
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.bus.connection import KafkaConnection
from jrp_shared.bus.kafka import KafkaBus, MissingTopicsError
from jrp_shared.bus.plan import DepartmentAccess, acl_plan, department_group_prefix, topic_plan
from jrp_shared.bus.provisioning import apply_acls, describe_acls, provision_topics
from jrp_shared.events import topics
from jrp_shared.testing import Keys, PostgresDatabases, SecuredKafka, TopicReader, eventually

pytestmark = pytest.mark.integration

ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"


class Refusals(logging.Handler):
    """Every log record that tells of an authorization failure."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.msg!r} {record.args!r}"
        if "authoriz" in text.lower():
            self.seen.append(text[:300])


def catalog_departments() -> list[DepartmentAccess]:
    return [
        DepartmentAccess(d.code, d.initiates, d.implements, d.exchanges)
        for d in read_catalog(DEFAULT_CATALOG_DIR).departments
    ]


async def provision(secured: SecuredKafka, namespace: str) -> None:
    """What an operator runs: `provision-topics`, then `kafka-acls --apply` (their code)."""
    departments = catalog_departments()
    specs = topic_plan(
        namespace,
        [d.code for d in departments],
        partitions=3,
        replication_factor=1,
        min_insync_replicas=1,
        retention_hours=24 * 7,
    )
    outcomes = await provision_topics(secured.client("admin"), specs)
    assert {o.action for o in outcomes} <= {"created", "configured"}
    await apply_acls(secured.client("admin"), acl_plan(namespace, departments))


async def read_as(
    secured: SecuredKafka, user: str, topic: str, group: str, *, expect: int = 1
) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", **secured.client(user)
    )
    await consumer.start()
    try:
        values: list[bytes] = []
        for _ in range(40):
            batch = await consumer.getmany(timeout_ms=250)
            values += [m.value for messages in batch.values() for m in messages]
            if len(values) >= expect:
                break
        return values
    finally:
        await consumer.stop()


async def test_an_agency_reads_its_own_sanction_topic_and_is_refused_anothers(
    secured_kafka: SecuredKafka, namespace: str
) -> None:
    await provision(secured_kafka, namespace)
    finance_topic = topics.qualified(namespace, topics.sanctions("finance"))
    tax_topic = topics.qualified(namespace, topics.sanctions("tax"))
    producer = AIOKafkaProducer(**secured_kafka.client("jrp-enforcement"))
    await producer.start()
    try:
        await producer.send_and_wait(finance_topic, b"order for finance", key=b"k")
        await producer.send_and_wait(tax_topic, b"order for tax", key=b"k")
    finally:
        await producer.stop()

    group = department_group_prefix(namespace, "finance") + "reader"
    own = await read_as(secured_kafka, "dept-finance", finance_topic, group)
    assert own == [b"order for finance"]

    # Agency A (finance) on agency B's (tax's) topic: refused by the broker.
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(secured_kafka, "dept-finance", tax_topic, group)
    # Nor may it use a consumer group outside its own prefix (tax's, say).
    foreign_group = department_group_prefix(namespace, "tax") + "reader"
    with pytest.raises(GroupAuthorizationFailedError):
        await asyncio.wait_for(
            read_as(secured_kafka, "dept-finance", finance_topic, foreign_group), timeout=30
        )
    # It writes only its reports: not the entries every service trusts.
    intruder = AIOKafkaProducer(**secured_kafka.client("dept-finance"))
    await intruder.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await intruder.send_and_wait(
                topics.qualified(namespace, topics.LIST_ENTRIES), b"forged entry"
            )
        reports = topics.qualified(namespace, topics.DEPARTMENT_REPORTS)
        await intruder.send_and_wait(reports, b"a report")
    finally:
        await intruder.stop()
    # Tax, whose topic it is, reads it.
    tax_group = department_group_prefix(namespace, "tax") + "reader"
    assert await read_as(secured_kafka, "dept-tax", tax_topic, tax_group) == [b"order for tax"]


async def test_provisioning_and_the_acl_plan_are_idempotent(
    secured_kafka: SecuredKafka, namespace: str
) -> None:
    await provision(secured_kafka, namespace)
    departments = catalog_departments()
    specs = topic_plan(
        namespace,
        [d.code for d in departments],
        partitions=3,
        replication_factor=1,
        min_insync_replicas=1,
        retention_hours=24 * 3,  # changed: the existing topics take the new retention
    )
    again = await provision_topics(secured_kafka.client("admin"), specs)
    assert {o.action for o in again} == {"configured"} and len(again) == len(specs)
    assert {o.name for o in again} >= {
        topics.qualified(namespace, topics.sanctions(d.code)) for d in departments
    }
    plan = acl_plan(namespace, departments)
    await apply_acls(secured_kafka.client("admin"), plan)
    held = [
        e for e in await describe_acls(secured_kafka.client("admin")) if namespace in e.resource
    ]
    assert sorted(held) == sorted(plan)  # every rule once: nothing added twice, nothing more


async def test_a_service_does_not_create_topics_when_they_are_provisioned(
    secured_kafka: SecuredKafka, namespace: str
) -> None:
    password = secured_kafka.password_file("admin")
    bus = KafkaBus(
        namespace,
        secured_kafka.bootstrap,
        client_id="provisioned",
        connection=KafkaConnection("SASL_PLAINTEXT", "SCRAM-SHA-512", "admin", password),
        auto_create_topics=False,
    )
    await bus.start()
    try:
        with pytest.raises(MissingTopicsError, match="provision-topics"):
            await bus.ensure_topics([topics.LIST_ENTRIES])
    finally:
        await bus.stop()


async def test_the_mesh_runs_with_a_principal_per_service_under_the_acl_plan(
    secured_kafka: SecuredKafka,
    postgres: PostgresDatabases,
    keys: Keys,
    namespace: str,
) -> None:
    await provision(secured_kafka, namespace)

    def as_principal(service: str) -> dict[str, Any]:
        return secured_kafka.settings(f"jrp-{service}")

    async with running_mesh(
        postgres,
        keys,
        secured_kafka.bootstrap,
        namespace,
        service_settings=as_principal,
        kafka_client=secured_kafka.client("admin"),
    ) as mesh:
        refusals = Refusals()  # after the services set up logging (they replace root handlers)
        logging.getLogger().addHandler(refusals)
        await catalog_ready(mesh)  # registry → catalog.v1 → trigger, enforcement (SCRAM)
        posted = await mesh.followers["trigger"].client.post(
            "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
        )
        assert posted.status_code == 201, posted.text
        expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
        finance = {
            ("finance", role): codes for (d, role), codes in expected.items() if d == "finance"
        }
        # Finance's own system reads its orders with its own principal.
        finance_client = secured_kafka.client("dept-finance")
        finance_client.pop("bootstrap_servers")
        async with TopicReader(secured_kafka.bootstrap, **finance_client) as reader:
            issued = await orders_on_topics(mesh, reader, {"finance"}, len(finance), ISSUED)
        assert {m.body["target"]["role"] for m in issued["finance"]} == {
            role for _, role in finance
        }

        async def checked() -> bool:
            r = await mesh.followers["enforcement"].client.get(
                "/v1/checks/91350100M000100Y43", headers=mesh.keys.headers("finance", "implementer")
            )
            return r.status_code == 200 and r.json()["listed"] is True

        await eventually(checked, within=30)
        await asyncio.sleep(2)  # a follower or consumer refused would have retried by now
        logging.getLogger().removeHandler(refusals)
    # No service was refused anything it does: the plan gives each what it needs.
    assert refusals.seen == []
