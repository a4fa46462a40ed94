"""The dashboard's series from the services' report JSON, and the period picked
(docs/supervision.md; DOMAIN.md §5 step 5, §9, §10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jrp_console.domain import calendar_view
from jrp_console.domain.dashboard import (
    DashboardPeriod,
    PeriodError,
    cases_chart,
    dashboard,
    entries_by_month_chart,
    feedback_rate_chart,
    overdue_chart,
    pick_period,
)
from jrp_shared.calendar import WorkingDayCalendar


def case(filed: int, on_time: int, late: int, overdue: int) -> dict[str, Any]:
    return {
        "filed": filed,
        "decided": on_time + late,
        "decided_on_time": on_time,
        "decided_late": late,
        "overdue": overdue,
        "on_time_rate": None,
    }


def figures(entries: int, issued: int, fed_back: int, rate: float | None) -> dict[str, Any]:
    return {
        "entries": {"initiated": entries, "by_colour": {}, "by_list_type": {}},
        "orders": {
            "issued": issued,
            "received": fed_back,
            "fed_back": fed_back,
            "receipt_overdue": 0,
            "feedback_overdue": 0,
            "feedback_rate": rate,
        },
        "measures": {"applied": 0, "not_applicable": 0, "failed": 0},
        "objections": case(3, 1, 1, 1),
        "complaints": case(0, 0, 0, 0),
        "objection_appeals": case(1, 0, 0, 1),
        "repairs": case(5, 4, 0, 0),
        "reminders": {"reminders": 0, "escalations": 0},
    }


REPORT: dict[str, Any] = {
    "period": {"start": "2026-10-01", "end": "2026-10-31", "month": "2026-10"},
    "as_of": "2026-10-31",
    "departments": [
        {"department": "tax", "department_name": "税务局", **figures(4, 0, 0, None)},
        {"department": "market", "department_name": "市场监管局", **figures(0, 3, 2, 0.6667)},
        {"department": "finance", "department_name": None, **figures(0, 4, 4, 1.0)},
    ],
    "total": figures(4, 7, 6, 0.8571),
    "report_status": [],
    "typical_cases": [],
}

STATISTICS: dict[str, Any] = {
    "as_of": "2026-11-29",
    "rows": [
        {"department": "market", "list_type": "black.tax.major-violation", "overdue": 2},
        {"department": "market", "list_type": "red.tax.a-grade", "overdue": 0},
        {"department": "finance", "list_type": "red.tax.a-grade", "overdue": 1},
        {"department": "finance", "list_type": "black.tax.major-violation", "overdue": 3},
        {"department": "bank", "list_type": "black.tax.major-violation", "overdue": 0},
    ],
}


def test_feedback_rate_per_department_in_percent_only_where_orders_were_issued() -> None:
    chart = feedback_rate_chart(REPORT)
    assert chart.categories == ["finance", "market"]  # tax was issued nothing
    assert chart.category_labels == ["finance", "市场监管局"]  # the name where known
    assert chart.series[0].values == [100.0, 66.7]
    assert chart.unit == "%"


def test_overdue_by_department_stacked_by_list_type() -> None:
    chart = overdue_chart(STATISTICS, {"market": "市场监管局"})
    assert chart.stacked
    assert chart.categories == ["finance", "market"]  # bank has nothing overdue
    assert [s.key for s in chart.series] == ["black.tax.major-violation", "red.tax.a-grade"]
    assert chart.value("black.tax.major-violation", "finance") == 3
    assert chart.value("red.tax.a-grade", "finance") == 1
    assert chart.value("red.tax.a-grade", "market") == 0
    assert chart.total("black.tax.major-violation") == 5
    assert chart.category_labels == ["finance", "市场监管局"]


def test_entries_by_month_from_each_months_report() -> None:
    months = [("2026-09", {"total": figures(2, 0, 0, None)}), ("2026-10", REPORT)]
    chart = entries_by_month_chart(months)
    assert chart.categories == ["2026-09", "2026-10"]
    assert chart.series[0].values == [2.0, 4.0]


def test_cases_by_outcome_and_timeliness() -> None:
    chart = cases_chart(REPORT)
    assert chart.categories == ["objections", "complaints", "objection_appeals", "repairs"]
    assert chart.value("filed", "repairs") == 5
    assert chart.value("decided_on_time", "objections") == 1
    assert chart.value("decided_late", "objections") == 1
    assert chart.value("overdue", "objection_appeals") == 1


def test_the_data_island_names_series_and_keeps_the_values() -> None:
    board = dashboard(REPORT, STATISTICS, [("2026-10", REPORT)])
    island = board.cases.as_json(lambda key: key.upper())
    assert island["series"][0] == {"key": "filed", "name": "FILED", "values": [3.0, 0.0, 1.0, 5.0]}
    rate = board.feedback_rate.as_json(str)
    assert rate["labels"] == ["finance", "市场监管局"] and rate["unit"] == "%"
    assert board.overdue.category_labels == ["finance", "市场监管局"]  # names from the report


def test_a_month_shows_the_six_months_up_to_it() -> None:
    period = pick_period(date(2026, 11, 29), month="2026-02")
    assert (period.start, period.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period.months() == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
    assert period.slices()[0] == ("2025-09", date(2025, 9, 1), date(2025, 9, 30))


def test_the_trend_starts_no_earlier_than_the_trigger_reports() -> None:
    assert pick_period(date(2026, 11, 29), month="2000-02").months() == ["2000-01", "2000-02"]


def test_a_range_counts_only_its_own_days_of_each_month() -> None:
    period = pick_period(date(2026, 11, 29), start="2026-09-15", end="2026-11-10")
    assert period == DashboardPeriod(date(2026, 9, 15), date(2026, 11, 10))
    assert period.slices() == [
        ("2026-09", date(2026, 9, 15), date(2026, 9, 30)),
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 10)),
    ]


def test_this_month_by_default() -> None:
    period = pick_period(date(2026, 11, 29))
    assert period.month == "2026-11" and period.end == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"month": "2026-12"}, "dashboard.in_future"),
        ({"month": "2026-13"}, "dashboard.bad_month"),
        ({"month": "26-1"}, "dashboard.bad_month"),
        ({"start": "2026-10-02", "end": "2026-10-01"}, "dashboard.range_reversed"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "dashboard.range_too_long"),
        ({"start": "2026-12-01", "end": "2026-12-02"}, "dashboard.in_future"),
        ({"start": "2026-10-01"}, "dashboard.bad_range"),
        ({"month": "1999-12"}, "dashboard.too_early"),
        ({"start": "1999-12-31", "end": "2000-01-02"}, "dashboard.too_early"),
    ],
)
def test_periods_that_cannot_be_reported(kwargs: dict[str, str], key: str) -> None:
    with pytest.raises(PeriodError) as refused:
        pick_period(date(2026, 11, 29), **kwargs)
    assert refused.value.key == key


def test_the_calendar_month_marks_holidays_and_adjusted_working_days() -> None:
    weeks = calendar_view.month_weeks(WorkingDayCalendar(), 2026, 10)
    days = {d.day: d for week in weeks for d in week}
    assert all(len(week) == 7 for week in weeks) and weeks[0][0].day == date(2026, 9, 28)
    assert days[date(2026, 10, 1)].kind == "holiday"  # National Day, a Thursday
    assert days[date(2026, 10, 3)].kind == "holiday"  # a Saturday, but statutory
    assert days[date(2026, 10, 12)].kind == "working"
    assert days[date(2026, 10, 18)].kind == "weekend"
    assert not days[date(2026, 9, 28)].in_month and days[date(2026, 10, 31)].in_month


def test_adjusted_working_day_and_provisional_year() -> None:
    calendar = WorkingDayCalendar()
    # 2026-01-04 (Sunday) is a working day in the 2026 schedule (调休), per the library.
    assert calendar_view.day_kind(calendar, date(2026, 1, 4)) == "adjusted_workday"
    far = calendar_view.month_weeks(calendar, 2030, 10)
    first = next(d for week in far for d in week if d.day == date(2030, 10, 1))
    assert first.provisional and first.kind == "holiday"


def test_outcomes_count_the_cases_filed_in_the_period_by_how_they_ended() -> None:
    from datetime import date

    from jrp_console.domain.dashboard import outcomes_chart

    cases: dict[str, list[dict[str, Any]]] = {
        "objections": [
            {"filed_at": "2026-11-03T02:00:00Z", "outcome": "information_wrong"},
            {"filed_at": "2026-11-04T02:00:00Z", "outcome": "information_right"},
            {"filed_at": "2026-11-05T02:00:00Z", "outcome": None},
            # 16:30 UTC on 31 October is 1 November in China: in the period.
            {"filed_at": "2026-10-31T16:30:00Z", "outcome": "information_right"},
            {"filed_at": "2026-10-31T15:30:00Z", "outcome": "information_wrong"},  # before
        ],
        "complaints": [{"filed_at": "2026-11-20T01:00:00+00:00", "outcome": None}],
        "repairs": [
            {"applied_at": "2026-11-10T01:00:00Z", "state": "approved"},
            {"applied_at": "2026-11-11T01:00:00Z", "state": "refused"},
            {"applied_at": "2026-12-01T01:00:00Z", "state": "approved"},  # after
        ],
    }
    chart = outcomes_chart(cases, date(2026, 11, 1), date(2026, 11, 30))
    assert chart.categories == ["objections", "complaints", "repairs"]
    assert chart.stacked
    assert chart.value("in_subjects_favour", "objections") == 1
    assert chart.value("upheld", "objections") == 2
    assert chart.value("pending", "objections") == 1
    assert chart.value("pending", "complaints") == 1
    assert (chart.value("in_subjects_favour", "repairs"), chart.value("upheld", "repairs")) == (
        1,
        1,
    )
