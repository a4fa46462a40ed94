"""Report arithmetic (DOMAIN.md §5 step 5, §9; 004 四(四)): periods, order states as of a day,
rates, timeliness, report due dates and statuses across month and year ends."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.vocabulary import FeedbackOutcome, OrderState, OverdueKind
from jrp_trigger.domain import supervision as s
from jrp_trigger.domain.supervision import (
    CaseFacts,
    CaseFigures,
    Nomination,
    OrderFacts,
    OrderFigures,
    ReportStatus,
    TypicalCaseState,
)

A, N, F = FeedbackOutcome.APPLIED, FeedbackOutcome.NOT_APPLICABLE, FeedbackOutcome.FAILED


def order(**changes: object) -> OrderFacts:
    fields: dict[str, object] = {
        "department": "market",
        "state": OrderState.ISSUED,
        "issued_on": date(2026, 10, 9),
        "receipt_due": date(2026, 10, 14),
        "feedback_due": date(2026, 11, 6),
        "received_on": None,
        "lifted_on": None,
        "outcomes": ((None, None),),
    }
    fields.update(changes)
    return OrderFacts(**fields)  # type: ignore[arg-type]


# --- periods -----------------------------------------------------------------------------------


def test_a_month_runs_from_its_first_to_its_last_day() -> None:
    assert s.parse_month("2026-02", date(2026, 11, 1)) == s.Period(
        date(2026, 2, 1), date(2026, 2, 28), month="2026-02"
    )
    assert s.parse_month("2024-02", date(2026, 11, 1)).end == date(2024, 2, 29)
    assert s.parse_month("2025-12", date(2026, 11, 1)).end == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-13", "month_format"),
        ("26-10", "month_format"),
        ("2026-12", "month_in_future"),
        ("0000-01", "month_too_early"),
    ],
)
def test_a_bad_or_future_month_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        s.parse_month(text, date(2026, 11, 29))
    assert refused.value.problems[0].reason == reason


def test_a_range_is_bounded() -> None:
    today = date(2026, 11, 29)
    assert s.date_range(date(2026, 1, 1), date(2026, 12, 31), today, max_days=366).months()[-1] == (
        "2026-12"
    )
    for start, end, reason in [
        (date(2026, 5, 2), date(2026, 5, 1), "range_reversed"),
        (date(2025, 1, 1), date(2026, 1, 2), "range_too_long"),
        (date(2026, 12, 1), date(2026, 12, 2), "range_in_future"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            s.date_range(start, end, today, max_days=366)
        assert refused.value.problems[0].reason == reason


def test_figures_are_judged_at_the_end_of_the_period_or_today() -> None:
    october = s.parse_month("2026-10", date(2026, 11, 29))
    assert october.as_of(date(2026, 11, 29)) == date(2026, 10, 31)
    assert october.as_of(date(2026, 10, 12)) == date(2026, 10, 12)


# --- orders --------------------------------------------------------------------------------------


def test_an_order_received_after_the_period_was_overdue_on_receipt_at_its_end() -> None:
    late = order(state=OrderState.RECEIVED, received_on=date(2026, 11, 3), outcomes=((None, None),))
    assert s.state_on(late, date(2026, 10, 31)) is OrderState.ISSUED
    figures = OrderFigures()
    figures.add_order(late, date(2026, 10, 31))
    assert (figures.issued, figures.received, figures.receipt_overdue) == (1, 0, 1)
    assert figures.feedback_overdue == 0  # feedback not due until 2026-11-06


def test_feedback_rate_counts_orders_fed_back_by_the_end_of_the_period() -> None:
    as_of = date(2026, 10, 31)
    figures = OrderFigures()
    figures.add_order(
        order(
            state=OrderState.FED_BACK,
            received_on=date(2026, 10, 10),
            outcomes=((A, date(2026, 10, 20)), (N, date(2026, 10, 21))),
        ),
        as_of,
    )
    figures.add_order(
        order(
            state=OrderState.FED_BACK,
            received_on=date(2026, 10, 10),
            outcomes=((F, date(2026, 11, 2)),),  # fed back after the period
        ),
        as_of,
    )
    figures.add_order(order(received_on=date(2026, 10, 12), state=OrderState.RECEIVED), as_of)
    figures.add_order(order(feedback_due=date(2026, 10, 30), received_on=date(2026, 10, 12)), as_of)
    assert figures.issued == 4
    assert figures.fed_back == 1
    assert figures.feedback_rate == 0.25
    assert figures.feedback_overdue == 1
    assert figures.measures == Counter({"applied": 1, "not_applicable": 1})
    assert OrderFigures().feedback_rate is None


def test_a_lifted_order_is_never_overdue() -> None:
    lifted = order(state=OrderState.LIFTED, lifted_on=date(2026, 10, 12))
    figures = OrderFigures()
    figures.add_order(lifted, date(2026, 10, 31))
    assert (figures.receipt_overdue, figures.feedback_overdue) == (0, 0)


# --- due process ---------------------------------------------------------------------------------


def case(**changes: object) -> CaseFacts:
    fields: dict[str, object] = {
        "kind": OverdueKind.OBJECTION,
        "department": "tax",
        "filed_on": date(2026, 10, 9),
        "decision_due": date(2026, 11, 6),
        "decided_on": None,
    }
    fields.update(changes)
    return CaseFacts(**fields)  # type: ignore[arg-type]


def test_timeliness_is_decided_on_or_before_the_due_day() -> None:
    october = s.parse_month("2026-10", date(2026, 11, 29))
    figures = CaseFigures()
    figures.add_case(case(decided_on=date(2026, 10, 20)), october, october.end)
    figures.add_case(
        case(decision_due=date(2026, 10, 20), decided_on=date(2026, 10, 20)), october, october.end
    )
    figures.add_case(
        case(decision_due=date(2026, 10, 19), decided_on=date(2026, 10, 20)), october, october.end
    )
    figures.add_case(case(decision_due=date(2026, 10, 30)), october, october.end)  # overdue
    figures.add_case(
        case(filed_on=date(2026, 9, 1), decision_due=date(2026, 9, 29)), october, october.end
    )
    assert (figures.filed, figures.decided, figures.decided_on_time) == (4, 3, 2)
    assert figures.decided_late == 1
    assert figures.overdue == 2  # one filed in October, one carried over from September
    assert figures.on_time_rate == round(2 / 3, 4)


def test_a_case_decided_after_the_period_was_overdue_at_its_end() -> None:
    late = case(decision_due=date(2026, 10, 30), decided_on=date(2026, 11, 4))
    assert s.case_overdue(late, date(2026, 10, 31))
    assert not s.case_overdue(late, date(2026, 11, 4))


# --- monthly reports and typical cases ---------------------------------------------------------


def test_the_report_is_due_on_the_20th_of_the_following_month() -> None:
    assert s.report_due("2026-10") == date(2026, 11, 20)
    assert s.report_due("2026-12") == date(2027, 1, 20)
    assert s.report_due("2027-01") == date(2027, 2, 20)


def test_latest_month_due_turns_after_the_20th() -> None:
    assert s.latest_month_due(date(2026, 11, 20)) == "2026-09"
    assert s.latest_month_due(date(2026, 11, 21)) == "2026-10"
    assert s.latest_month_due(date(2027, 1, 21)) == "2026-12"
    assert s.latest_month_due(date(2027, 1, 5)) == "2026-11"


def test_submitted_needs_one_case_of_each_kind() -> None:
    counts: Counter[str] = Counter({"trustworthiness": 1})
    only_one = Nomination(trustworthiness_on=date(2026, 11, 3))
    assert s.report_status("tax", "2026-10", only_one, counts, date(2026, 11, 20)).status is (
        ReportStatus.PENDING
    )
    overdue = s.report_status("tax", "2026-10", only_one, counts, date(2026, 11, 21))
    assert overdue.status is ReportStatus.OVERDUE and overdue.submitted_on is None
    both = Nomination(trustworthiness_on=date(2026, 11, 3), dishonesty_on=date(2026, 11, 19))
    on_time = s.report_status("tax", "2026-10", both, counts, date(2026, 12, 1))
    assert on_time.status is ReportStatus.SUBMITTED and not on_time.late
    assert on_time.submitted_on == date(2026, 11, 19)


def test_a_december_report_completed_in_late_january_is_late() -> None:
    both = Nomination(trustworthiness_on=date(2027, 1, 5), dishonesty_on=date(2027, 1, 21))
    report = s.report_status("tax", "2026-12", both, Counter(), date(2027, 2, 1))
    assert report.due == date(2027, 1, 20)
    assert report.status is ReportStatus.SUBMITTED and report.late


def test_a_selected_case_cannot_be_withdrawn_and_a_withdrawn_one_not_selected() -> None:
    selected = TypicalCaseState("c1", "tax", withdrawn=False, selected=True)
    with pytest.raises(Conflict):
        s.check_withdrawal(selected, "tax")
    with pytest.raises(Forbidden):
        s.check_withdrawal(TypicalCaseState("c1", "tax", withdrawn=False, selected=False), "market")
    with pytest.raises(Conflict):
        s.check_selection(TypicalCaseState("c1", "tax", withdrawn=True, selected=False))
