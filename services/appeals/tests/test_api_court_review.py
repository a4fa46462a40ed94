"""The court list's own review of objections over the API, on the real database
(法释〔2017〕7号 第十二条; DOMAIN.md §11; docs/due-process.md "The court list's own review"):
15 calendar days to review with nothing suspended, 3 working days to correct once upheld, an
appeal to the higher court within 10 days decided within 15 by that court alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jrp_appeals.domain import review
from jrp_appeals.testing import (
    COURT_LIST,
    PERSON,
    AppealsUnderTest,
    court_entry,
    entry_in_force,
)
from jrp_shared.calendar import WorkingDayCalendar, statutory_holidays
from jrp_shared.clock import CHINA, china_date
from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    CalendarScheduleLoaded,
    ListEntryRevoked,
    ListTypePublished,
    ObjectionReview,
)
from jrp_shared.testing import eventually

COURT_REVIEW = ObjectionReview(
    review_days=15,
    correction_working_days=3,
    appeal_window_days=10,
    appeal_decision_days=15,
    appeal_department="high-court",
)
FILED = "cn.jrp.appeals.objection.filed.v1"
APPEAL_FILED = "cn.jrp.appeals.objection-appeal.filed.v1"
APPEAL_DECIDED = "cn.jrp.appeals.objection-appeal.decided.v1"


@pytest.fixture
async def court(appeals: AppealsUnderTest, list_types: list[ListTypePublished]) -> AppealsUnderTest:
    """Version 2 of the court's list carries its own review, as the registry publishes it."""
    [seed] = [t for t in list_types if t.code == COURT_LIST]
    assert seed.suspend_during_objection is False
    await appeals.seed_catalog(
        [seed.model_copy(update={"version": 2, "objection_review": COURT_REVIEW})]
    )
    return appeals


async def _court_entry(appeals: AppealsUnderTest, entry_id: str = "court-1") -> None:
    await appeals.list_entry(
        court_entry(entry_id=entry_id, record_id=f"rec-{entry_id}", list_type_version=2)
    )


async def _object(appeals: AppealsUnderTest, entry_id: str = "court-1") -> dict[str, Any]:
    r = await appeals.object_to(entry_id, appeals.as_subject(PERSON), grounds="已全部履行")
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _decide(appeals: AppealsUnderTest, objection_id: str, **body: Any) -> dict[str, Any]:
    r = await appeals.decide(
        f"/v1/objections/{objection_id}/decision", appeals.as_department("court"), **body
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def _get(appeals: AppealsUnderTest, objection_id: str) -> dict[str, Any]:
    r = await appeals.client.get(
        f"/v1/objections/{objection_id}", headers=appeals.as_department("court")
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def _appeal(appeals: AppealsUnderTest, objection_id: str) -> Any:
    return await appeals.client.post(
        f"/v1/objections/{objection_id}/appeal",
        json={"grounds": "不服驳回决定", "evidence_references": ["还款凭证"]},
        headers=appeals.as_subject(PERSON),
    )


def _today() -> Any:
    return china_date(datetime.now(UTC))


async def test_a_court_list_objection_is_due_in_15_days_and_suspends_nothing(
    court: AppealsUnderTest,
) -> None:
    await _court_entry(court)
    body = await _object(court)
    today = _today()
    assert body["decision_due"] == str(today + timedelta(days=15))
    assert body["suspends"] is False and body["due_provisional"] is False
    rules = body["review"]["rules"]
    assert (rules["review_days"], rules["appeal_department"]) == (15, "high-court")
    due = body["review"]["review_due"]
    assert due["due"] == body["decision_due"] and due["met"] is False and due["overdue"] is False
    [(topic, key, event)] = await court.emitted(FILED)
    assert topic == topics.APPEALS and key == PERSON
    assert event["suspends"] is False and event["decision_due"] == body["decision_due"]
    # The listing stays in force: nothing asked trigger to suspend, the copy is unchanged.
    assert (await court.entry("court-1") or {})["status"] == "in_force"
    # On the 15th day it is still in time; on the 16th it is overdue.
    court.shift_time(timedelta(days=15))
    assert (await _get(court, body["objection_id"]))["overdue"] is False
    court.shift_time(timedelta(days=16))
    late = await _get(court, body["objection_id"])
    assert late["overdue"] is True and late["review"]["review_due"]["overdue"] is True


async def test_the_provincial_rule_keeps_20_working_days_and_no_review(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry(entry_in_force())
    r = await appeals.object_to("entry-1", appeals.as_subject("91350100M000100Y43"))
    assert r.status_code == 201, r.text
    due = WorkingDayCalendar().add_working_days(_today(), 20).due
    assert r.json()["decision_due"] == str(due) and r.json()["review"] is None


async def test_upheld_tracks_the_correction_and_reports_it_overdue_until_trigger_revokes(
    court: AppealsUnderTest,
) -> None:
    await _court_entry(court)
    objection_id = (await _object(court))["objection_id"]
    decided = await _decide(
        court, objection_id, outcome="information_wrong", reasons="已履行完毕", remedy="revoke"
    )
    correction_due = review.correction_due(COURT_REVIEW, WorkingDayCalendar(), _today())
    shown = decided["review"]["correction_due"]
    assert shown["due"] == str(correction_due.due) and shown["done_at"] is None
    assert decided["review"]["review_due"]["met"] is True
    assert decided["review"]["appeal_window"] is None and decided["overdue"] is False
    # Trigger has not reported the revocation: the day after the due date it is overdue, and
    # the overdue listing names it.
    late_by = (correction_due.due - _today()).days + 1
    court.shift_time(timedelta(days=late_by))
    late = await _get(court, objection_id)
    assert late["overdue"] is True and late["review"]["correction_due"]["overdue"] is True
    overdue = await court.client.get(
        "/v1/objections?overdue=true", headers=court.as_department("court")
    )
    assert [o["objection_id"] for o in overdue.json()] == [objection_id]
    # Trigger reports the entry revoked on list-entries.v1: the duty is met (late).
    await court.publish(
        ListEntryRevoked(
            entry_id="court-1",
            version=1,
            subject_code=PERSON,
            reason="异议成立",
            revoked_by="court",
            revoked_at=datetime.now(UTC),
        )
    )
    await court.entry_reaches("court-1", status="revoked")

    async def met() -> bool:
        return (await _get(court, objection_id))["review"]["correction_due"]["done_at"] is not None

    await eventually(met, within=20)
    after = await _get(court, objection_id)
    assert after["overdue"] is False and after["review"]["correction_due"]["met"] is False
    assert "correction_met" in [a["action"] for a in after["history"]]
    overdue = await court.client.get(
        "/v1/objections?overdue=true", headers=court.as_department("court")
    )
    assert overdue.json() == []


async def test_dismissed_may_be_appealed_on_the_window_s_last_day_not_after(
    court: AppealsUnderTest,
) -> None:
    await _court_entry(court, "court-1")
    await _court_entry(court, "court-2")
    first = (await _object(court, "court-1"))["objection_id"]
    second = (await _object(court, "court-2"))["objection_id"]
    for objection_id in (first, second):
        decided = await _decide(court, objection_id, outcome="information_right", reasons="无误")
        window = decided["review"]["appeal_window"]
        assert window["ends_on"] == str(_today() + timedelta(days=10))
        assert window["closed"] is False and decided["review"]["correction_due"] is None
    court.shift_time(timedelta(days=10))
    accepted = await _appeal(court, first)
    assert accepted.status_code == 201, accepted.text
    appeal = accepted.json()["review"]["appeal"]
    assert appeal["department"] == "high-court" and appeal["state"] == "open"
    filed_on = china_date(datetime.now(UTC) + timedelta(days=10))
    assert appeal["decision_due"]["due"] == str(filed_on + timedelta(days=15))
    assert accepted.json()["review"]["appeal_window"]["appealed_at"] is not None
    [(topic, key, event)] = await court.emitted(APPEAL_FILED)
    assert topic == topics.APPEALS and key == PERSON
    assert event["objection_id"] == first and event["appeal_department"] == "high-court"
    # The listing stays in force while the appeal is open.
    assert (await court.entry("court-1") or {})["status"] == "in_force"
    again = await _appeal(court, first)
    assert again.status_code == 409 and again.json()["errors"][0]["reason"] == "appeal_exists"
    court.shift_time(timedelta(days=11))
    refused = await _appeal(court, second)
    assert refused.status_code == 409, refused.text
    [problem] = refused.json()["errors"]
    assert problem["reason"] == "appeal_window_closed"
    assert problem["closes_on"] == str(_today() + timedelta(days=10))


async def test_only_a_dismissed_review_objection_is_appealed(court: AppealsUnderTest) -> None:
    await _court_entry(court)
    objection_id = (await _object(court))["objection_id"]
    early = await _appeal(court, objection_id)
    assert early.status_code == 409 and early.json()["errors"][0]["reason"] == "not_decided"
    await _decide(court, objection_id, outcome="information_wrong", reasons="有误", remedy="revoke")
    upheld = await _appeal(court, objection_id)
    assert upheld.status_code == 409 and upheld.json()["errors"][0]["reason"] == "not_dismissed"
    # A list type without its own review: the way up is the complaint, not an appeal.
    await court.list_entry(entry_in_force())
    tax = await court.object_to("entry-1", court.as_subject("91350100M000100Y43"))
    tax_id = tax.json()["objection_id"]
    await court.decide(
        f"/v1/objections/{tax_id}/decision",
        court.as_department("tax"),
        outcome="information_right",
        reasons="无误",
    )
    r = await court.client.post(
        f"/v1/objections/{tax_id}/appeal",
        json={"grounds": "不服"},
        headers=court.as_subject("91350100M000100Y43"),
    )
    assert r.status_code == 409 and r.json()["errors"][0]["reason"] == "no_objection_review"
    # Another department may not appeal for the subject.
    other = await court.client.post(
        f"/v1/objections/{objection_id}/appeal",
        json={"grounds": "不服"},
        headers=court.as_department("court"),
    )
    assert other.status_code == 403


async def test_only_the_higher_court_decides_the_appeal_and_upheld_owes_a_correction(
    court: AppealsUnderTest,
) -> None:
    await _court_entry(court)
    objection_id = (await _object(court))["objection_id"]
    await _decide(court, objection_id, outcome="information_right", reasons="无误")
    assert (await _appeal(court, objection_id)).status_code == 201
    path = f"/v1/objections/{objection_id}/appeal-decision"
    body = {"outcome": "upheld", "reasons": "执行依据已撤销", "remedy": "revoke"}
    for headers in (
        court.as_department("court"),
        court.as_subject(PERSON),
        court.as_office(),
    ):
        r = await court.client.post(path, json=body, headers=headers)
        assert r.status_code == 403, r.text
    stranger = await court.client.post(path, json=body, headers=court.as_department("tax"))
    assert stranger.status_code == 404
    missing = await court.client.post(
        path,
        json={"outcome": "upheld", "reasons": "有误"},
        headers=court.as_department("high-court"),
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["reason"] == "missing"
    # The higher court sees what was appealed to it, and decides.
    listed = await court.client.get("/v1/objections", headers=court.as_department("high-court"))
    assert [o["objection_id"] for o in listed.json()] == [objection_id]
    judge = court.keys.officer_headers("high-court", "officer-h19c0c000001", "initiator")
    r = await court.client.post(path, json=body, headers=judge)
    assert r.status_code == 200, r.text
    decided = r.json()["review"]
    assert decided["appeal"]["state"] == "decided"
    assert decided["appeal"]["decision"]["decided_by"] == "high-court"
    assert decided["appeal"]["decision"]["decided_by_officer"] == "officer-h19c0c000001"
    [line] = [h for h in r.json()["history"] if h["action"] == "appeal_decided"]
    assert line["actor"] == "high-court" and line["detail"]["officer"] == "officer-h19c0c000001"
    assert decided["appeal"]["decision"]["outcome"] == "upheld"
    assert decided["appeal"]["decision_due"]["met"] is True
    correction_due = review.correction_due(COURT_REVIEW, WorkingDayCalendar(), _today()).due
    assert decided["correction_due"]["due"] == str(correction_due)
    [(_, key, event)] = await court.emitted(APPEAL_DECIDED)
    assert key == PERSON and event["outcome"] == "upheld" and event["remedy"] == "revoke"
    assert event["correction_due"] == str(correction_due) and event["decided_by"] == "high-court"
    assert event["officer"] == "officer-h19c0c000001"
    twice = await court.client.post(path, json=body, headers=court.as_department("high-court"))
    assert twice.status_code == 409
    # The subject was told of the dismissal (with the way to appeal) and of the appeal's answer.
    notes = await court.client.get("/v1/notifications", headers=court.as_subject(PERSON))
    bodies = {n["about"]: n["body"] for n in notes.json()}
    window_end = str(_today() + timedelta(days=10))
    assert window_end in bodies["objection"] and "high-court" in bodies["objection"]
    assert bodies["appeal"].startswith("复议成立") and str(correction_due) in bodies["appeal"]
    # The court corrects the entry (trigger reports version 2): met in time.
    await court.list_entry(court_entry(record_id="rec-court-1", list_type_version=2, version=2))

    async def met() -> bool:
        return (await _get(court, objection_id))["review"]["correction_due"]["met"] is True

    await eventually(met, within=20)


async def test_a_provisional_correction_due_date_is_made_final_by_the_official_schedule(
    court: AppealsUnderTest,
) -> None:
    """Upheld on Wednesday 30 December 2026: the third working day falls in 2027, whose
    schedule is not out, so the due date is provisional until it is (DOMAIN.md §10)."""
    if court.appeals.copies.calendar.calendar.source_of(2027) != "provisional":
        pytest.fail("this test needs 2027 to have no schedule yet; pick a later year")
    await court.list_entry(
        court_entry(
            record_id="rec-court-1",
            list_type_version=2,
            period={"start": "2026-09-01", "end": "2028-08-01"},
        )
    )
    court.set_time(datetime(2026, 12, 30, 10, 0, tzinfo=CHINA))
    objection_id = (await _object(court))["objection_id"]
    decided = await _decide(
        court, objection_id, outcome="information_wrong", reasons="有误", remedy="revoke"
    )
    provisional = decided["review"]["correction_due"]
    assert provisional["provisional"] is True and provisional["due"].startswith("2027-")
    await court.publish(
        CalendarScheduleLoaded(
            year=2027,
            source="国办发明电〔2026〕测试",
            holidays=sorted(statutory_holidays(2027)),
            adjusted_workdays=[],
        ),
        source="/jrp/registry",
    )

    async def final() -> dict[str, Any] | None:
        body = await _get(court, objection_id)
        return body if body["review"]["correction_due"]["provisional"] is False else None

    body = await eventually(final)
    assert body is not None
    assert body["history"][-1]["action"] == "correction_due_recomputed"
    notes = await court.client.get("/v1/notifications", headers=court.as_subject(PERSON))
    assert "correction" in {n["about"] for n in notes.json()}
