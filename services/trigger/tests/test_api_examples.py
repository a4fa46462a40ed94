"""The OpenAPI examples are true to the service (issue 17): each request example, sent in the
story it tells (entrypoints/http/examples.py), is accepted, and the answer has the fields of the
answer's example, nested ones included. tests/test_openapi_examples.py checks them against the
schemas; this checks them against what the trigger does, on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from jrp_shared.auth import ROLE_EXCHANGE, ROLE_IMPLEMENTER, ROLE_INITIATOR
from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import DeletionRules
from jrp_shared.experts import draw_experts
from jrp_shared.testing import same_fields
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.testing import TriggerUnderTest, court_list_type, list_type

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 10, tzinfo=CHINA)
"""The examples' day: after the deletion ground arose, the day the court deleted."""

TAX = list_type(prior_notice={"required": True, "response_window_working_days": 5})
COURT = court_list_type(
    deletion=DeletionRules(deadline_working_days=3, grounds=["obligations_performed"])
)
TRADING = list_type(
    examples.TRADING_LIST,
    initiating_departments=["trading", "finance", "construction"],
    recognition_meeting_required=True,
)


async def send(
    trigger: TriggerUnderTest,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str],
    shown: Any = None,
    status: int = 200,
) -> Any:
    r = await trigger.client.request(method, url, json=body, headers=headers)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    answer = r.json()
    if shown is not None:
        assert not same_fields(shown, answer), same_fields(shown, answer)
    return answer


@pytest.fixture
def story(trigger: TriggerUnderTest) -> TriggerUnderTest:
    frozen: Callable[[], datetime] = lambda: NOW.astimezone(UTC)  # noqa: E731
    trigger.trigger.clock = frozen
    return trigger


async def test_the_list_entry_examples_are_accepted_and_answered_as_shown(
    story: TriggerUnderTest,
) -> None:
    await story.seed(TAX, COURT)
    tax, court = story.as_department("tax"), story.as_department("court")
    url = "/v1/list-entries"
    for name, department in (("tax", tax), ("court", court)):
        body = examples.SUBMISSIONS[name]["value"]
        answer = await send(story, "POST", url, body, department, examples.ENTRY, 201)
        assert answer["status"] == "in_force"
    [summary] = await send(story, "GET", url, None, tax, [examples.ENTRY_SUMMARY])
    entry = f"{url}/{summary['entry_id']}"
    corrected = await send(story, "POST", f"{entry}/corrections", examples.CORRECTION, tax)
    assert corrected["version"] == 2 and corrected["grounds"] == examples.CORRECTION["grounds"]
    revoked = await send(story, "POST", f"{entry}/revocation", examples.REVOCATIONS[0], tax)
    assert revoked["status"] == "revoked"

    [listed] = await send(story, "GET", url, None, court)
    debtor = f"{url}/{listed['entry_id']}"
    await send(story, "POST", f"{debtor}/deletion-ground", examples.DELETION_GROUND, court)
    await send(story, "POST", f"{debtor}/revocation", examples.REVOCATIONS[1], court)
    deletions = await send(story, "GET", f"{url}/deletions", None, court, [examples.DELETION])
    assert [(d["state"], d["due"], d["deleted_on"]) for d in deletions] == [
        (examples.DELETION["state"], examples.DELETION["due"], examples.DELETION["deleted_on"])
    ]


async def test_the_recognition_examples_make_the_meeting_shown(story: TriggerUnderTest) -> None:
    await story.seed(TRADING)
    office = story.as_office()
    pool = "/v1/expert-pools/trading"
    await send(story, "PUT", pool, examples.EXPERT_POOL_PUT, office, examples.EXPERT_POOL)
    await send(story, "GET", f"{pool}/versions/1", None, office, examples.EXPERT_POOL)
    content = {
        k: v
        for k, v in examples.RECOGNISED_ENTRY.items()
        if k in examples.TAX_SUBMISSION and v is not None
    }
    posted = await send(
        story, "POST", "/v1/list-entries", content, story.as_department("trading"), status=201
    )
    assert posted["status"] == "awaiting_recognition"
    meeting = f"/v1/list-entries/{posted['entry_id']}/recognition"
    finance = story.as_department("finance")
    draw = examples.EXPERT_DRAW_REQUESTS[0]
    drawn = await send(story, "POST", f"{meeting}/expert-draw", draw, finance, examples.EXPERT_DRAW)
    assert drawn["excluded"] == examples.EXPERT_DRAW["excluded"]  # trading's own expert
    shown = examples.EXPERT_DRAW  # redone from its record, as anyone checks a draw
    assert draw_experts(shown["candidates"], shown["count"], shown["seed"]) == shown["experts"]
    await send(story, "GET", f"{meeting}/expert-draw", None, finance, [examples.EXPERT_DRAW])
    for department in ("trading", "finance", "construction"):
        headers = story.as_department(department)
        await send(story, "POST", f"{meeting}/votes", examples.VOTE, headers, examples.ENTRY)
    for expert in drawn["experts"]:
        vote = {**examples.EXPERT_VOTE, "expert_id": expert}
        await send(story, "POST", f"{meeting}/expert-votes", vote, office)
    decided = await send(
        story,
        "POST",
        f"{meeting}/escalation/decision",
        examples.ESCALATION_DECISION,
        office,
        examples.RECOGNISED_ENTRY,
    )
    assert decided["status"] == "in_force"
    meeting_shown = examples.RECOGNISED_ENTRY["recognition"]
    assert decided["recognition"]["rule"] == meeting_shown["rule"]
    assert decided["recognition"]["escalation"]["outside_departments"] == ["construction"]


async def test_the_feed_examples_open_feeds(story: TriggerUnderTest) -> None:
    await story.seed(TAX, COURT)
    for body, department in zip(examples.FEED_CREATES, ("tax", "court"), strict=True):
        headers = story.as_department(department)
        feed = await send(story, "POST", "/v1/sync-feeds", body, headers, examples.FEED, 201)
        assert feed["mode"] == body["mode"] and feed["status"] == "open"


async def test_the_publicity_examples_are_accepted_and_answered_as_shown(
    story: TriggerUnderTest,
) -> None:
    market = story.as_department("market")
    url = "/v1/publicity/decisions"
    penalty = examples.DECISION_SUBMISSIONS["penalty"]["value"]
    published = await send(story, "POST", url, penalty, market, examples.DECISION, 201)
    assert published["state"] == "published"
    licence = examples.DECISION_SUBMISSIONS["licence"]["value"]
    recorded = await send(story, "POST", url, licence, market, examples.DECISION, 201)
    assert recorded["state"] == "pending"
    decision = f"{url}/{recorded['decision_id']}"
    await send(story, "POST", f"{decision}/publication", None, market, examples.DECISION)
    withdrawn = await send(
        story,
        "POST",
        f"{decision}/withdrawal",
        examples.WITHDRAWALS[0],
        market,
        examples.WITHDRAWN_DECISION,
    )
    assert withdrawn["state"] == "withdrawn"
    bulk = await send(
        story,
        "POST",
        f"{url}/bulk",
        examples.DECISIONS_BULK,
        market,
        examples.DECISIONS_BULK_ANSWER,
    )
    shown = examples.DECISIONS_BULK_ANSWER
    assert [r["status"] for r in bulk["results"]] == [r["status"] for r in shown["results"]]
    assert bulk["summary"] == shown["summary"]


async def test_the_supervision_and_exchange_examples_are_accepted(
    story: TriggerUnderTest,
) -> None:
    await story.seed(TAX)
    tax = story.as_department("tax")
    body = examples.SUBMISSIONS["tax"]["value"]
    entry = await send(story, "POST", "/v1/list-entries", body, tax, status=201)

    nominating = story.as_department("tax", ROLE_INITIATOR, ROLE_IMPLEMENTER)
    case = {**examples.TYPICAL_CASE_CREATE, "entry_id": entry["entry_id"]}
    cases = "/v1/reports/monthly/2026-11/typical-cases"
    await send(story, "POST", cases, case, nominating, examples.TYPICAL_CASE, 201)
    report = "/v1/reports/monthly/2026-11"
    await send(story, "GET", report, None, story.as_office(), examples.REPORT)

    [record] = await send(
        story, "GET", "/v1/exchange/records", None, story.as_office(), [examples.EXCHANGE_RECORD]
    )
    partner = story.keys.headers("fj-platform", ROLE_EXCHANGE)
    for name in ("refused", "accepted"):
        acknowledgement = {
            **examples.EXCHANGE_ACKNOWLEDGEMENTS[name]["value"],
            "record_id": record["record_id"],
            "entry_id": entry["entry_id"],
        }
        answer = await send(
            story,
            "POST",
            "/v1/exchange/acknowledgements",
            acknowledgement,
            partner,
            examples.EXCHANGE_ACKNOWLEDGED,
        )
        assert answer["record"]["accepted"] is acknowledgement["accepted"]
