"""Posting and reading list entries through the HTTP API, on a real PostgreSQL database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from jrp_trigger.testing import (
    ENTERPRISE,
    OTHER_ENTERPRISE,
    PERSON,
    TriggerUnderTest,
    list_type,
    tax_entry,
)

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
RED = list_type("red.tax.a-grade-taxpayer", max_period_months=12)


async def post(trigger: TriggerUnderTest, body: dict[str, Any], department: str = "tax") -> Any:
    return await trigger.client.post(
        "/v1/list-entries", json=body, headers=trigger.as_department(department)
    )


async def test_an_entry_is_recorded_once_sent_once_and_returned_on_a_repost(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    created = await post(trigger, tax_entry(today))
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["status"] == "in_force" and entry["version"] == 1
    assert entry["initiating_department"] == "tax" and entry["colour"] == "black"
    [event] = await trigger.outbox(IN_FORCE)
    assert event["entry_id"] == entry["entry_id"] and event["version"] == 1
    assert event["linked_persons"][0]["resident_id"] == PERSON  # in clear inside the mesh
    assert event["recorded_at"].endswith("Z") or event["recorded_at"].endswith("+00:00")

    again = await post(trigger, tax_entry(today))
    assert again.status_code == 200 and again.json()["entry_id"] == entry["entry_id"]
    assert await trigger.count("list_entries") == 1 and len(await trigger.outbox(IN_FORCE)) == 1

    changed = await post(trigger, tax_entry(today, grounds="另一事由"))
    assert changed.status_code == 409
    [problem] = changed.json()["errors"]
    assert problem["reason"] == "record_id_conflict" and problem["entry_id"] == entry["entry_id"]
    assert "/corrections" in problem["message"]

    other_department = await post(
        trigger, tax_entry(today, list_type=RED.code, linked_persons=[]), "court"
    )
    assert other_department.status_code == 422  # red list not seeded: unknown to the catalog


async def test_bad_input_is_refused_with_a_reason_per_field_and_nothing_stored(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type(), list_type("black.market.late", effective_from=date(2026, 1, 1)))
    today = trigger.trigger.today()

    async def refused(body: dict[str, Any], status: int = 422, department: str = "tax") -> Any:
        r = await post(trigger, body, department)
        assert r.status_code == status, r.text
        return {p["field"]: p for p in r.json()["errors"]}

    unknown = await refused(tax_entry(today, list_type="black.tax.no-such-list"))
    assert unknown["body.list_type"]["reason"] == "unknown_list_type"
    assert "black.tax.no-such-list" in unknown["body.list_type"]["message"]
    market = await refused(tax_entry(today), 403, "market")
    assert market["body.list_type"]["reason"] == "not_initiating_department"
    assert market["body.list_type"]["initiating_departments"] == ["tax"]
    too_long = await refused(
        tax_entry(today, period={"start": str(today), "end": str(today + timedelta(days=1200))})
    )
    assert too_long["body.period.end"]["reason"] == "period_exceeds_max"
    bad_code = await refused(
        tax_entry(
            today,
            subject={"code": ENTERPRISE[:17] + "2", "subject_type": "legal_person", "name": "x"},
        )
    )
    assert bad_code["body.subject.code"]["reason"] == "uscc_check_character"
    assert bad_code["body.subject.code"]["position"] == 18
    person = await refused(
        tax_entry(
            today,
            linked_persons=[
                {"role": "legal_representative", "name": "张三", "resident_id": PERSON[:17] + "1"}
            ],
        )
    )
    assert person["body.linked_persons.0.resident_id"]["reason"] == "resident_id_check_character"
    future = str(today + timedelta(days=2))
    dates = await refused(
        tax_entry(
            today,
            decision_document={"number": "x", "date": future},
            period={"start": str(today), "end": str(today - timedelta(days=1))},
        )
    )
    assert dates["body.decision_document.date"]["reason"] == "decision_date_in_future"
    assert dates["body.period.start"]["reason"] == "period_starts_before_decision"
    assert dates["body.period.end"]["reason"] == "period_end_before_start"
    late = await refused(
        tax_entry(
            today,
            list_type="black.market.late",
            decision_document={"number": "x", "date": "2025-06-01"},
            period={"start": "2025-06-01", "end": "2027-06-01"},
        ),
        department="tax",
    )
    assert late["body.list_type"]["reason"] == "list_type_not_in_force"
    shape = await refused({**tax_entry(today), "subject": {"code": "short"}})
    assert {"body.subject.code", "body.subject.subject_type"} <= set(shape)
    no_role = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today),
        headers=trigger.keys.headers("tax", "implementer"),
    )
    assert no_role.status_code == 403
    assert await trigger.count("list_entries") == 0 and await trigger.outbox() == []


async def test_only_the_initiating_department_sees_resident_ids_in_clear(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type(initiating_departments=["tax", "court"]))
    today = trigger.trigger.today()
    company = (await post(trigger, tax_entry(today))).json()["entry_id"]
    person = await post(
        trigger,
        tax_entry(
            today,
            record_id="p-1",
            subject={"code": PERSON, "subject_type": "natural_person", "name": "张三"},
            linked_persons=[],
        ),
        "court",
    )
    assert person.status_code == 201, person.text
    masked = PERSON[:6] + "********" + PERSON[-4:]
    own = await trigger.client.get(f"/v1/list-entries/{company}", headers=trigger.as_department())
    assert own.json()["linked_persons"][0]["resident_id"] == PERSON
    assert own.json()["personal_data_masked"] is False
    for headers in (trigger.as_department("finance", "implementer"), trigger.as_office()):
        seen = await trigger.client.get(f"/v1/list-entries/{company}", headers=headers)
        assert seen.json()["personal_data_masked"] is True
        assert PERSON not in seen.text and masked in seen.text
        other = await trigger.client.get(
            f"/v1/list-entries/{person.json()['entry_id']}", headers=headers
        )
        assert other.json()["subject"]["code"] == masked and PERSON not in other.text
    missing = await trigger.client.get("/v1/list-entries/nope", headers=trigger.as_department())
    assert missing.status_code == 404


async def test_the_list_shows_a_departments_own_entries_and_administrators_all(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type(initiating_departments=["tax", "court"]), RED)
    today = trigger.trigger.today()
    past = date(2023, 1, 10)
    await post(trigger, tax_entry(today, record_id="t-1"))
    await post(
        trigger,
        tax_entry(
            today,
            record_id="t-old",
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "旧企业"},
            decision_document={"number": "x", "date": str(past)},
            period={"start": str(past), "end": str(past + timedelta(days=365))},
        ),
    )
    await post(
        trigger,
        tax_entry(
            today,
            record_id="t-red",
            list_type=RED.code,
            linked_persons=[],
            period={"start": str(today), "end": str(today + timedelta(days=300))},
        ),
    )
    await post(trigger, tax_entry(today, record_id="c-1"), "court")

    async def listed(headers: dict[str, str], **query: str) -> list[str]:
        r = await trigger.client.get("/v1/list-entries", params=query, headers=headers)
        assert r.status_code == 200, r.text
        return sorted(x["record_id"] for x in r.json())

    tax = trigger.as_department()
    assert await listed(tax) == ["t-1", "t-old", "t-red"]
    assert await listed(trigger.as_office()) == ["c-1", "t-1", "t-old", "t-red"]
    assert await listed(tax, status="expired") == ["t-old"]
    assert await listed(tax, status="in_force") == ["t-1", "t-red"]
    assert await listed(tax, list_type=RED.code) == ["t-red"]
    assert await listed(tax, subject_code=OTHER_ENTERPRISE.lower()) == ["t-old"]
    assert await listed(tax, limit="1", offset="5") == []
    red = [e for e in (await trigger.outbox(IN_FORCE)) if e["record_id"] == "t-red"]
    assert red[0]["colour"] == "red"  # red lists go the same way (rewards)


async def test_an_entry_recorded_after_its_period_ended_is_expired_and_never_sent(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    past = date(2023, 3, 1)
    r = await post(
        trigger,
        tax_entry(
            trigger.trigger.today(),
            decision_document={"number": "x", "date": str(past)},
            period={"start": str(past), "end": str(past + timedelta(days=200))},
        ),
    )
    assert r.status_code == 201 and r.json()["status"] == "expired"
    assert r.json()["in_force_since"] is None
    assert await trigger.outbox(IN_FORCE) == []
