"""The court list's own review of objections without I/O (法释〔2017〕7号 第十二条; DOMAIN.md §11):
calendar-day review and appeal deadlines, the correction's working days, the windows' edges and
the state machine of a reviewed objection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jrp_appeals.domain import cases, review
from jrp_appeals.domain.cases import Case, DecisionRequest
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.review import Appeal, AppealDecisionRequest, CorrectionDuty
from jrp_appeals.testing import COURT_LIST, PERSON
from jrp_shared.calendar import Deadline, WorkingDayCalendar
from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.events.payloads import CaseParty, ObjectionReview
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseKind,
    CaseState,
    ListColour,
    ListEntryStatus,
    ObjectionOutcome,
    PartyKind,
    Remedy,
    SubjectType,
)

COURT_REVIEW = ObjectionReview(
    review_days=15,
    correction_working_days=3,
    appeal_window_days=10,
    appeal_decision_days=15,
    appeal_department="high-court",
)
CALENDAR = WorkingDayCalendar()
NOON = datetime(2026, 9, 30, 4, tzinfo=UTC)  # 12:00 in China, Wednesday 30 September 2026


def _entry(version: int = 1) -> EntryCopy:
    return EntryCopy(
        entry_id="court-1",
        version=version,
        subject_code=PERSON,
        subject_type=SubjectType.NATURAL_PERSON,
        subject_name="李四",
        linked_person_codes=(),
        list_type=COURT_LIST,
        list_type_version=2,
        colour=ListColour.BLACK,
        initiating_department="court",
        period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31),
        status=ListEntryStatus.IN_FORCE,
        updated_at=NOON,
    )


def _case(rules: ObjectionReview | None = COURT_REVIEW) -> Case:
    filed_on = date(2026, 9, 30)
    return cases.open_case(
        case_id="o-1",
        kind=CaseKind.OBJECTION,
        entry=_entry(),
        filed_by=CaseParty(kind=PartyKind.SUBJECT, code=PERSON, agent="credit-office"),
        grounds="已履行",
        evidence_references=(),
        suspends=False,
        now=NOON,
        due=Deadline(review.review_due(rules, filed_on), provisional=False)
        if rules
        else Deadline(date(2026, 11, 3), provisional=False),
        working_days=15,
        review=rules,
    )


# --- deadlines ----------------------------------------------------------------------------------


def test_the_review_is_due_15_calendar_days_after_filing_not_20_working_days() -> None:
    """Across National Day 2026 (1-7 October off) calendar days run on: due 15 October, where
    the provincial 20 working days would run to 3 November."""
    assert review.review_due(COURT_REVIEW, date(2026, 9, 30)) == date(2026, 10, 15)
    provincial = CALENDAR.add_working_days(date(2026, 9, 30), 20).due
    assert provincial == date(2026, 11, 3)


def test_the_correction_is_due_3_working_days_after_the_decision_on_the_calendar() -> None:
    """Decided Wednesday 30 September 2026: 1-7 October off, Thursday 8, Friday 9 and the
    worked Saturday 10 October (调休) are the three working days."""
    due = review.correction_due(COURT_REVIEW, CALENDAR, date(2026, 9, 30))
    assert due.due == date(2026, 10, 10) and due.provisional is False
    # A Friday decision skips the weekend.
    assert review.correction_due(COURT_REVIEW, CALENDAR, date(2026, 11, 27)).due == date(
        2026, 12, 2
    )


def test_the_appeal_window_and_the_appeal_decision_run_in_calendar_days() -> None:
    assert review.appeal_window_end(COURT_REVIEW, date(2026, 9, 30)) == date(2026, 10, 10)
    assert review.appeal_decision_due(COURT_REVIEW, date(2026, 10, 10)) == date(2026, 10, 25)


def test_the_window_is_open_on_its_last_day_and_closed_the_day_after() -> None:
    review.require_within_appeal_window(date(2026, 10, 10), date(2026, 10, 10))
    with pytest.raises(Conflict) as closed:
        review.require_within_appeal_window(date(2026, 10, 10), date(2026, 10, 11))
    [problem] = closed.value.problems
    assert problem.reason == "appeal_window_closed"
    assert problem.context == {"closes_on": "2026-10-10"}


def test_a_correction_duty_is_met_by_a_newer_version_or_the_entry_s_end() -> None:
    duty = CorrectionDuty(date(2026, 10, 10), False, entry_version=2)
    assert not duty.met_by(2, ListEntryStatus.IN_FORCE)  # the same version is no correction
    assert not duty.met_by(1, ListEntryStatus.REVOKED)  # an older event
    assert duty.met_by(3, ListEntryStatus.IN_FORCE)
    assert duty.met_by(2, ListEntryStatus.REVOKED)
    assert not duty.overdue(date(2026, 10, 10)) and duty.overdue(date(2026, 10, 11))
    duty.met_at = NOON
    assert not duty.overdue(date(2027, 1, 1))


# --- the state machine --------------------------------------------------------------------------


def test_upheld_opens_a_correction_duty_overdue_until_trigger_reports_the_correction() -> None:
    case = _case()
    decided_at = NOON + timedelta(days=5)
    cases.decide(
        case,
        DecisionRequest(ObjectionOutcome.INFORMATION_WRONG, "已履行完毕", Remedy.REVOKE),
        _entry(),
        by="court",
        now=decided_at,
    )
    cases.after_review_decision(
        case,
        upheld=True,
        entry_version=1,
        calendar=CALENDAR,
        decided_on=date(2026, 10, 5),
        at=decided_at,
        by="court",
    )
    assert case.correction_duty is not None
    assert case.correction_duty.due == date(2026, 10, 10)
    assert case.appeal_window_ends is None
    assert not case.overdue(date(2026, 10, 10)) and case.overdue(date(2026, 10, 12))
    assert not cases.correction_met(case, 1, ListEntryStatus.IN_FORCE, decided_at, "appeals")
    assert cases.correction_met(case, 1, ListEntryStatus.REVOKED, decided_at, "appeals")
    assert not case.overdue(date(2026, 10, 12))
    assert [a.action for a in case.history] == [
        "filed",
        "decided",
        "correction_due",
        "correction_met",
    ]
    # Met once: a later event changes nothing.
    assert not cases.correction_met(case, 2, ListEntryStatus.IN_FORCE, decided_at, "appeals")


def test_dismissed_opens_the_appeal_window_and_nothing_is_owed() -> None:
    case = _case()
    cases.decide(
        case,
        DecisionRequest(ObjectionOutcome.INFORMATION_RIGHT, "信息无误"),
        _entry(),
        by="court",
        now=NOON,
    )
    cases.after_review_decision(
        case,
        upheld=False,
        entry_version=1,
        calendar=CALENDAR,
        decided_on=date(2026, 9, 30),
        at=NOON,
        by="court",
    )
    assert case.appeal_window_ends == date(2026, 10, 10) and case.correction_duty is None
    review.require_dismissed(case.state, ObjectionOutcome.INFORMATION_RIGHT, case.case_id)
    review.require_no_appeal(case.appeal, case.case_id)


def test_the_provincial_rule_has_no_correction_duty_nor_appeal() -> None:
    case = _case(rules=None)
    cases.after_review_decision(
        case,
        upheld=True,
        entry_version=1,
        calendar=CALENDAR,
        decided_on=date(2026, 9, 30),
        at=NOON,
        by="tax",
    )
    assert case.correction_duty is None and case.appeal_window_ends is None
    with pytest.raises(Conflict) as refused:
        review.require_review(case.review, case.list_type)
    assert refused.value.problems[0].reason == "no_objection_review"


def test_only_a_dismissed_decided_objection_is_appealed() -> None:
    with pytest.raises(Conflict) as open_:
        review.require_dismissed(CaseState.OPEN, None, "o-1")
    assert open_.value.problems[0].reason == "not_decided"
    with pytest.raises(Conflict) as upheld:
        review.require_dismissed(CaseState.DECIDED, ObjectionOutcome.INFORMATION_WRONG, "o-1")
    assert upheld.value.problems[0].reason == "not_dismissed"


def _appeal() -> Appeal:
    return Appeal(
        appeal_id="a-1",
        objection_id="o-1",
        department="high-court",
        filed_by=CaseParty(kind=PartyKind.SUBJECT, code=PERSON),
        grounds="不服",
        evidence_references=(),
        filed_at=NOON,
        decision_due=date(2026, 10, 15),
    )


def test_an_appeal_is_decided_once_by_the_higher_court_with_a_remedy_when_upheld() -> None:
    review.require_appeal_decider("high-court", "high-court", is_subject=False)
    for department, is_subject in (("court", False), ("high-court", True), ("tax", False)):
        with pytest.raises(Forbidden):
            review.require_appeal_decider(department, "high-court", is_subject=is_subject)
    appeal = _appeal()
    assert not appeal.overdue(date(2026, 10, 15)) and appeal.overdue(date(2026, 10, 16))
    with pytest.raises(InvalidInput) as missing:
        review.decide_appeal(
            appeal, AppealDecisionRequest(AppealOutcome.UPHELD, "有误"), _entry(), by="h", now=NOON
        )
    assert missing.value.problems[0].reason == "missing"
    with pytest.raises(InvalidInput):
        review.decide_appeal(
            appeal,
            AppealDecisionRequest(AppealOutcome.DISMISSED, "无误", Remedy.REVOKE),
            _entry(),
            by="h",
            now=NOON,
        )
    decision = review.decide_appeal(
        appeal,
        AppealDecisionRequest(AppealOutcome.UPHELD, "有误", Remedy.REVOKE),
        _entry(),
        by="high-court",
        now=NOON,
    )
    assert decision.outcome is AppealOutcome.UPHELD and appeal.state is CaseState.DECIDED
    assert not appeal.overdue(date(2027, 1, 1))
    with pytest.raises(Conflict):
        review.decide_appeal(
            appeal,
            AppealDecisionRequest(AppealOutcome.DISMISSED, "无误"),
            _entry(),
            by="high-court",
            now=NOON,
        )
    with pytest.raises(Conflict) as twice:
        review.require_no_appeal(appeal, "o-1")
    assert twice.value.problems[0].reason == "appeal_exists"


def test_a_case_is_overdue_while_its_appeal_waits_past_its_due_date() -> None:
    case = _case()
    cases.decide(
        case,
        DecisionRequest(ObjectionOutcome.INFORMATION_RIGHT, "信息无误"),
        _entry(),
        by="court",
        now=NOON,
    )
    case.appeal = _appeal()
    assert not case.overdue(date(2026, 10, 15))
    assert case.overdue(date(2026, 10, 16))
