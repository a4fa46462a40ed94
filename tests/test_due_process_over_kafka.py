"""Due process over the real broker: objections, complaints and repair (DOMAIN.md §7, §8, §11).

An objection to a tax blacklisting suspends every department's order and the must-check;
the provider's rejection resumes them with the period's end moved by the suspended span; a
complaint suspends them again; an upheld objection revokes the entry and lifts everything; the
court's list stays in force during review; repair is refused before the minimum disclosure
period and granted after it; a due date across the National Day holiday is the official one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from test_loop_over_kafka import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    TAX_LIST,
    catalog_ready,
    expected_orders,
    orders_on_topics,
    tax_entry,
)

from harness import Mesh
from jrp_appeals.adapters import orm as appeals_orm
from jrp_enforcement.service_layer.entries import expire_entries
from jrp_shared.clock import CHINA
from jrp_shared.events import topics
from jrp_shared.testing import Delivered, TopicReader, eventually
from jrp_trigger.app import trigger_of
from jrp_trigger.testing import court_case, prior_notice

pytestmark = pytest.mark.integration

COURT_LIST = "black.judicial.dishonest-judgment-debtor"
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
SUSPENDED = "cn.jrp.enforcement.sanction-order.suspended.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"


def _debtor() -> str:
    from jrp_shared.identifiers import resident_id_check_character

    body = "35010219800101001"
    return body + resident_id_check_character(body)


def set_appeals_clock(mesh: Mesh, clock: Callable[[], datetime]) -> None:
    """Move the appeals service's clock (filing and decision dates) for a test."""
    mesh.followers["appeals"].app.state.appeals.clock = clock


def at(shift: timedelta) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + shift


async def post_entry(mesh: Mesh, body: dict[str, Any], department: str = "tax") -> str:
    r = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=body, headers=mesh.keys.headers(department, "initiator")
    )
    assert r.status_code == 201, r.text
    entry_id: str = r.json()["entry_id"]
    return entry_id


async def entry_in_appeals(mesh: Mesh, entry_id: str) -> None:
    """Appeals has taken the entry from list-entries.v1 (an objection is no longer 404)."""

    async def known() -> bool:
        r = await mesh.followers["appeals"].client.get(
            f"/v1/entries/{entry_id}", headers=mesh.keys.headers("credit-office", "administrator")
        )
        return r.status_code == 200

    await eventually(known, within=60)


async def order_known_to_appeals(mesh: Mesh, entry_id: str, department: str) -> None:
    """Appeals has learnt from order-status.v1 that `department` holds an order from the entry
    (so it may object to it, DOMAIN.md §7)."""
    holders = appeals_orm.order_holders
    db = mesh.followers["appeals"].runtime.db

    async def known() -> bool:
        async with db.sessions() as session:
            found = await session.scalar(
                select(holders.c.department).where(
                    holders.c.entry_id == entry_id, holders.c.department == department
                )
            )
        return found is not None

    await eventually(known, within=60)


async def object_to(
    mesh: Mesh, entry_id: str, headers: dict[str, str], grounds: str = "所列欠税已于稽查前缴清"
) -> dict[str, Any]:
    r = await mesh.followers["appeals"].client.post(
        "/v1/objections",
        json={"entry_id": entry_id, "grounds": grounds, "evidence_references": ["完税凭证-001"]},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def decide(mesh: Mesh, path: str, headers: dict[str, str], **decision: Any) -> dict[str, Any]:
    r = await mesh.followers["appeals"].client.post(path, json=decision, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def check(mesh: Mesh, code: str, department: str = "finance") -> dict[str, Any]:
    r = await mesh.followers["enforcement"].client.get(
        f"/v1/checks/{code}", headers=mesh.keys.headers(department, "implementer")
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def trigger_entry(mesh: Mesh, entry_id: str) -> dict[str, Any]:
    r = await mesh.followers["trigger"].client.get(
        f"/v1/list-entries/{entry_id}", headers=mesh.keys.headers("tax", "initiator")
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def taken(mesh: Mesh, service: str, event_type: str) -> int:
    """How many events of `event_type` the service's consumers have taken (its inbox)."""
    runtime = mesh.followers[service].runtime
    inbox = runtime.tables.inbox
    async with runtime.db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.event_type == event_type)
        )
    return int(count or 0)


def by_type(found: dict[str, list[Delivered]]) -> list[Delivered]:
    return [m for messages in found.values() for m in messages]


async def test_objection_suspends_then_rejection_resumes_with_the_end_moved(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    body = tax_entry()
    original_end = date.fromisoformat(body["period"]["end"])
    entry_id = await post_entry(mesh, body)
    subject = mesh.keys.subject_headers(ENTERPRISE)
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        await entry_in_appeals(mesh, entry_id)

        # The enterprise objects through the portal: every order is suspended.
        objection = await object_to(mesh, entry_id, subject)
        assert objection["suspends"] is True and objection["state"] == "open"
        suspended = by_type(
            await orders_on_topics(mesh, reader, departments, len(expected), SUSPENDED)
        )
        assert len(suspended) == len(expected)
        assert {m.key for m in suspended} == {ENTERPRISE}
        assert {m.body["case_id"] for m in suspended} == {objection["objection_id"]}

        answer = await check(mesh, ENTERPRISE)
        assert answer["suspended"] is True and answer["listed"] is False
        assert answer["mandatory_measures"] == [] and answer["recommended_measures"] == []
        person = await check(mesh, LEGAL_REPRESENTATIVE)
        assert person["suspended"] is True and person["mandatory_measures"] == []
        assert (await trigger_entry(mesh, entry_id))["status"] == "suspended"

        # Tax verifies for ten days and finds the information right: measures resume and the
        # period runs again from the decision, so its end moves ten days later (002 二(三)2).
        set_appeals_clock(mesh, at(timedelta(days=10)))
        decided = await decide(
            mesh,
            f"/v1/objections/{objection['objection_id']}/decision",
            mesh.keys.headers("tax", "initiator"),
            outcome="information_right",
            reasons="经核查，稽查认定事实清楚，证据确凿",
        )
        assert decided["state"] == "decided" and decided["restoration_duty"] is None

        async def reissued() -> list[Delivered] | None:
            found = await orders_on_topics(mesh, reader, departments, 2 * len(expected), ISSUED)
            second = [m for m in by_type(found) if m.body["revision"] == 2]
            return second if len(second) == len(expected) else None

        second = await eventually(reissued, within=60)
        assert second is not None
        assert {m.body["period"]["end"] for m in second} == {str(original_end + timedelta(days=10))}
        entry = await trigger_entry(mesh, entry_id)
        assert entry["status"] == "in_force" and entry["version"] == 2
        assert entry["period"]["end"] == str(original_end + timedelta(days=10))

        async def resumed() -> dict[str, Any] | None:
            answer = await check(mesh, ENTERPRISE)
            return answer if answer["listed"] else None

        answer = await eventually(resumed, within=30)
        assert answer is not None and answer["suspended"] is False
        assert answer["mandatory_measures"], "the mandatory measures apply again"

        # The enterprise was told, as a record and an event for the portal.
        notes = await mesh.followers["appeals"].client.get("/v1/notifications", headers=subject)
        assert notes.status_code == 200
        assert [n["case_id"] for n in besides_guidance(notes.json())] == [objection["objection_id"]]
        sent = await reader.read(mesh.topic(topics.SUBJECT_NOTIFICATIONS))
        assert [m.key for m in sent if m.body["about"] != "repair_guidance"] == [ENTERPRISE]

        # Not satisfied, it complains to the joint conference office: suspended again.
        complaint = mesh.followers["appeals"].client.post(
            f"/v1/objections/{objection['objection_id']}/complaint",
            json={"grounds": "异议答复未说明依据", "evidence_references": ["申辩书-002"]},
            headers=subject,
        )
        r = await complaint
        assert r.status_code == 201, r.text
        complaint_id = r.json()["complaint_id"]
        again = await orders_on_topics(mesh, reader, departments, 2 * len(expected), SUSPENDED)
        assert {m.body["revision"] for m in by_type(again)} == {1, 2}
        assert (await check(mesh, ENTERPRISE))["suspended"] is True

        office = mesh.keys.headers("credit-office", "administrator")
        draw = await mesh.followers["appeals"].client.post(
            f"/v1/complaints/{complaint_id}/expert-draw",
            json={"pool": [f"expert-{i}" for i in range(12)], "count": 3, "seed": "2026-11"},
            headers=office,
        )
        assert draw.status_code in (200, 201), draw.text
        await decide(
            mesh,
            f"/v1/complaints/{complaint_id}/decision",
            office,
            outcome="information_right",
            reasons="联席会议办公室复核维持原认定",
        )

        async def third() -> bool:
            found = await orders_on_topics(mesh, reader, departments, 3 * len(expected), ISSUED)
            return sum(1 for m in by_type(found) if m.body["revision"] == 3) == len(expected)

        await eventually(third, within=60)
        assert (await check(mesh, ENTERPRISE))["listed"] is True


async def test_an_upheld_objection_revokes_the_entry_and_lifts_every_order(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    entry_id = await post_entry(mesh, tax_entry())
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        await entry_in_appeals(mesh, entry_id)
        await order_known_to_appeals(mesh, entry_id, "finance")
        # An implementing department that holds an order spots the error itself (000 (二十四)).
        objection = await object_to(
            mesh, entry_id, mesh.keys.headers("finance", "implementer"), "主体名称与登记不符"
        )
        await orders_on_topics(mesh, reader, departments, len(expected), SUSPENDED)
        decided = await decide(
            mesh,
            f"/v1/objections/{objection['objection_id']}/decision",
            mesh.keys.headers("tax", "initiator"),
            outcome="information_wrong",
            remedy="revoke",
            reasons="信息提供错误，予以撤销",
        )
        assert decided["restoration_duty"]["department"] == "tax"
        lifted = by_type(await orders_on_topics(mesh, reader, departments, len(expected), LIFTED))
        assert {m.body["reason"] for m in lifted} == {"revoked"}
    assert (await trigger_entry(mesh, entry_id))["status"] == "revoked"
    answer = await check(mesh, ENTERPRISE)
    assert answer["listed"] is False and answer["suspended"] is False


async def test_a_court_list_objection_suspends_nothing(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    debtor = _debtor()
    today = date.today()
    body = {
        "record_id": "(2026)闽0102执1234号",
        "subject": {"code": debtor, "subject_type": "natural_person", "name": "李四"},
        "list_type": COURT_LIST,
        "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "decision_document": {"number": "(2026)闽0102执1234号", "date": str(today)},
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
        "court_case": court_case(case_number="(2026)闽0102执1234号"),
    }
    entry_id = await post_entry(mesh, body, department="court")
    expected = expected_orders(COURT_LIST, subject_type="natural_person", with_person=False)
    departments = {department for department, _ in expected}
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        await entry_in_appeals(mesh, entry_id)
        objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(debtor))
        assert objection["suspends"] is False
        await decide(
            mesh,
            f"/v1/objections/{objection['objection_id']}/decision",
            mesh.keys.headers("court", "initiator"),
            outcome="information_right",
            reasons="执行依据有效，维持",
        )
        # Trigger took the filing and the decision and left the entry as it was; enforcement
        # heard nothing new, so no order was suspended and the check never stopped listing.
        for event in ("cn.jrp.appeals.objection.filed.v1", "cn.jrp.appeals.objection.decided.v1"):

            async def arrived(event: str = event) -> bool:
                return await taken(mesh, "trigger", event) == 1

            await eventually(arrived, within=30)
        notes = await mesh.followers["appeals"].client.get(
            "/v1/notifications", headers=mesh.keys.subject_headers(debtor)
        )
        assert len(notes.json()) == 1
        found = await orders_on_topics(mesh, reader, departments, 0, SUSPENDED)
        assert by_type(found) == []
    answer = await check(mesh, debtor, department=sorted(departments)[0])
    assert answer["listed"] is True and answer["suspended"] is False
    entry = await trigger_entry(mesh, entry_id)
    assert entry["status"] == "in_force" and entry["version"] == 1


def besides_guidance(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notices but the repair guidance a new tax-list entry brings (两书同达, DOMAIN.md §11)."""
    return [n for n in notes if n["about"] != "repair_guidance"]


def repair_application(entry_id: str) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "route": "correction",
        "evidence": [
            {"kind": "补缴税款、滞纳金和罚款的完税凭证", "reference": "完税证明-2026-77"},
            {"kind": "信用承诺书", "reference": "承诺书-2026-77"},
        ],
        "credit_commitment": {"text": "本企业承诺依法诚信纳税", "signed_on": str(date.today())},
    }


async def test_repair_is_refused_before_the_minimum_period_and_granted_after(
    mesh: Mesh,
) -> None:
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    subject = mesh.keys.subject_headers(ENTERPRISE)
    appeals = mesh.followers["appeals"].client
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)

    # The entry brought its repair guidance (两书同达): tier, first repair day (12 months).
    guidance = (await appeals.get(f"/v1/entries/{entry_id}", headers=subject)).json()[
        "repair_guidance"
    ]
    assert guidance["tier"] == "serious" and guidance["decided_by"] == "tax"

    # Listed today: the tax list's minimum disclosure period is twelve months.
    early = await appeals.post("/v1/repairs", json=repair_application(entry_id), headers=subject)
    assert early.status_code == 409, early.text
    assert "too_early" in early.text

    # Thirteen months on, the enterprise may ask, and the tax authority grants it.
    set_appeals_clock(mesh, at(timedelta(days=396)))
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        applied = await appeals.post(
            "/v1/repairs", json=repair_application(entry_id), headers=subject
        )
        assert applied.status_code == 201, applied.text
        repair_id = applied.json()["repair_id"]
        # Stage 1: the credit portal forwards it to the tax authority (DOMAIN.md §11).
        forwarded = await appeals.post(
            f"/v1/repairs/{repair_id}/forwarding",
            headers=mesh.keys.headers("credit-office", "portal"),
        )
        assert forwarded.status_code == 200 and forwarded.json()["stage"] == "decision"
        granted = await decide(
            mesh,
            f"/v1/repairs/{repair_id}/decision",
            mesh.keys.headers("tax", "initiator"),
            approved=True,
            reasons="已补缴税款、滞纳金和罚款并作出信用承诺",
        )
        assert granted["state"] == "approved" and granted["stage"] == "done"
        lifted = by_type(await orders_on_topics(mesh, reader, departments, len(expected), LIFTED))
        assert {m.body["reason"] for m in lifted} == {"repaired"}
    assert (await trigger_entry(mesh, entry_id))["status"] == "repaired"
    answer = await check(mesh, ENTERPRISE)
    assert answer["listed"] is False and answer["entries"] == []


async def test_an_objection_filed_before_the_national_day_holiday_is_due_on_the_official_date(
    mesh: Mesh,
) -> None:
    """Filed on Wednesday 2026-09-30, the last working day before the National Day holiday.
    The State Council's 2026 schedule (国办发明电〔2025〕7号): 1-7 October off, Saturday
    10 October worked. Twenty working days: 8, 9, 10, 12-16, 19-23, 26-30 October, 2 and
    3 November, so the provider must answer by Tuesday 2026-11-03."""
    await catalog_ready(mesh)
    start = date(2026, 9, 1)
    body = tax_entry(
        record_id="闽税-2026-0930",
        decision_document={"number": "闽税稽罚〔2026〕930号", "date": str(start)},
        period={"start": str(start), "end": str(start + timedelta(days=700))},
        prior_notice=prior_notice(start),
    )
    entry_id = await post_entry(mesh, body)
    await entry_in_appeals(mesh, entry_id)
    set_appeals_clock(mesh, lambda: datetime(2026, 9, 30, 16, 30, tzinfo=CHINA))
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(ENTERPRISE))
    assert objection["decision_due"] == "2026-11-03"
    assert objection["due_provisional"] is False


async def test_an_objection_upheld_by_correction_updates_and_lifts_orders(mesh: Mesh) -> None:
    """The legal representative was listed by mistake: the provider corrects the entry
    through its decision, so the enterprise's orders are re-issued and the person's lifted."""
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    people = {d for d, role in expected if role == "legal_representative"}
    body = tax_entry()
    entry_id = await post_entry(mesh, body)
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        await entry_in_appeals(mesh, entry_id)
        person = mesh.keys.subject_headers(LEGAL_REPRESENTATIVE)
        objection = await object_to(mesh, entry_id, person, "本人已于2025年辞去法定代表人职务")
        await orders_on_topics(mesh, reader, departments, len(expected), SUSPENDED)
        # A correction names neither the record id nor the prior notice (the entry keeps its).
        kept = ("record_id", "prior_notice")
        correction = {k: v for k, v in body.items() if k not in kept} | {"linked_persons": []}
        await decide(
            mesh,
            f"/v1/objections/{objection['objection_id']}/decision",
            mesh.keys.headers("tax", "initiator"),
            outcome="information_wrong",
            remedy="correct",
            correction=correction,
            reasons="法定代表人信息有误，予以更正",
        )
        lifted = by_type(await orders_on_topics(mesh, reader, people, len(people), LIFTED))
        assert {(m.body["target_role"], m.body["reason"]) for m in lifted} == {
            ("legal_representative", "corrected")
        }

        async def reissued() -> list[Delivered] | None:
            found = await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
            second = [m for m in by_type(found) if m.body["revision"] == 2]
            subject_orders = [d for d, role in expected if role == "subject"]
            return second if len(second) == len(subject_orders) else None

        second = await eventually(reissued, within=60)
        assert {m.body["target"]["role"] for m in second} == {"subject"}
    entry = await trigger_entry(mesh, entry_id)
    assert entry["status"] == "in_force" and entry["version"] == 2
    assert entry["linked_persons"] == []
    answer = await check(mesh, LEGAL_REPRESENTATIVE)
    assert answer["listed"] is False and answer["entries"] == []
    assert (await check(mesh, ENTERPRISE))["listed"] is True
    # Both the enterprise and the person who objected are told.
    for code in (ENTERPRISE, LEGAL_REPRESENTATIVE):
        notes = await mesh.followers["appeals"].client.get(
            "/v1/notifications", headers=mesh.keys.subject_headers(code)
        )
        assert [n["case_id"] for n in besides_guidance(notes.json())] == [objection["objection_id"]]


async def test_an_entry_leaves_force_at_the_end_of_its_period_and_its_record_stays(
    mesh: Mesh,
) -> None:
    """002 二(三)1 and 1798号: at the end of the period the entry leaves joint punishment by
    itself, an exit notice goes out on the channels of the listing, the record is kept."""
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}
    today = date.today()
    body = tax_entry(period={"start": str(today), "end": str(today + timedelta(days=30))})
    entry_id = await post_entry(mesh, body)
    later = at(timedelta(days=32))
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
        await entry_in_appeals(mesh, entry_id)
        enforcement = mesh.followers["enforcement"].app
        context = enforcement.state.orders
        context.clock = later
        assert await expire_entries(enforcement.state.runtime.uow, context) == [entry_id]
        lifted = by_type(await orders_on_topics(mesh, reader, departments, len(expected), LIFTED))
        assert {m.body["reason"] for m in lifted} == {"expired"}
        assert {m.key for m in lifted} == {ENTERPRISE}
    assert (await check(mesh, ENTERPRISE))["listed"] is False
    trigger_of(mesh.followers["trigger"].app).clock = later
    entry = await trigger_entry(mesh, entry_id)
    assert entry["status"] == "expired" and entry["period"] == body["period"]
    set_appeals_clock(mesh, later)
    late = await mesh.followers["appeals"].client.post(
        "/v1/objections",
        json={"entry_id": entry_id, "grounds": "期满", "evidence_references": []},
        headers=mesh.keys.subject_headers(ENTERPRISE),
    )
    assert late.status_code == 409 and "not_in_force" in late.text
