"""No resident ID in a message key or ce_subject on any topic (issue 11, item 9).

A court lists a natural person; the orders go out, the person objects and the court decides.
Read raw from every topic of the mesh, as any Kafka client or `kcat` would: the person's
resident ID is in no key and no header, while the keyed pseudonym that stands for it keeps
all of the person's events on one partition per topic. The bodies still carry the code, and
the loop worked (the services read the subject from there).
"""

from __future__ import annotations

from datetime import date, timedelta

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
from test_loop_over_kafka import catalog_ready, expected_orders, orders_on_topics

from harness import Mesh, key_secret_file
from jrp_shared.events import topics
from jrp_shared.pseudonyms import SubjectPseudonyms
from jrp_shared.testing import Delivered, TopicReader, eventually
from jrp_trigger.testing import court_case

pytestmark = pytest.mark.integration


async def test_no_resident_id_in_any_key_or_ce_subject(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    person = _debtor()
    pseudonym = SubjectPseudonyms.from_file(key_secret_file(mesh.keys)).of(person)
    today = date.today()
    entry_id = await post_entry(
        mesh,
        {
            "record_id": "(2026)闽0102执5678号",
            "subject": {"code": person, "subject_type": "natural_person", "name": "李四"},
            "list_type": COURT_LIST,
            "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
            "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
            "decision_document": {"number": "(2026)闽0102执5678号", "date": str(today)},
            "period": {"start": str(today), "end": str(today + timedelta(days=700))},
            "disclosure_class": "public",
            "court_case": court_case(case_number="(2026)闽0102执5678号"),
        },
        department="court",
    )
    expected = expected_orders(COURT_LIST, subject_type="natural_person", with_person=False)
    departments = {department for department, _ in expected}
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(person))
    await decide(
        mesh,
        f"/v1/objections/{objection['objection_id']}/decision",
        mesh.keys.headers("court", "initiator"),
        outcome="information_right",
        reasons="执行依据有效，维持",
    )
    shared = [topics.LIST_ENTRIES, topics.ORDER_STATUS, topics.APPEALS]

    admin = AIOKafkaAdminClient(bootstrap_servers=mesh.kafka_bootstrap)
    await admin.start()
    try:
        async with TopicReader(mesh.kafka_bootstrap) as reader:
            await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)

            async def everything() -> dict[str, list[Delivered]] | None:
                names = [t for t in await admin.list_topics() if t.startswith(mesh.namespace)]
                read = await reader.read_many(names)
                filled = all(read.get(mesh.topic(t)) for t in shared)
                return dict(read) if filled and len(read[mesh.topic(topics.APPEALS)]) >= 2 else None

            read = await eventually(everything, within=60)
    finally:
        await admin.close()

    seen_pseudonym: set[str] = set()
    for name, messages in read.items():
        for message in messages:
            assert person not in (message.key or ""), f"resident ID in a key on {name}"
            for header, value in message.headers.items():
                assert person not in value, f"resident ID in header {header} on {name}"
            if message.key == pseudonym:
                assert message.headers["ce_subject"] == pseudonym
                seen_pseudonym.add(name)
    # The person's own events on the shared topics are keyed by the pseudonym, so they keep
    # one partition (order) per topic; the body still names the person for the consumers.
    assert {mesh.topic(t) for t in shared} <= seen_pseudonym
    entries = read[mesh.topic(topics.LIST_ENTRIES)]
    assert any(m.body.get("subject", {}).get("code") == person for m in entries)
