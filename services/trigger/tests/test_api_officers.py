"""Every decision in trigger records the officer who made it besides the department (issue 16;
docs/security.md, "Officers"; DOMAIN.md §5 谁主管、谁负责), on the real database: the list
entry's submission (`initiated_by_officer`), recognition votes, the experts' votes the office
records, the office's decision on an escalated case, the publication and withdrawal of a
double-publicity decision (and their events), typical cases' nomination, withdrawal and
selection. A department system's own token records none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR
from jrp_shared.clock import CHINA
from jrp_trigger.testing import (
    OTHER_ENTERPRISE,
    TriggerUnderTest,
    list_type,
    publicity_licence,
    publicity_penalty,
    tax_entry,
)

pytestmark = pytest.mark.integration

CONVENED = ["trading", "finance", "construction"]
TRADING = list_type(
    "black.trading.serious-dishonesty",
    initiating_departments=CONVENED,
    recognition_meeting_required=True,
)
EXPERTS = [
    {"id": f"expert-{i:02}", "name": f"专家{i}", "department": "university"} for i in range(6)
]
OFFICE_OFFICER = "officer-0ff1ce000001"
PUBLISHED = "cn.jrp.trigger.publicity-decision.published.v1"
WITHDRAWN = "cn.jrp.trigger.publicity-decision.withdrawn.v1"


def officer(trigger: TriggerUnderTest, department: str, *roles: str) -> tuple[str, dict[str, str]]:
    """An officer of `department` (its id, its token's headers)."""
    officer_id = f"officer-{department[:6]:0<6}abcdef"
    return officer_id, trigger.keys.officer_headers(department, officer_id, *roles)


def office_officer(trigger: TriggerUnderTest) -> dict[str, str]:
    return trigger.keys.officer_headers("credit-office", OFFICE_OFFICER, ROLE_ADMINISTRATOR)


def at(trigger: TriggerUnderTest, moment: datetime) -> None:
    frozen: Callable[[], datetime] = lambda: moment.astimezone(UTC)  # noqa: E731
    trigger.trigger.clock = frozen


async def test_the_officer_who_posted_an_entry_is_its_initiator(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    officer_id, headers = officer(trigger, "tax", ROLE_INITIATOR)
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(trigger.trigger.today()), headers=headers
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["initiating_department"] == "tax"
    assert posted.json()["initiated_by_officer"] == officer_id
    assert posted.json()["versions"][0]["recorded_by_officer"] == officer_id
    read = await trigger.client.get(
        f"/v1/list-entries/{posted.json()['entry_id']}", headers=trigger.as_department("tax")
    )
    assert read.json()["initiated_by_officer"] == officer_id
    [sent] = await trigger.outbox("cn.jrp.trigger.list-entry.in-force.v1")
    assert sent["initiating_department"] == "tax" and sent["recorded_by_officer"] == officer_id

    by_system = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(trigger.trigger.today(), record_id="闽税稽罚-2026-0099"),
        headers=trigger.as_department("tax"),
    )
    assert by_system.status_code == 201, by_system.text
    assert by_system.json()["initiated_by_officer"] is None


async def test_recognition_records_the_officers_who_voted_recorded_and_decided(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(TRADING)
    pool = await trigger.client.put(
        "/v1/expert-pools/trading",
        json={"experts": EXPERTS, "departments": ["trading", "finance"]},
        headers=trigger.as_office(),
    )
    assert pool.status_code == 200, pool.text
    posted = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(
            trigger.trigger.today(),
            record_id="GGZY-OFFICER",
            list_type=TRADING.code,
            subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "围标企业"},
        ),
        headers=trigger.as_department("trading"),
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]
    url = f"/v1/list-entries/{entry_id}/recognition"
    experts = (
        await trigger.client.post(
            f"{url}/expert-draw", json={"count": 3}, headers=trigger.as_department("finance")
        )
    ).json()["experts"]

    voters: dict[str, str | None] = {}
    for department in CONVENED:
        if department == "construction":  # its system's own token: no officer
            headers, voters[department] = trigger.as_department(department), None
        else:
            voters[department], headers = officer(trigger, department, ROLE_INITIATOR)
        r = await trigger.client.post(
            f"{url}/votes", json={"vote": "approve", "comment": "同意"}, headers=headers
        )
        assert r.status_code == 200, r.text
    for expert in experts:
        r = await trigger.client.post(
            f"{url}/expert-votes",
            json={"expert_id": expert, "vote": "approve"},
            headers=office_officer(trigger),
        )
        assert r.status_code == 200, r.text
    decided = await trigger.client.post(
        f"{url}/escalation/decision",
        json={"decision": "approve", "reason": "联席会议办公室认定"},
        headers=office_officer(trigger),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "in_force"

    read = await trigger.client.get(
        f"/v1/list-entries/{entry_id}", headers=trigger.as_department("trading")
    )
    recognition = read.json()["recognition"]
    assert {v["department"]: v["voted_by_officer"] for v in recognition["votes"]} == voters
    assert {v["recorded_by_officer"] for v in recognition["expert_votes"]} == {OFFICE_OFFICER}
    assert {v["recorded_by"] for v in recognition["expert_votes"]} == {"credit-office"}
    escalation = recognition["escalation"]
    assert escalation["decided_by"] == "credit-office"
    assert escalation["decided_by_officer"] == OFFICE_OFFICER


async def test_publicity_records_who_published_and_who_withdrew(
    trigger: TriggerUnderTest,
) -> None:
    day = date(2026, 3, 10)
    at(trigger, datetime(2026, 3, 10, 4, tzinfo=UTC))
    publisher, market = officer(trigger, "market", ROLE_INITIATOR)
    held = await trigger.client.post(
        "/v1/publicity/decisions",
        json=publicity_licence(day, publish=False),
        headers=trigger.as_department("market"),
    )
    assert held.status_code == 201, held.text
    assert held.json()["published_by_officer"] is None
    decision_id = held.json()["decision_id"]
    published = await trigger.client.post(
        f"/v1/publicity/decisions/{decision_id}/publication", headers=market
    )
    assert published.status_code == 200, published.text
    assert published.json()["published_by_officer"] == publisher
    [event] = await trigger.outbox(PUBLISHED)
    assert event["department"] == "market" and event["officer"] == publisher

    # Posted by an officer and published at once; withdrawn by another officer.
    penalty = await trigger.client.post(
        "/v1/publicity/decisions", json=publicity_penalty(day), headers=market
    )
    assert penalty.status_code == 201, penalty.text
    assert penalty.json()["published_by_officer"] == publisher
    withdrawer = "officer-5ec0dd000002"
    withdrawn = await trigger.client.post(
        f"/v1/publicity/decisions/{penalty.json()['decision_id']}/withdrawal",
        json={"reason": "revoked", "note": "行政复议撤销"},
        headers=trigger.keys.officer_headers("market", withdrawer, ROLE_INITIATOR),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawal"]["withdrawn_by"] == "market"
    assert withdrawn.json()["withdrawal"]["withdrawn_by_officer"] == withdrawer
    read = await trigger.client.get(
        f"/v1/publicity/decisions/{penalty.json()['decision_id']}", headers=trigger.as_office()
    )
    assert read.json()["published_by_officer"] == publisher
    assert read.json()["withdrawal"]["withdrawn_by_officer"] == withdrawer
    [gone] = await trigger.outbox(WITHDRAWN)
    assert gone["withdrawn_by"] == "market" and gone["officer"] == withdrawer


async def test_typical_cases_record_who_nominated_withdrew_and_selected(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    at(trigger, datetime(2026, 11, 10, 10, tzinfo=CHINA))
    month = "/v1/reports/monthly/2026-10/typical-cases"
    nominator, tax = officer(trigger, "tax", ROLE_IMPLEMENTER)
    cases = []
    for kind in ("trustworthiness", "dishonesty"):
        r = await trigger.client.post(
            month, json={"kind": kind, "title": f"tax {kind}", "summary": "案例摘要"}, headers=tax
        )
        assert r.status_code == 201, r.text
        assert r.json()["nominated_by_officer"] == nominator
        cases.append(r.json()["case_id"])
    kept, dropped = cases
    withdrawn = await trigger.client.post(f"{month}/{dropped}/withdrawal", headers=tax)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn_by_officer"] == nominator
    selected = await trigger.client.post(
        f"{month}/{kept}/selection", headers=office_officer(trigger)
    )
    assert selected.status_code == 200, selected.text
    assert selected.json()["selected_by"] == "credit-office"
    assert selected.json()["selected_by_officer"] == OFFICE_OFFICER
    listed = await trigger.client.get(
        month, params={"withdrawn": "true"}, headers=trigger.as_office()
    )
    by_id = {c["case_id"]: c for c in listed.json()}
    assert by_id[kept]["nominated_by_officer"] == nominator
    assert by_id[kept]["selected_by_officer"] == OFFICE_OFFICER
    assert by_id[dropped]["withdrawn_by_officer"] == nominator
