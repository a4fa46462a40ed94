"""Working-day countdowns of the inboxes (DOMAIN.md §10)."""

from __future__ import annotations

from datetime import date

from jrp_console.domain.countdown import by_due, countdown, parse_day
from jrp_shared.calendar import WorkingDayCalendar

CALENDAR = WorkingDayCalendar()


def test_working_days_left_skip_the_weekend() -> None:
    # Friday 2026-11-27 → Tuesday 2026-12-01: Monday and Tuesday are left.
    found = countdown(CALENDAR, date(2026, 12, 1), date(2026, 11, 27))
    assert (found.working_days_left, found.overdue, found.due_today) == (2, False, False)


def test_due_today_and_overdue() -> None:
    assert countdown(CALENDAR, date(2026, 12, 1), date(2026, 12, 1)).due_today
    late = countdown(CALENDAR, date(2026, 11, 27), date(2026, 12, 1))
    assert (late.overdue, late.working_days_left) == (True, -2)


def test_national_day_holiday_is_not_a_working_day() -> None:
    # 2026-09-30 (Wed) → 2026-10-09 (Fri): the National Day holiday lies between.
    found = countdown(CALENDAR, date(2026, 10, 9), date(2026, 9, 30))
    assert found.working_days_left < 7


def test_a_year_without_schedule_is_provisional() -> None:
    assert countdown(CALENDAR, date(2031, 3, 3), date(2031, 3, 1)).provisional


def test_parse_and_order() -> None:
    assert parse_day("2026-12-03T00:00:00+08:00") == date(2026, 12, 3)
    assert parse_day(None) is None and parse_day("soon") is None
    items = [(date(2026, 12, 3), "b"), (None, "z"), (date(2026, 12, 1), "a")]
    assert by_due(items) == ["a", "b", "z"]


def test_moments_are_shown_in_china_time() -> None:
    from jrp_console.pages import when

    assert when("2026-11-29T12:05:44.997916Z") == "2026-11-29 20:05"
    assert when("2026-11-29T12:05:44") == "2026-11-29 20:05"  # no offset: UTC
    assert when("2026-11-29T20:05:00+08:00") == "2026-11-29 20:05"
    assert when(None) == "" and when("soon") == "soon"
