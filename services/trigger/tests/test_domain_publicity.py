"""Double publicity rules (DOMAIN.md §9, §11, §12) on the working-day calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import Conflict, InvalidInput
from jrp_shared.vocabulary import PublicationEnd, PublicityKind
from jrp_trigger.domain.publicity import (
    DecisionState,
    PublicationPeriods,
    PublicityDecisionSubmission,
    Punctuality,
    TierBounds,
    WithheldReason,
    check_submission,
    punctuality,
    require_withdrawable,
)
from jrp_trigger.testing import ENTERPRISE, PERSON, publicity_licence, publicity_penalty

CALENDAR = WorkingDayCalendar()
PERIODS = PublicationPeriods()


def check(body: dict[str, Any], today: date, periods: PublicationPeriods = PERIODS) -> Any:
    return check_submission(
        PublicityDecisionSubmission.model_validate(body),
        today=today,
        department="market",
        calendar=CALENDAR,
        periods=periods,
        organisation_code_policy="warn",
    )


def test_due_over_national_day_counts_the_adjusted_saturday() -> None:
    # 2025-09-29 (Monday): 9/30, then Oct 1-8 off, 10/9, 10/10, Saturday 10/11 worked (调休),
    # 10/13, 10/14, 10/15: the seventh working day.
    checked = check(publicity_penalty(date(2025, 9, 29)), today=date(2025, 9, 29))
    assert checked.publication_due == date(2025, 10, 15)
    assert not checked.due_provisional


def test_due_over_spring_festival() -> None:
    # 2026-02-13 (Friday): Saturday 2/14 worked, Feb 15-23 off, 2/24-2/27, Saturday 2/28
    # worked, then Monday 3/2.
    checked = check(publicity_licence(date(2026, 2, 13)), today=date(2026, 2, 13))
    assert checked.publication_due == date(2026, 3, 2)


def test_due_in_a_year_without_schedule_is_provisional() -> None:
    checked = check(publicity_licence(date(2027, 9, 29)), today=date(2027, 9, 30))
    assert checked.due_provisional
    # Never counts National Day (Oct 1-3, statutory) as working days.
    assert checked.publication_due == date(2027, 10, 11)


@pytest.mark.parametrize(
    ("severity", "months", "ends"),
    [
        ("minor", None, date(2026, 6, 10)),
        ("general", None, date(2027, 3, 10)),
        ("serious", None, date(2029, 3, 10)),
        ("general", 3, date(2026, 6, 10)),
        ("serious", 12, date(2027, 3, 10)),
    ],
)
def test_publication_ends_by_tier(severity: str, months: int | None, ends: date) -> None:
    decided = date(2026, 3, 10)
    checked = check(publicity_penalty(decided, severity, publication_months=months), today=decided)
    assert checked.publication_ends == ends


@pytest.mark.parametrize(("severity", "months"), [("general", 2), ("general", 13), ("serious", 37)])
def test_publication_months_outside_the_tier_refused(severity: str, months: int) -> None:
    decided = date(2026, 3, 10)
    with pytest.raises(InvalidInput) as refused:
        check(publicity_penalty(decided, severity, publication_months=months), today=decided)
    (problem,) = refused.value.problems
    assert problem.field == "body.publication_months"
    assert problem.reason == "publication_months_out_of_bounds"


def test_minor_penalty_may_be_left_unpublished() -> None:
    decided = date(2026, 3, 10)
    checked = check(publicity_penalty(decided, "minor", publication_months=0), today=decided)
    assert checked.withheld is WithheldReason.MINOR_UNPUBLISHED


def test_periods_are_data() -> None:
    periods = PublicationPeriods(general=TierBounds(min_months=6, max_months=18), licence_months=24)
    decided = date(2026, 3, 10)
    assert check(publicity_penalty(decided), decided, periods).publication_ends == date(2027, 9, 10)
    assert check(publicity_licence(decided), decided, periods).publication_ends == date(2028, 3, 10)
    assert check(publicity_penalty(decided), decided, periods).repair_from == date(2026, 9, 10)


def test_kind_parts_and_future_date_and_code_refused_together() -> None:
    body = publicity_licence(
        date(2026, 3, 11), penalty=publicity_penalty(date(2026, 3, 1))["penalty"]
    )
    body["counterpart"] = {"name": "李四", "category": "natural_person", "code": ENTERPRISE}
    with pytest.raises(InvalidInput) as refused:
        check(body, today=date(2026, 3, 10))
    reasons = {(p.field, p.reason) for p in refused.value.problems}
    assert ("body.penalty", "forbidden_for_kind") in reasons
    assert ("body.decision_date", "decision_date_in_future") in reasons
    assert any(f == "body.counterpart.code" for f, _ in reasons)
    assert ENTERPRISE not in str([p.as_json() for p in refused.value.problems])


def test_privacy_is_withheld_and_person_ids_are_checked() -> None:
    body = publicity_penalty(date(2026, 3, 10), involves_privacy=True)
    body["counterpart"] = {"name": "张三", "category": "natural_person", "code": PERSON}
    checked = check(body, today=date(2026, 3, 10))
    assert checked.withheld is WithheldReason.PRIVACY


def test_repair_guidance_names_the_minimum_and_conditions() -> None:
    checked = check(publicity_penalty(date(2026, 3, 10), "serious"), today=date(2026, 3, 10))
    assert checked.repair_from == date(2027, 3, 10)
    assert "2027年3月10日" in checked.repair_guidance
    assert "公开信用承诺" in checked.repair_guidance
    assert "market" in checked.repair_guidance


def test_repair_too_early_names_the_date() -> None:
    args: dict[str, Any] = {"kind": PublicityKind.PENALTY, "repair_from": date(2026, 6, 10)}
    with pytest.raises(Conflict) as refused:
        require_withdrawable(
            DecisionState.PUBLISHED, PublicationEnd.REPAIRED, today=date(2026, 6, 9), **args
        )
    assert refused.value.problems[0].reason == "repair_before_minimum_period"
    assert refused.value.problems[0].context["repair_from"] == "2026-06-10"
    assert require_withdrawable(
        DecisionState.PUBLISHED, PublicationEnd.REPAIRED, today=date(2026, 6, 10), **args
    )
    # Revocation is not bound by the minimum; a withdrawn one is idempotent.
    assert require_withdrawable(
        DecisionState.PUBLISHED, PublicationEnd.REVOKED, today=date(2026, 3, 11), **args
    )
    assert not require_withdrawable(
        DecisionState.WITHDRAWN, PublicationEnd.REPAIRED, today=date(2026, 3, 11), **args
    )
    # Never published: revoked yes (it stops being overdue), repaired no.
    assert require_withdrawable(
        DecisionState.PENDING, PublicationEnd.REVOKED, today=date(2026, 7, 1), **args
    )
    with pytest.raises(Conflict):
        require_withdrawable(
            DecisionState.PENDING, PublicationEnd.REPAIRED, today=date(2026, 7, 1), **args
        )


def test_punctuality() -> None:
    due = date(2026, 3, 19)
    assert punctuality(DecisionState.PENDING, due, None, date(2026, 3, 19)) is None
    assert punctuality(DecisionState.PENDING, due, None, date(2026, 3, 20)) is Punctuality.OVERDUE
