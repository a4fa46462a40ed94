"""Objections through the HTTP API on the real PostgreSQL (DOMAIN.md §7, 000 (二十四)): who may
file, what is refused and why, the due date and suspension, the provider's decision and the
events and notice it makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jrp_appeals.testing import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    OTHER_ENTERPRISE,
    PERSON,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
)
from jrp_shared.clock import CHINA
from jrp_shared.events import topics
from jrp_shared.events.payloads import ListEntryRevoked

pytestmark = pytest.mark.integration

FILED = "cn.jrp.appeals.objection.filed.v1"
DECIDED = "cn.jrp.appeals.objection.decided.v1"
NOTIFIED = "cn.jrp.appeals.subject.notified.v1"


def correction(**changes: Any) -> dict[str, Any]:
    entry = entry_in_force()
    body: dict[str, Any] = {
        "subject": entry.subject.model_dump(mode="json"),
        "list_type": entry.list_type,
        "grounds": "逃避追缴欠税",
        "legal_basis": entry.legal_basis,
        "decision_document": entry.decision_document.model_dump(mode="json"),
        "period": entry.period.model_dump(mode="json"),
        "disclosure_class": "public",
        "linked_persons": [],
        "evidence_references": [],
    }
    body.update(changes)
    return body


async def test_the_subject_objects_and_the_tax_list_suspends(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    r = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "open" and body["suspends"] is True and body["overdue"] is False
    assert body["provider"] == "tax" and body["complaint_id"] is None
    assert body["filed_by"] == {"kind": "subject", "code": ENTERPRISE, "agent": "credit-office"}
    assert body["decision"] is None and body["restoration_duty"] is None
    assert [a["action"] for a in body["history"]] == ["filed"]
    [(topic, key, event)] = await appeals.emitted(FILED)
    assert topic == topics.APPEALS and key == ENTERPRISE
    assert event["case_id"] == body["objection_id"] and event["suspends"] is True
    assert event["provider"] == "tax" and event["entry_version"] == 1
    assert event["decision_due"] == body["decision_due"]
    assert event["filed_by"]["kind"] == "subject"


async def test_a_court_list_objection_suspends_nothing(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry(court_entry())
    r = await appeals.object_to("court-1", appeals.as_subject(PERSON))
    assert r.status_code == 201, r.text
    assert r.json()["suspends"] is False
    [(_, key, event)] = await appeals.emitted(FILED)
    assert event["suspends"] is False and key == PERSON


async def test_a_linked_person_and_an_implementer_may_object(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    await appeals.list_entry(entry_in_force(entry_id="entry-2", record_id="r-2"))
    person = await appeals.object_to("entry-1", appeals.as_subject(LEGAL_REPRESENTATIVE))
    assert person.status_code == 201, person.text
    await appeals.order_held("entry-2", "finance")
    finance = await appeals.object_to("entry-2", appeals.as_implementer("finance"))
    assert finance.status_code == 201, finance.text
    assert finance.json()["filed_by"] == {"kind": "department", "code": "finance", "agent": None}
    # The implementer sees the case it filed; the person's resident ID is masked for it.
    seen = await appeals.client.get(
        f"/v1/objections/{person.json()['objection_id']}", headers=appeals.as_office()
    )
    assert seen.json()["filed_by"]["code"] == "110105********002X"


async def test_an_implementer_holding_no_order_from_the_entry_cannot_object(
    appeals: AppealsUnderTest,
) -> None:
    """Issue 11 finding 6: any implementing department could suspend any entry's measures by
    objecting. Now only one that holds an order from that very entry may (DOMAIN.md §7)."""
    await appeals.list_entry()
    await appeals.list_entry(entry_in_force(entry_id="entry-2", record_id="r-2"))
    await appeals.order_held("entry-2", "customs")  # an order from another entry only
    refused = await appeals.object_to("entry-1", appeals.as_implementer("customs"))
    assert refused.status_code == 403, refused.text
    assert "holds no order from entry entry-1" in refused.json()["detail"]
    assert await appeals.emitted(FILED) == []  # nothing suspended
    await appeals.order_held("entry-1", "customs")
    await appeals.order_held("entry-1", "customs")  # a repeated status changes nothing
    allowed = await appeals.object_to("entry-1", appeals.as_implementer("customs"))
    assert allowed.status_code == 201, allowed.text
    assert await appeals.count("order_holders") == 2


async def test_filings_are_refused_with_reasons(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    other = await appeals.object_to("entry-1", appeals.as_subject(OTHER_ENTERPRISE))
    assert other.status_code == 404, "another subject's entry is not revealed"
    unknown = await appeals.object_to("nope", appeals.as_subject(ENTERPRISE))
    assert unknown.status_code == 404
    initiator = await appeals.object_to("entry-1", appeals.as_department("market"))
    assert initiator.status_code == 403
    first = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    await appeals.order_held("entry-1", "finance")
    again = await appeals.object_to("entry-1", appeals.as_implementer())
    assert again.status_code == 409
    assert again.json()["errors"][0]["case_id"] == first.json()["objection_id"]
    assert first.json()["objection_id"] in again.json()["detail"]
    invalid = await appeals.client.post(
        "/v1/objections", json={"entry_id": "entry-1"}, headers=appeals.as_implementer()
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "body.grounds"


async def test_an_entry_no_longer_in_force_cannot_be_objected_to(
    appeals: AppealsUnderTest,
) -> None:
    today = datetime.now(CHINA).date()
    ended = entry_in_force(
        entry_id="ended",
        period={"start": str(today - timedelta(days=800)), "end": str(today - timedelta(days=1))},
    )
    await appeals.list_entry(ended)
    r = await appeals.object_to("ended", appeals.as_subject(ENTERPRISE))
    assert r.status_code == 409 and r.json()["errors"][0]["reason"] == "not_in_force"
    await appeals.list_entry()
    await appeals.publish(
        ListEntryRevoked(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            reason="撤销",
            revoked_by="tax",
            revoked_at=datetime.now(UTC),
        )
    )
    await appeals.entry_reaches("entry-1", status="revoked")
    revoked = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    assert revoked.status_code == 409 and "revoked" in revoked.json()["detail"]


async def test_the_due_date_is_twenty_working_days_on_the_holiday_calendar(
    appeals: AppealsUnderTest,
) -> None:
    """Filed Wednesday 2026-09-30: 1-7 October off, Saturday 10 October worked; the 20th
    working day is Tuesday 2026-11-03."""
    await appeals.list_entry(entry_in_force(period={"start": "2026-09-01", "end": "2028-08-01"}))
    appeals.set_time(datetime(2026, 9, 30, 16, 30, tzinfo=CHINA))
    r = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    assert r.status_code == 201, r.text
    assert r.json()["decision_due"] == "2026-11-03" and r.json()["due_provisional"] is False
    appeals.set_time(datetime(2026, 11, 3, 23, 0, tzinfo=CHINA))
    listed = await appeals.client.get("/v1/objections?overdue=true", headers=appeals.as_office())
    assert listed.json() == []
    appeals.set_time(datetime(2026, 11, 4, 9, 0, tzinfo=CHINA))
    late = await appeals.client.get("/v1/objections?overdue=true", headers=appeals.as_office())
    assert [o["overdue"] for o in late.json()] == [True]
    provider = await appeals.client.get(
        f"/v1/objections/{r.json()['objection_id']}", headers=appeals.as_department("tax")
    )
    assert provider.json()["overdue"] is True


async def test_the_provider_finds_the_information_right(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    objection_id = (await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))).json()[
        "objection_id"
    ]
    path = f"/v1/objections/{objection_id}/decision"
    decision = {"outcome": "information_right", "reasons": "事实清楚"}
    assert (await appeals.decide(path, appeals.as_office(), **decision)).status_code == 403
    subject = await appeals.decide(path, appeals.as_subject(ENTERPRISE), **decision)
    assert subject.status_code == 403
    assert (
        await appeals.decide(path, appeals.as_department("market"), **decision)
    ).status_code == 404
    with_remedy = await appeals.decide(
        path, appeals.as_department("tax"), remedy="revoke", **decision
    )
    assert with_remedy.status_code == 422
    assert with_remedy.json()["errors"][0]["field"] == "body.remedy"
    r = await appeals.decide(path, appeals.as_department("tax"), **decision)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "decided" and body["restoration_duty"] is None
    assert body["decision"]["outcome"] == "information_right"
    assert body["decision"]["decided_by"] == "tax"
    assert [a["action"] for a in body["history"]] == ["filed", "decided"]
    again = await appeals.decide(path, appeals.as_department("tax"), **decision)
    assert again.status_code == 409
    [(_, key, event)] = await appeals.emitted(DECIDED)
    assert key == ENTERPRISE and event["restoration_duty"] is None
    assert event["outcome"] == "information_right" and event["remedy"] is None
    [(topic, _, notice)] = await appeals.notified()
    assert topic == topics.SUBJECT_NOTIFICATIONS and notice["case_id"] == objection_id
    notes = await appeals.notes(appeals.as_subject(ENTERPRISE))
    assert [n["case_id"] for n in notes] == [objection_id]
    assert notes[0]["about"] == "objection"


async def test_wrong_information_is_revoked_or_corrected_with_a_restoration_duty(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry()
    await appeals.list_entry(entry_in_force(entry_id="entry-2", record_id="r-2"))
    tax = appeals.as_department("tax")
    first = (await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))).json()
    path = f"/v1/objections/{first['objection_id']}/decision"
    wrong = {"outcome": "information_wrong", "reasons": "信息有误"}
    missing = await appeals.decide(path, tax, **wrong)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.remedy"
    no_correction = await appeals.decide(path, tax, remedy="correct", **wrong)
    assert no_correction.json()["errors"][0]["field"] == "body.correction"
    other_subject = await appeals.decide(
        path,
        tax,
        remedy="correct",
        correction=correction(
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "别家"}
        ),
        **wrong,
    )
    assert other_subject.status_code == 422
    assert other_subject.json()["errors"][0]["field"] == "body.correction.subject.code"
    other_list = await appeals.decide(
        path, tax, remedy="correct", correction=correction(list_type="black.market.x"), **wrong
    )
    assert other_list.json()["errors"][0]["field"] == "body.correction.list_type"
    corrected = await appeals.decide(path, tax, remedy="correct", correction=correction(), **wrong)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["restoration_duty"]["department"] == "tax"
    assert corrected.json()["decision"]["correction"]["grounds"] == "逃避追缴欠税"

    await appeals.order_held("entry-2", "finance")
    second = (await appeals.object_to("entry-2", appeals.as_implementer())).json()
    revoke_with_correction = await appeals.decide(
        f"/v1/objections/{second['objection_id']}/decision",
        tax,
        remedy="revoke",
        correction=correction(),
        **wrong,
    )
    assert revoke_with_correction.status_code == 422
    revoked = await appeals.decide(
        f"/v1/objections/{second['objection_id']}/decision", tax, remedy="revoke", **wrong
    )
    assert revoked.status_code == 200, revoked.text
    events = [e for _, _, e in await appeals.emitted(DECIDED)]
    assert [(e["remedy"], e["restoration_duty"]) for e in events] == [
        ("correct", "tax"),
        ("revoke", "tax"),
    ]
    assert events[0]["correction"]["subject"]["code"] == ENTERPRISE
    assert len(await appeals.notified()) == 2


async def test_each_party_lists_what_it_may_see(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    await appeals.list_entry(court_entry())
    await appeals.order_held("entry-1", "finance")
    tax_case = (await appeals.object_to("entry-1", appeals.as_implementer("finance"))).json()
    court_case = (await appeals.object_to("court-1", appeals.as_subject(PERSON))).json()

    async def ids(headers: dict[str, str], query: str = "") -> list[str]:
        r = await appeals.client.get(f"/v1/objections{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [o["objection_id"] for o in r.json()]

    both = {tax_case["objection_id"], court_case["objection_id"]}
    assert set(await ids(appeals.as_office())) == both
    assert await ids(appeals.as_department("tax")) == [tax_case["objection_id"]]
    assert await ids(appeals.as_department("court")) == [court_case["objection_id"]]
    assert await ids(appeals.as_implementer("finance")) == [tax_case["objection_id"]]
    assert await ids(appeals.as_department("market")) == []
    assert await ids(appeals.as_subject(ENTERPRISE)) == [tax_case["objection_id"]]
    assert await ids(appeals.as_subject(LEGAL_REPRESENTATIVE)) == [tax_case["objection_id"]]
    assert await ids(appeals.as_subject(PERSON)) == [court_case["objection_id"]]
    assert await ids(appeals.as_office(), "?entry_id=court-1") == [court_case["objection_id"]]
    assert await ids(appeals.as_office(), "?state=decided") == []
    assert set(await ids(appeals.as_office(), "?state=open")) == both
    hidden = await appeals.client.get(
        f"/v1/objections/{court_case['objection_id']}", headers=appeals.as_subject(ENTERPRISE)
    )
    assert hidden.status_code == 404
    market = await appeals.client.get(
        f"/v1/objections/{tax_case['objection_id']}", headers=appeals.as_department("market")
    )
    assert market.status_code == 404
    entry = await appeals.client.get("/v1/entries/court-1", headers=appeals.as_subject(PERSON))
    assert entry.status_code == 200 and entry.json()["subject"]["code"] == PERSON
    office = await appeals.client.get("/v1/entries/court-1", headers=appeals.as_office())
    assert office.json()["subject"]["code"] != PERSON, "masked for the office"


async def test_a_subject_lists_its_own_entries_and_no_one_else_s(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry()
    await appeals.list_entry(court_entry())

    async def entry_ids(headers: dict[str, str], query: str = "") -> list[str]:
        r = await appeals.client.get(f"/v1/entries{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [e["entry_id"] for e in r.json()]

    assert await entry_ids(appeals.as_subject(ENTERPRISE)) == ["entry-1"]
    assert await entry_ids(appeals.as_subject(LEGAL_REPRESENTATIVE)) == ["entry-1"]
    # Naming someone else changes nothing: a subject token reaches only its own code.
    assert await entry_ids(appeals.as_subject(ENTERPRISE), f"?subject_code={PERSON}") == ["entry-1"]
    assert await entry_ids(appeals.as_subject(PERSON)) == ["court-1"]
    assert await entry_ids(appeals.as_office(), f"?subject_code={PERSON}") == ["court-1"]
    assert await entry_ids(appeals.as_department("tax"), f"?subject_code={PERSON}") == []
    missing = await appeals.client.get("/v1/entries", headers=appeals.as_office())
    assert missing.status_code == 422 and "subject_code" in missing.text


async def test_a_linked_person_who_objected_is_told_as_well_as_the_subject(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry()
    filed = await appeals.object_to("entry-1", appeals.as_subject(LEGAL_REPRESENTATIVE))
    objection_id = filed.json()["objection_id"]
    decided = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("tax"),
        outcome="information_right",
        reasons="经核查，认定无误",
    )
    assert decided.status_code == 200, decided.text
    for code in (ENTERPRISE, LEGAL_REPRESENTATIVE):
        notes = await appeals.notes(appeals.as_subject(code))
        assert [n["case_id"] for n in notes] == [objection_id], code
    sent = await appeals.notified()
    assert sorted(str(key) for _, key, _ in sent) == sorted([ENTERPRISE, LEGAL_REPRESENTATIVE])


async def test_the_officer_who_decided_is_recorded(appeals: AppealsUnderTest) -> None:
    """Issue 16: a decision made with an officer's token records the officer besides its
    department, in the read model, the history and the event (docs/security.md, "Officers")."""
    await appeals.list_entry()
    objection_id = (await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))).json()[
        "objection_id"
    ]
    token, _ = appeals.keys.issuer.issue(
        "tax",
        frozenset({"initiator", "reviewer"}),
        officer="officer-0a1b2c3d4e5f",
        officer_version=1,
    )
    officer = {"Authorization": f"Bearer {token}"}
    r = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        officer,
        outcome="information_right",
        reasons="事实清楚",
    )
    assert r.status_code == 200, r.text
    decision = r.json()["decision"]
    assert decision["decided_by"] == "tax"
    assert decision["decided_by_officer"] == "officer-0a1b2c3d4e5f"
    seen = await appeals.client.get(f"/v1/objections/{objection_id}", headers=appeals.as_office())
    assert seen.json()["decision"]["decided_by_officer"] == "officer-0a1b2c3d4e5f"
    [decided] = [a for a in seen.json()["history"] if a["action"] == "decided"]
    assert decided["detail"]["officer"] == "officer-0a1b2c3d4e5f"
    [(_, _, event)] = await appeals.emitted(DECIDED)
    assert event["decided_by"] == "tax" and event["officer"] == "officer-0a1b2c3d4e5f"


async def test_a_department_systems_decision_names_no_officer(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry()
    objection_id = (await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))).json()[
        "objection_id"
    ]
    r = await appeals.decide(
        f"/v1/objections/{objection_id}/decision",
        appeals.as_department("tax"),
        outcome="information_right",
        reasons="事实清楚",
    )
    assert r.json()["decision"]["decided_by_officer"] is None
    [(_, _, event)] = await appeals.emitted(DECIDED)
    assert event["officer"] is None
