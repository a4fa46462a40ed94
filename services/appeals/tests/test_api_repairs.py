"""Credit repair through the HTTP API (DOMAIN.md §8, §11): the catalog's repair rules decide
what may be asked; the initiating department grants or refuses with reasons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jrp_appeals.domain.deadlines import add_months
from jrp_appeals.testing import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    MARKET_LIST,
    OTHER_ENTERPRISE,
    PERSON,
    PROCUREMENT_LIST,
    RED_TAX_LIST,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
    repair_body,
)
from jrp_shared.events import topics
from jrp_shared.events.payloads import Period
from jrp_shared.vocabulary import ListColour

pytestmark = pytest.mark.integration

APPLIED = "cn.jrp.appeals.repair.applied.v1"
DECIDED = "cn.jrp.appeals.repair.decided.v1"
NOTIFIED = "cn.jrp.appeals.subject.notified.v1"


async def listed_long_ago(
    appeals: AppealsUnderTest, entry_id: str = "entry-1", **changes: Any
) -> None:
    """An entry whose minimum disclosure period (12 months for the tax list) has passed."""
    today = appeals.appeals.today()
    period = Period(start=today - timedelta(days=400), end=today + timedelta(days=300))
    await appeals.list_entry(
        entry_in_force(entry_id=entry_id, record_id=entry_id, period=period, **changes)
    )


async def apply(appeals: AppealsUnderTest, headers: dict[str, str], **body: Any) -> Any:
    fields = repair_body("entry-1")
    fields.update(body)
    return await appeals.client.post("/v1/repairs", json=fields, headers=headers)


async def test_the_subject_applies_and_the_department_grants(appeals: AppealsUnderTest) -> None:
    await listed_long_ago(appeals)
    subject = appeals.as_subject(ENTERPRISE)
    r = await apply(appeals, subject)
    assert r.status_code == 201, r.text
    repair = r.json()
    assert repair["state"] == "pending" and repair["department"] == "tax"
    assert repair["applicant"] == ENTERPRISE and repair["agent"] == "credit-office"
    assert repair["credit_commitment"]["text"] == "本企业承诺依法诚信纳税"
    assert repair["overdue"] is False and repair["due_provisional"] in (True, False)
    assert repair["stage"] == "forward" and repair["tier"] == "serious"
    assert repair["forwarded_at"] is None and repair["forward_due"] < repair["decision_due"]
    [(topic, key, event)] = await appeals.emitted(APPLIED)
    assert topic == topics.APPEALS and key == ENTERPRISE
    assert event["repair_id"] == repair["repair_id"] and event["department"] == "tax"
    assert event["decision_due"] == repair["decision_due"]
    pending = await apply(appeals, subject)
    assert pending.status_code == 409
    assert pending.json()["errors"][0]["reason"] == "repair_pending"

    path = f"/v1/repairs/{repair['repair_id']}/decision"
    granted = {"approved": True, "reasons": "已补缴税款并作出信用承诺"}
    early = await appeals.decide(path, appeals.as_department("tax"), **granted)
    assert early.status_code == 409 and early.json()["errors"][0]["reason"] == "not_forwarded"
    forwarding = f"/v1/repairs/{repair['repair_id']}/forwarding"
    for who in (subject, appeals.as_department("tax")):
        assert (await appeals.client.post(forwarding, headers=who)).status_code == 403
    forwarded = await appeals.forward(repair["repair_id"])
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["stage"] == "decision" and forwarded.json()["forwarded_at"]
    assert forwarded.json()["decision_due"] <= repair["decision_due"]
    again = await appeals.forward(repair["repair_id"])
    assert again.status_code == 409 and again.json()["errors"][0]["reason"] == "already_forwarded"
    assert (
        await appeals.decide(path, appeals.as_department("market"), **granted)
    ).status_code == 404
    assert (await appeals.decide(path, appeals.as_office(), **granted)).status_code == 403
    assert (await appeals.decide(path, subject, **granted)).status_code == 403
    r = await appeals.decide(path, appeals.as_department("tax"), **granted)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved" and r.json()["decision"]["decided_by"] == "tax"
    done = r.json()
    assert [a["action"] for a in done["history"]] == ["applied", "forwarded", "decided", "pushed"]
    assert done["stage"] == "done" and done["pushed_at"] == done["decision"]["decided_at"]
    assert done["push_due"] is not None
    assert (await appeals.decide(path, appeals.as_department("tax"), **granted)).status_code == 409
    [(_, key, decided)] = await appeals.emitted(DECIDED)
    assert decided["approved"] is True and key == ENTERPRISE
    notices = {e["about"]: (topic, e) for topic, _, e in await appeals.emitted(NOTIFIED)}
    assert set(notices) == {"repair_guidance", "repair"}, "the guidance went with the entry"
    topic, notice = notices["repair"]
    assert topic == topics.SUBJECT_NOTIFICATIONS and notice["case_id"] == repair["repair_id"]
    notes = await appeals.client.get("/v1/notifications", headers=subject)
    assert {(n["about"], n["case_id"]) for n in notes.json()} == {
        ("repair", repair["repair_id"]),
        ("repair_guidance", "entry-1"),
    }

    mine = await appeals.client.get("/v1/repairs", headers=subject)
    assert [x["repair_id"] for x in mine.json()] == [repair["repair_id"]]
    theirs = await appeals.client.get("/v1/repairs", headers=appeals.as_subject(OTHER_ENTERPRISE))
    assert theirs.json() == []
    tax = await appeals.client.get(
        "/v1/repairs?state=approved", headers=appeals.as_department("tax")
    )
    assert len(tax.json()) == 1
    market = await appeals.client.get("/v1/repairs", headers=appeals.as_department("market"))
    assert market.json() == []
    hidden = await appeals.client.get(
        f"/v1/repairs/{repair['repair_id']}", headers=appeals.as_subject(OTHER_ENTERPRISE)
    )
    assert hidden.status_code == 404


async def test_a_refusal_needs_reasons(appeals: AppealsUnderTest) -> None:
    await listed_long_ago(appeals)
    repair_id = (await apply(appeals, appeals.as_subject(ENTERPRISE))).json()["repair_id"]
    assert (await appeals.forward(repair_id)).status_code == 200
    path = f"/v1/repairs/{repair_id}/decision"
    tax = appeals.as_department("tax")
    bare = await appeals.decide(path, tax, approved=False, reasons="  ")
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"] == "body.reasons"
    refused = await appeals.decide(path, tax, approved=False, reasons="滞纳金尚未缴清")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    [(_, _, event)] = await appeals.emitted(DECIDED)
    assert event["approved"] is False and event["reasons"] == "滞纳金尚未缴清"
    again = await apply(appeals, appeals.as_subject(ENTERPRISE))
    assert again.status_code == 201, "after a refusal the subject may apply again"


async def test_repair_is_refused_before_the_minimum_disclosure_period(
    appeals: AppealsUnderTest,
) -> None:
    entry = entry_in_force()
    await appeals.list_entry(entry)
    r = await apply(appeals, appeals.as_subject(ENTERPRISE))
    assert r.status_code == 409, r.text
    [problem] = r.json()["errors"]
    assert problem["reason"] == "too_early"
    assert problem["earliest"] == str(add_months(entry.period.start, 12))
    assert await appeals.emitted(APPLIED) == []


async def test_what_the_rules_do_not_allow(appeals: AppealsUnderTest) -> None:
    await listed_long_ago(appeals)
    await listed_long_ago(
        appeals, "market-1", list_type=MARKET_LIST, initiating_department="market"
    )
    await listed_long_ago(
        appeals, "procurement-1", list_type=PROCUREMENT_LIST, initiating_department="finance"
    )
    await listed_long_ago(
        appeals, "red-1", list_type=RED_TAX_LIST, colour=ListColour.RED, linked_persons=[]
    )
    await appeals.list_entry(court_entry())
    subject = appeals.as_subject(ENTERPRISE)

    department = await apply(appeals, appeals.as_department("tax"))
    assert department.status_code == 403
    stranger = await apply(appeals, appeals.as_subject(OTHER_ENTERPRISE))
    assert stranger.status_code == 404

    for entry_id, reason in (
        ("procurement-1", "not_repairable"),
        ("red-1", "not_a_black_list"),
    ):
        r = await apply(appeals, subject, entry_id=entry_id)
        assert r.status_code == 409, r.text
        assert r.json()["errors"][0]["reason"] == reason
    court = await apply(appeals, appeals.as_subject(PERSON), entry_id="court-1")
    assert court.status_code == 409 and court.json()["errors"][0]["reason"] == "not_repairable"

    missing = await apply(appeals, subject, evidence=[{"kind": "信用承诺书", "reference": "x"}])
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["missing"] == ["补缴税款、滞纳金和罚款的完税凭证"]

    company = await apply(appeals, subject, route="public_interest_service")
    assert company.status_code == 422
    assert company.json()["errors"][0]["reason"] == "individuals_only"
    no_route = await apply(
        appeals,
        subject,
        entry_id="market-1",
        route="public_interest_service",
        evidence=[
            {"kind": kind, "reference": "x"}
            for kind in (
                "已履行行政处罚决定的证明材料",
                "已改正违法失信行为的证明材料",
                "信用承诺书",
            )
        ],
    )
    assert no_route.status_code == 422
    assert no_route.json()["errors"][0]["reason"] == "route_not_allowed"

    person = await apply(
        appeals, appeals.as_subject(LEGAL_REPRESENTATIVE), route="public_interest_service"
    )
    assert person.status_code == 201, person.text
    assert person.json()["route"] == "public_interest_service"
    # The enterprise sees the linked person's application masked; the provider in clear.
    seen = await appeals.client.get(f"/v1/repairs/{person.json()['repair_id']}", headers=subject)
    assert seen.json()["applicant"] == "110105********002X"
    tax = await appeals.client.get(
        f"/v1/repairs/{person.json()['repair_id']}", headers=appeals.as_department("tax")
    )
    assert tax.json()["applicant"] == LEGAL_REPRESENTATIVE


async def test_the_officer_who_decided_a_repair_is_recorded(appeals: AppealsUnderTest) -> None:
    """Issue 16 (docs/security.md, "Officers"): the decision, its history line and the event
    name the officer besides the department."""
    await listed_long_ago(appeals)
    repair = (await apply(appeals, appeals.as_subject(ENTERPRISE))).json()
    await appeals.forward(repair["repair_id"])
    token, _ = appeals.keys.issuer.issue(
        "tax", frozenset({"initiator", "reviewer"}), officer="officer-0a1b2c3d4e5f"
    )
    r = await appeals.decide(
        f"/v1/repairs/{repair['repair_id']}/decision",
        {"Authorization": f"Bearer {token}"},
        approved=True,
        reasons="已补缴税款并作出信用承诺",
    )
    assert r.status_code == 200, r.text
    decision = r.json()["decision"]
    assert decision["decided_by"] == "tax"
    assert decision["decided_by_officer"] == "officer-0a1b2c3d4e5f"
    decided = [a for a in r.json()["history"] if a["action"] == "decided"]
    assert decided[0]["detail"]["officer"] == "officer-0a1b2c3d4e5f"
    [(_, _, event)] = await appeals.emitted(DECIDED)
    assert event["officer"] == "officer-0a1b2c3d4e5f"
