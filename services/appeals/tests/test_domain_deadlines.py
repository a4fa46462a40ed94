"""Due dates on the Chinese working-day calendar (DOMAIN.md §10) and overdue flags."""

from __future__ import annotations

from datetime import date

from jrp_appeals.config import AppealsSettings
from jrp_appeals.domain.deadlines import add_months, due_after, is_overdue
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.vocabulary import CaseState

SETTINGS = AppealsSettings()


def test_the_settings_carry_the_policy_numbers() -> None:
    assert SETTINGS.objection_decision_working_days == 20
    assert SETTINGS.complaint_window_working_days == 15
    assert SETTINGS.complaint_decision_working_days == 20


def test_an_objection_filed_before_national_day_2026_is_due_on_3_november() -> None:
    """2026 schedule: 1-7 October off, Saturday 10 October worked; the 20th working day after
    Wednesday 30 September is Tuesday 3 November."""
    due = due_after(
        WorkingDayCalendar(), date(2026, 9, 30), SETTINGS.objection_decision_working_days
    )
    assert due.due == date(2026, 11, 3)
    assert due.provisional is False


def test_a_due_date_in_a_year_without_schedule_is_provisional() -> None:
    calendar = WorkingDayCalendar()
    year = next(y for y in range(2027, 2040) if calendar.source_of(y) == "provisional")
    due = due_after(calendar, date(year - 1, 12, 20), 20)
    assert due.due.year == year and due.provisional is True
    # Never a statutory holiday: New Year's Day is skipped.
    assert due.due != date(year, 1, 1)


def test_overdue_means_open_after_the_due_date() -> None:
    due = date(2026, 11, 3)
    assert not is_overdue(CaseState.OPEN, due, date(2026, 11, 3))
    assert is_overdue(CaseState.OPEN, due, date(2026, 11, 4))
    assert not is_overdue(CaseState.DECIDED, due, date(2027, 1, 1))


def test_calendar_months_clamp_to_the_month_end() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 1), 0) == date(2026, 5, 1)
