"""Repair tiers, guidance and the three stages without I/O (DOMAIN.md §10, §11; 国办发〔2025〕22号;
NDRC Order No. 36): the portal forwards within 10 working days, the authority decides within 3
of forwarding, the result is pushed within 3 of the decision, all on the working-day calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jrp_appeals.domain import notifications, repairs
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.repairs import CreditCommitment, Evidence, Repair, RepairStage
from jrp_appeals.testing import ENTERPRISE, LEGAL_REPRESENTATIVE
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import Conflict
from jrp_shared.events.payloads import RepairRules
from jrp_shared.vocabulary import (
    DishonestySeverity,
    ListColour,
    ListEntryStatus,
    RepairRoute,
    RepairState,
    SubjectType,
)

CALENDAR = WorkingDayCalendar()
SERIOUS = RepairRules(
    repairable=True,
    tier=DishonestySeverity.SERIOUS,
    min_disclosure_months=12,
    max_disclosure_months=36,
    evidence_required=["完税凭证", "信用承诺书"],
)
# Wednesday 30 September 2026, 10:00 in China: National Day runs 1-7 October, Saturday
# 10 October is worked (the 2026 official schedule).
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def entry(**changes: Any) -> EntryCopy:
    fields: dict[str, Any] = {
        "entry_id": "entry-1",
        "version": 1,
        "subject_code": ENTERPRISE,
        "subject_type": SubjectType.LEGAL_PERSON,
        "subject_name": "福州示例科技",
        "linked_person_codes": (LEGAL_REPRESENTATIVE,),
        "list_type": "black.tax.major-violation",
        "list_type_version": 1,
        "colour": ListColour.BLACK,
        "initiating_department": "tax",
        "period_start": date(2025, 8, 31),
        "period_end": date(2030, 8, 30),
        "status": ListEntryStatus.IN_FORCE,
        "updated_at": BEFORE_NATIONAL_DAY,
    }
    fields.update(changes)
    return EntryCopy(**fields)


def applied(
    at: datetime = BEFORE_NATIONAL_DAY, rules: RepairRules = SERIOUS, on: EntryCopy | None = None
) -> Repair:
    return repairs.apply(
        repair_id="r-1",
        entry=on or entry(),
        rules=rules,
        applicant=ENTERPRISE,
        agent="credit-office",
        route=RepairRoute.CORRECTION,
        evidence=(Evidence("完税凭证", "a"), Evidence("信用承诺书", "b")),
        commitment=CreditCommitment("承诺", at.date()),
        now=at,
        today=at.date(),
        calendar=CALENDAR,
    )


# --- tiers and the guidance ------------------------------------------------------------------


def test_the_guidance_names_the_first_repair_day_and_the_end_of_publication() -> None:
    """Serious: repair from 12 months after the start; publication stops by itself 36 months
    after the start even when the period runs longer (DOMAIN.md §11)."""
    guidance = repairs.guidance(entry(), SERIOUS)
    assert guidance is not None
    assert guidance.tier is DishonestySeverity.SERIOUS
    assert guidance.repair_from == date(2026, 8, 31)
    assert guidance.published_until == date(2028, 8, 30)
    assert guidance.decided_by == "tax"
    assert guidance.evidence_required == ("完税凭证", "信用承诺书")
    assert "已作出公开信用承诺" in guidance.conditions
    assert (
        guidance.portal_forward_working_days,
        guidance.authority_decision_working_days,
        guidance.result_push_working_days,
    ) == (10, 3, 3)
    short = repairs.guidance(entry(period_end=date(2027, 8, 30)), SERIOUS)
    assert short is not None and short.published_until == date(2027, 8, 30)


def test_no_guidance_where_there_is_no_repair() -> None:
    assert repairs.guidance(entry(colour=ListColour.RED), SERIOUS) is None
    assert repairs.guidance(entry(), RepairRules(repairable=False)) is None


def test_the_catalog_may_name_the_deciding_authority() -> None:
    rules = SERIOUS.model_copy(update={"decided_by": "market"})
    assert repairs.deciding_department(entry(), rules) == "market"
    assert applied(rules=rules).department == "market"
    assert applied().department == "tax"


def test_the_guidance_notice_says_the_dates_and_where_to_apply() -> None:
    guidance = repairs.guidance(entry(), SERIOUS)
    assert guidance is not None
    notice = notifications.of_repair_guidance(
        entry(), guidance, "n-1", to=ENTERPRISE, at=BEFORE_NATIONAL_DAY, list_type_name="重大税收"
    )
    assert notice.about == "repair_guidance" and notice.case_id == notice.entry_id == "entry-1"
    for text in ("严重失信", "2026-08-31", "2028-08-30", "信用中国", "10个工作日", "完税凭证"):
        assert text in notice.body, text


# --- the three stages over the calendar -----------------------------------------------------


def test_stage_deadlines_skip_national_day() -> None:
    """Received Wednesday 30 September 2026: the 10th working day after is Tuesday 20 October
    (1-7 October off, Saturday 10 October worked); the decision is due at the latest three
    working days after that, Friday 23 October."""
    repair = applied()
    assert repair.stage is RepairStage.FORWARD
    assert repair.forward_due == date(2026, 10, 20)
    assert repair.decision_due == date(2026, 10, 23)
    assert repair.forward_due_provisional is False
    assert repair.tier is DishonestySeverity.SERIOUS


def test_forwarding_starts_the_authoritys_three_working_days() -> None:
    """Forwarded Friday 9 October 2026: Saturday 10 October is worked, so the decision is due
    Tuesday 13 October."""
    repair = applied()
    forwarded_at = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    repairs.forward(
        repair, by="credit-office", now=forwarded_at, today=date(2026, 10, 9), calendar=CALENDAR
    )
    assert repair.stage is RepairStage.DECISION
    assert repair.forwarded_at == forwarded_at and repair.forwarded_by == "credit-office"
    assert repair.decision_due == date(2026, 10, 13)
    assert repair.history[-1].action == "forwarded"
    assert repair.history[-1].detail["late"] is False
    with pytest.raises(Conflict) as twice:
        repairs.forward(
            repair, by="credit-office", now=forwarded_at, today=date(2026, 10, 9), calendar=CALENDAR
        )
    assert twice.value.problems[0].reason == "already_forwarded"


def test_each_stage_is_overdue_after_its_own_due_date() -> None:
    repair = applied()
    assert repair.overdue_stage(date(2026, 10, 20)) is None, "the due date itself is in time"
    assert repair.overdue_stage(date(2026, 10, 21)) is RepairStage.FORWARD
    late = date(2026, 10, 21)
    repairs.forward(
        repair, by="credit-office", now=BEFORE_NATIONAL_DAY, today=late, calendar=CALENDAR
    )
    assert repair.history[-1].detail["late"] is True
    assert repair.decision_due == date(2026, 10, 26)
    assert repair.overdue_stage(date(2026, 10, 26)) is None
    assert repair.overdue_stage(date(2026, 10, 27)) is RepairStage.DECISION
    decided_on = date(2026, 10, 27)
    repairs.decide(
        repair,
        entry(),
        approved=True,
        reasons="",
        by="tax",
        now=BEFORE_NATIONAL_DAY + timedelta(days=27),
        today=decided_on,
        calendar=CALENDAR,
    )
    assert repair.stage is RepairStage.PUSH and repair.push_due == date(2026, 10, 30)
    assert repair.overdue_stage(date(2026, 11, 2)) is RepairStage.PUSH
    repairs.pushed(repair, BEFORE_NATIONAL_DAY + timedelta(days=27))
    assert (repair.stage, repair.overdue_stage(date(2027, 1, 1))) == (RepairStage.DONE, None)
    assert [a.action for a in repair.history] == ["applied", "forwarded", "decided", "pushed"]


def test_the_authority_decides_only_what_the_portal_forwarded() -> None:
    repair = applied()
    with pytest.raises(Conflict) as early:
        repairs.decide(
            repair,
            entry(),
            approved=True,
            reasons="",
            by="tax",
            now=BEFORE_NATIONAL_DAY,
            today=BEFORE_NATIONAL_DAY.date(),
            calendar=CALENDAR,
        )
    assert early.value.problems[0].reason == "not_forwarded"
    assert repair.state is RepairState.PENDING


def test_provisional_due_dates_are_recomputed_from_their_stage() -> None:
    """A due date in a year whose schedule is not out is provisional (DOMAIN.md §10);
    recomputing keeps the stage's start: receipt before forwarding, forwarding after."""
    year = next(y for y in range(2027, 2040) if CALENDAR.source_of(y) == "provisional")
    at = datetime(year - 1, 12, 28, 2, 0, tzinfo=UTC)
    repair = applied(at=at)
    assert repair.forward_due_provisional and repair.due_provisional
    repair = replace(repair, decision_due=date(year, 12, 31), forward_due=date(year, 12, 30))
    repairs.recompute_dues(repair, CALENDAR)
    assert repair.forward_due == applied(at=at).forward_due
    assert repair.decision_due == applied(at=at).decision_due
