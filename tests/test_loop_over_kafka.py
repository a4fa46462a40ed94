"""The loop over the real broker: initiate → respond → execute → feedback (DOMAIN.md §5, §6).

The tax authority blacklists an enterprise for a major tax violation with its legal
representative linked; every department the catalog names receives exactly its measures on its
own topic; a must-check by one of them lists those measures for the enterprise and for the
legal representative; every department reports (some by HTTP, some on the reports topic); the
initiator sees every department's feedback; a revocation lifts everything and a later check
shows nothing.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from harness import Mesh, Service
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.events import topics
from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE
from jrp_shared.events.payloads import ExecutionFeedbackReported, MeasureFeedback
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import Delivered, TopicReader, eventually
from jrp_trigger.testing import prior_notice

pytestmark = pytest.mark.integration

TAX_LIST = "black.tax.major-violation"
ENTERPRISE = "91350100M000100Y43"
LEGAL_REPRESENTATIVE = "11010519491231002X"

Expected = dict[tuple[str, str], set[str]]
"""(department, target role) → the measure codes the catalog gives it."""


def expected_orders(list_type: str, *, subject_type: str, with_person: bool) -> Expected:
    """The orders the catalog calls for on a new entry of a subject with no record before it:
    a clean record (no black-list entry) meets "no black list within N years", but not "on the
    list N consecutive years" (DOMAIN.md §6), so those measures are withheld."""
    expected: Expected = defaultdict(set)
    for measure in read_catalog(DEFAULT_CATALOG_DIR).measures:
        if list_type not in measure.list_types or any(
            c.kind == "on_list_consecutive_years"
            and (not c.for_list_types or list_type in c.for_list_types)
            for c in measure.conditions
        ):
            continue
        if subject_type in measure.applies_to:
            expected[(measure.implementing_department, "subject")].add(measure.code)
        if with_person and "natural_person" in measure.applies_to:
            expected[(measure.implementing_department, "legal_representative")].add(measure.code)
    return dict(expected)


def tax_entry(**changes: Any) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "record_id": "闽税-2026-0001",
        "subject": {"code": ENTERPRISE, "subject_type": "legal_person", "name": "福州示例科技"},
        "list_type": TAX_LIST,
        "grounds": "虚开增值税专用发票，达到重大税收违法失信主体标准",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": {"number": "闽税稽罚〔2026〕12号", "date": str(today)},
        # Told before listing and answered (国办发〔2020〕49号; the list type requires it).
        "prior_notice": prior_notice(today),
        "period": {"start": str(today), "end": str(today + timedelta(days=365 * 3 - 2))},
        "disclosure_class": "public",
        "linked_persons": [
            {
                "role": "legal_representative",
                "name": "张三",
                "resident_id": LEGAL_REPRESENTATIVE,
            }
        ],
        "evidence_references": ["闽税稽〔2026〕12号 稽查报告"],
    }
    body.update(changes)
    return body


async def catalog_ready(mesh: Mesh) -> None:
    """The seeded catalog has reached trigger and enforcement (all measures of the tax list)."""
    await mesh.registry.seed_catalog()
    want = len([m for m in read_catalog(DEFAULT_CATALOG_DIR).measures])
    for name in ("trigger", "enforcement"):
        service = mesh.followers[name]

        async def complete(service: Service = service) -> bool:
            r = await service.client.get(
                "/v1/catalog/measures", headers=mesh.keys.headers("tax", "implementer")
            )
            return r.status_code == 200 and len(r.json()) == want

        await eventually(complete, within=60)


async def orders_on_topics(
    mesh: Mesh, reader: TopicReader, departments: set[str], count: int, event: str
) -> dict[str, list[Delivered]]:
    """Every department's messages of type `event`, once `count` of them have arrived."""

    async def arrived() -> dict[str, list[Delivered]] | None:
        names = {d: mesh.topic(topics.sanctions(d)) for d in departments}
        read = await reader.read_many(names.values())
        found = {
            d: [m for m in read[name] if m.headers.get("ce_type") == event]
            for d, name in names.items()
        }
        return found if sum(len(v) for v in found.values()) >= count else None

    result = await eventually(arrived, within=60)
    assert result is not None
    return result


async def test_the_tax_blacklist_loop_end_to_end(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    assert len(departments) >= 10 and ("finance", "legal_representative") in expected

    # Initiate: the tax authority posts the entry (twice: the second is the same entry).
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]
    again = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert again.status_code == 200 and again.json()["entry_id"] == entry_id

    # Push: each department gets exactly its measures on its own topic, keyed by the subject.
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        issued = await orders_on_topics(
            mesh,
            reader,
            departments,
            len(expected),
            "cn.jrp.enforcement.sanction-order.issued.v1",
        )
        received: Expected = {}
        for department, messages in issued.items():
            for message in messages:
                assert message.key == ENTERPRISE
                assert message.headers["ce_dataschema"].endswith(
                    "cn.jrp.enforcement.sanction-order.issued.v1.json"
                )
                order = message.body
                assert order["department"] == department
                assert order["entry_id"] == entry_id
                key = (department, order["target"]["role"])
                assert key not in received, f"two orders for {key}"
                received[key] = {m["code"] for m in order["measures"]}
        assert received == expected  # one order per department and target, nothing else

        # Must-check by finance: measures for the enterprise and for its legal representative.
        finance = mesh.keys.headers("finance", "implementer")
        company_check = await enforcement.client.get(f"/v1/checks/{ENTERPRISE}", headers=finance)
        assert company_check.status_code == 200, company_check.text
        answer = company_check.json()
        assert answer["listed"] is True
        finance_company = expected[("finance", "subject")]
        answered = {
            m["code"] for m in answer["mandatory_measures"] + answer["recommended_measures"]
        }
        assert answered == finance_company
        assert all(m["mandatory"] for m in answer["mandatory_measures"])
        assert not any(m["mandatory"] for m in answer["recommended_measures"])
        assert answer["entries"][0]["decision_document"]["number"] == "闽税稽罚〔2026〕12号"
        person_check = await enforcement.client.get(
            f"/v1/checks/{LEGAL_REPRESENTATIVE}", headers=finance
        )
        person = person_check.json()
        assert person["listed"] is True
        assert {
            m["code"] for m in person["mandatory_measures"] + person["recommended_measures"]
        } == expected[("finance", "legal_representative")]

        # Respond and execute: every department acknowledges and reports, half of them by
        # HTTP, the other half on the reports topic as their own systems would.
        orders = [m.body for messages in issued.values() for m in messages]
        for i, order in enumerate(sorted(orders, key=lambda o: o["order_id"])):
            department = order["department"]
            headers = mesh.keys.headers(department, "implementer")
            feedback = [
                {
                    "measure": m["code"],
                    "outcome": "applied" if m["mandatory"] else "not_applicable",
                    "business_reference": f"{department}-case-{i}",
                    "executed_at": datetime.now(UTC).isoformat(),
                }
                for m in order["measures"]
            ]
            if i % 2 == 0:
                receipt = await enforcement.client.post(
                    f"/v1/sanction-orders/{order['order_id']}/receipt",
                    json={"note": "已接收"},
                    headers=headers,
                )
                assert receipt.status_code == 200, receipt.text
                reported = await enforcement.client.post(
                    f"/v1/sanction-orders/{order['order_id']}/feedback",
                    json={"measures": feedback},
                    headers=headers,
                )
                assert reported.status_code == 200, reported.text
            else:
                payload = ExecutionFeedbackReported(
                    order_id=order["order_id"],
                    subject_code=ENTERPRISE,
                    measures=[MeasureFeedback.model_validate(f) for f in feedback],
                )
                report = inbound_message(
                    payload, department, mesh.keys.token(department, "implementer")
                )
                await mesh.send(report)

        # Feedback: the initiator sees every department's feedback on its entry.
        async def all_fed_back() -> dict[str, Any] | None:
            r = await trigger.client.get(
                f"/v1/list-entries/{entry_id}", headers=mesh.keys.headers("tax", "initiator")
            )
            body: dict[str, Any] = r.json()
            states = [o["state"] for d in body["departments"] for o in d["orders"]]
            return body if len(states) == len(expected) and set(states) == {"fed_back"} else None

        seen = await eventually(all_fed_back, within=60)
        assert {d["department"] for d in seen["departments"]} == departments

        # A consumer outside the product reads a department's topic and sees what it is.
        await kcat_reads_the_finance_topic(mesh)

        # Revocation lifts everything, on the same topics; a later check shows nothing.
        revoked = await trigger.client.post(
            f"/v1/list-entries/{entry_id}/revocation",
            json={"reason": "行政复议撤销原处罚决定"},
            headers=mesh.keys.headers("tax", "initiator"),
        )
        assert revoked.status_code == 200, revoked.text
        lifted = await orders_on_topics(
            mesh,
            reader,
            departments,
            len(expected),
            "cn.jrp.enforcement.sanction-order.lifted.v1",
        )
        assert {
            (d, m.body["target_role"]) for d, messages in lifted.items() for m in messages
        } == set(expected)
        assert all(m.body["reason"] == "revoked" for ms in lifted.values() for m in ms)

    async def clear() -> dict[str, Any] | None:
        r = await enforcement.client.get(f"/v1/checks/{ENTERPRISE}", headers=finance)
        body: dict[str, Any] = r.json()
        return body if body["listed"] is False else None

    after = await eventually(clear, within=30)
    assert after["mandatory_measures"] == [] and after["entries"] == []


async def kcat_reads_the_finance_topic(mesh: Mesh) -> None:
    kcat = shutil.which("kcat")
    assert kcat, "kcat is installed by deploy/local/tools.sh (make infra)"
    process = await asyncio.create_subprocess_exec(
        kcat,
        "-C",
        "-b",
        mesh.kafka_bootstrap,
        "-t",
        mesh.topic(topics.sanctions("finance")),
        "-o",
        "beginning",
        "-e",
        "-q",
        "-f",
        "key=%k headers=%h value=%s\\n",
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    out = stdout.decode()
    first = out.splitlines()[0]
    assert f"key={ENTERPRISE}" in first
    assert "ce_type=cn.jrp.enforcement.sanction-order.issued.v1" in first
    assert f"ce_dataschema={DEFAULT_SCHEMA_BASE}" in first
    assert '"measures"' in first and '"department":"finance"' in first.replace(" ", "")
