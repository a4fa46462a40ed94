"""The Kafka key secret rotated under a running mesh, as the runbook says (docs/operations.md,
"A key to rotate"): load flows, the outboxes and the consumer lag are drained, all four
services are restarted together with a new secret, and more load comes for the same person.

A court lists a natural person and the orders go out; after the rotation the court lists the
person again and the person objects to the first entry. Nothing is lost or doubled (every
entry has its orders once, on the topics and in enforcement), no message is dead-lettered, the
person's messages after the rotation are keyed by the new pseudonym (none by the old one), and
no message carries the resident ID in its key or headers.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from test_due_process_over_kafka import (
    COURT_LIST,
    ISSUED,
    _debtor,
    decide,
    entry_in_appeals,
    object_to,
    post_entry,
)
from test_loop_over_kafka import catalog_ready, expected_orders

from harness import Mesh, running_mesh
from jrp_shared.events import topics
from jrp_shared.pseudonyms import SubjectPseudonyms
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.testing import Delivered, Keys, PostgresDatabases, TopicReader, eventually
from jrp_trigger.testing import court_case

pytestmark = pytest.mark.integration


def new_secret(path: Path) -> Path:
    """A secret as the runbook makes one (`openssl rand -hex 32`)."""
    path.write_bytes(secrets.token_hex(32).encode())
    path.chmod(0o600)
    return path


def court_entry(person: str, case_number: str) -> dict[str, Any]:
    today = date.today()
    return {
        "record_id": case_number,
        "subject": {"code": person, "subject_type": "natural_person", "name": "李四"},
        "list_type": COURT_LIST,
        "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "decision_document": {"number": case_number, "date": str(today)},
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
        "court_case": court_case(case_number=case_number),
    }


def runtimes(mesh: Mesh) -> dict[str, ServiceRuntime]:
    registry: ServiceRuntime = mesh.registry.app.state.runtime
    return {"registry": registry} | {n: s.runtime for n, s in mesh.followers.items()}


async def drained(mesh: Mesh) -> None:
    """Runbook step 1: every service's `jrp_outbox_unpublished` and `jrp_consumer_lag` are 0
    (read as the gauges are: the outbox table and the groups' offsets on the broker)."""

    async def quiet() -> bool:
        for runtime in runtimes(mesh).values():
            unpublished, _ = await runtime.retention.backlog()
            lags = await runtime.consumer_lag.refresh()
            if unpublished or not lags or any(lag.lag for lag in lags):
                return False
        return True

    await eventually(quiet, within=60, interval=0.5)


async def everything(mesh: Mesh) -> dict[str, list[Delivered]]:
    """Every message on every topic of the test's namespace, as an outside client reads it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=mesh.kafka_bootstrap)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(f"{mesh.namespace}.")]
    finally:
        await admin.close()
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        return dict(await reader.read_many(names))


def issued_per_entry(read: dict[str, list[Delivered]]) -> dict[str, Counter[str]]:
    """entry id → how many `issued` messages each of its orders has on the sanction topics."""
    found: dict[str, Counter[str]] = {}
    for name, messages in read.items():
        if ".sanctions.v1." not in name:
            continue
        for message in messages:
            if message.headers.get("ce_type") == ISSUED:
                entry = found.setdefault(message.body["entry_id"], Counter())
                entry[message.body["order_id"]] += 1
    return found


async def test_rotating_the_key_secret_under_a_running_mesh_loses_and_doubles_nothing(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    person = _debtor()
    old_secret = new_secret(tmp_path / "kafka-key-secret-old")
    new = new_secret(tmp_path / "kafka-key-secret-new")
    old_key = SubjectPseudonyms.from_file(old_secret).of(person)
    new_key = SubjectPseudonyms.from_file(new).of(person)
    assert old_key != new_key
    expected = len(expected_orders(COURT_LIST, subject_type="natural_person", with_person=False))
    office = keys.headers("credit-office", "administrator")

    async def orders_in_enforcement(mesh: Mesh, entry_id: str) -> list[dict[str, Any]] | None:
        r = await mesh.followers["enforcement"].client.get(
            f"/v1/sanction-orders?entry_id={entry_id}", headers=office
        )
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json()
        return found if len(found) >= expected else None

    # Load flows with the old secret.
    async with running_mesh(
        postgres, keys, kafka_bootstrap, namespace, kafka_key_secret_file=old_secret
    ) as mesh:
        await catalog_ready(mesh)
        first = await post_entry(mesh, court_entry(person, "(2026)闽0102执5678号"), "court")
        await eventually(lambda: orders_in_enforcement(mesh, first), within=60)
        await entry_in_appeals(mesh, first)
        # Runbook step 1: a quiet period, the outboxes published and every lag 0.
        await drained(mesh)
        databases = mesh.databases
    before = await everything(mesh)
    seen_before = {m.headers["ce_id"] for messages in before.values() for m in messages}
    assert old_key in {m.key for m in before[mesh.topic(topics.LIST_ENTRIES)]}

    # Runbook step 2: the new secret, all four services restarted together (on their data).
    async with running_mesh(
        postgres,
        keys,
        kafka_bootstrap,
        namespace,
        kafka_key_secret_file=new,
        databases=databases,
    ) as mesh:
        # More load for the same person: a second listing, an objection to the first.
        second = await post_entry(mesh, court_entry(person, "(2026)闽0102执9012号"), "court")
        await eventually(lambda: orders_in_enforcement(mesh, second), within=60)
        await entry_in_appeals(mesh, second)
        objection = await object_to(mesh, first, keys.subject_headers(person))
        await decide(
            mesh,
            f"/v1/objections/{objection['objection_id']}/decision",
            keys.headers("court", "initiator"),
            outcome="information_right",
            reasons="执行依据有效，维持",
        )

        async def all_on_topics() -> dict[str, list[Delivered]] | None:
            read = await everything(mesh)
            per_entry = issued_per_entry(read)
            appeals = [
                m for m in read[mesh.topic(topics.APPEALS)] if m.headers["ce_id"] not in seen_before
            ]
            done = sum(per_entry.get(second, Counter()).values()) >= expected
            return read if done and len(appeals) >= 2 else None

        after = await eventually(all_on_topics, within=60)
        # Runbook step 3: no lag builds up (the new partitions are read too).
        await drained(mesh)
        per_service = {
            entry: await orders_in_enforcement(mesh, entry) or [] for entry in (first, second)
        }

    # Nothing lost or doubled: each entry's orders once in enforcement and once on the topics.
    per_entry = issued_per_entry(after)
    for entry in (first, second):
        orders = {o["order_id"] for o in per_service[entry]}
        assert len(orders) == len(per_service[entry]) == expected
        assert per_entry[entry] == Counter(orders), entry
    # No dead letters.
    assert after.get(mesh.topic(topics.DEAD_LETTER), []) == []

    # The person's messages after the rotation carry the new pseudonym, none the old one; no
    # key or header anywhere carries the resident ID.
    keyed_new: set[str] = set()
    for name, messages in after.items():
        for message in messages:
            assert person not in (message.key or ""), f"resident ID in a key on {name}"
            for header, value in message.headers.items():
                assert person not in value, f"resident ID in header {header} on {name}"
            if message.headers["ce_id"] in seen_before:
                continue
            assert message.key != old_key, f"old pseudonym after the rotation on {name}"
            assert message.headers.get("ce_subject") != old_key, name
            if message.key == new_key:
                assert message.headers["ce_subject"] == new_key
                keyed_new.add(name)
    assert {mesh.topic(t) for t in (topics.LIST_ENTRIES, topics.APPEALS)} <= keyed_new
    assert {
        mesh.topic(topics.sanctions(d))
        for d, _ in expected_orders(COURT_LIST, subject_type="natural_person", with_person=False)
    } <= keyed_new
