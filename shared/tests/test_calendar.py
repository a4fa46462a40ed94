from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest
from lunar_python import Lunar

from jrp_shared.calendar import (
    Deadline,
    UnsupportedYearError,
    WorkingDayCalendar,
    YearSchedule,
    statutory_holidays,
)


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _test_schedule_2027() -> YearSchedule:
    """A made-up 2027 schedule: it adds bridging days off around the Spring Festival."""
    holidays = {
        *_span(date(2027, 1, 1), date(2027, 1, 3)),
        *_span(date(2027, 2, 5), date(2027, 2, 13)),  # bridging days off Feb 9-12
        *_span(date(2027, 4, 3), date(2027, 4, 5)),
        *_span(date(2027, 5, 1), date(2027, 5, 5)),
        date(2027, 6, 9),
        date(2027, 9, 15),
        *_span(date(2027, 10, 1), date(2027, 10, 7)),
    }
    adjusted = {date(2027, 1, 30), date(2027, 2, 20), date(2027, 10, 9)}  # Saturdays
    return YearSchedule(2027, frozenset(holidays), frozenset(adjusted), "test schedule 2027")


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


# --- 2026 from the library ------------------------------------------------------------------


def test_2026_comes_from_the_library_and_2027_is_provisional(
    calendar: WorkingDayCalendar,
) -> None:
    assert calendar.source_of(2026) == "library"
    assert calendar.source_of(2027) == "provisional"
    assert not calendar.day_is_provisional(date(2026, 12, 31))
    assert calendar.day_is_provisional(date(2027, 1, 1))


def test_year_before_the_statutory_rule_and_the_library_is_unsupported(
    calendar: WorkingDayCalendar,
) -> None:
    with pytest.raises(UnsupportedYearError):
        calendar.is_working_day(date(2003, 6, 2))


def test_2026_weekends_holidays_and_adjusted_workdays(calendar: WorkingDayCalendar) -> None:
    assert calendar.is_working_day(date(2026, 9, 30))  # Wednesday
    assert not calendar.is_working_day(date(2026, 9, 19))  # ordinary Saturday
    assert not calendar.is_working_day(date(2026, 10, 1))  # National Day
    assert not calendar.is_working_day(date(2026, 10, 7))  # bridging day off (Wednesday)
    # Sunday 2026-09-20 and Saturday 2026-10-10 are working days in the 2026 schedule (调休).
    assert chinese_calendar.is_workday(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 10, 10))


def test_deadline_across_the_2026_national_day_holiday(calendar: WorkingDayCalendar) -> None:
    filed = date(2026, 9, 30)  # last working day before the holiday, per the library
    assert calendar.is_working_day(filed)
    assert not calendar.is_working_day(filed + timedelta(days=1))
    # Oct 1-7 off; Oct 8 (Thu) = 1, Oct 9 (Fri) = 2, Oct 10 (adjusted Sat) = 3;
    # Oct 12-16 = 4-8, Oct 19-23 = 9-13, Oct 26-30 = 14-18, Nov 2 = 19, Nov 3 = 20.
    deadline = calendar.add_working_days(filed, 20)
    assert deadline == Deadline(date(2026, 11, 3), provisional=False, provisional_years=())
    count = calendar.working_days_between(filed, date(2026, 11, 3))
    assert (count.days, count.provisional) == (20, False)


def test_start_day_is_not_counted_and_n_must_be_positive(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 9, 28), 1).due == date(2026, 9, 29)
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(date(2026, 9, 28), 0)


def test_working_days_between_is_zero_for_empty_interval(calendar: WorkingDayCalendar) -> None:
    assert calendar.working_days_between(date(2026, 5, 6), date(2026, 5, 6)).days == 0
    assert calendar.working_days_between(date(2026, 5, 6), date(2026, 5, 1)).days == 0


# --- statutory holidays ---------------------------------------------------------------------


def test_statutory_holidays_2027() -> None:
    days = statutory_holidays(2027)
    assert len(days) == 13
    # lunar_python: lunar 2027/1/1 is 2027-02-06, so New Year's Eve is 2027-02-05.
    solar = Lunar.fromYmd(2027, 1, 1).getSolar()
    assert (solar.getYear(), solar.getMonth(), solar.getDay()) == (2027, 2, 6)
    assert set(_span(date(2027, 2, 5), date(2027, 2, 8))) <= days
    assert date(2027, 4, 5) in days  # 清明 2027
    assert Lunar.fromYmd(2027, 1, 1).getJieQiTable()["清明"].toYmd() == "2027-04-05"
    assert {date(2027, 1, 1), date(2027, 5, 1), date(2027, 5, 2), date(2027, 10, 3)} <= days
    assert date(2027, 2, 9) not in days


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_agree_with_the_library(year: int) -> None:
    for day in statutory_holidays(year):
        assert chinese_calendar.is_holiday(day), day


def test_statutory_rule_starts_in_2025() -> None:
    with pytest.raises(UnsupportedYearError):
        statutory_holidays(2024)


# --- provisional 2027 and loading an official schedule --------------------------------------


def test_2027_deadlines_are_provisional_and_skip_statutory_holidays(
    calendar: WorkingDayCalendar,
) -> None:
    new_year = calendar.add_working_days(date(2026, 12, 31), 1)
    assert new_year == Deadline(date(2027, 1, 4), provisional=True, provisional_years=(2027,))
    # Spring Festival: Fri Feb 5 (eve) to Mon Feb 8 (lunar 1/3).
    assert calendar.add_working_days(date(2027, 2, 4), 1).due == date(2027, 2, 9)
    # National Day Fri Oct 1 - Sun Oct 3; a weekend is never a working day provisionally.
    assert calendar.add_working_days(date(2027, 9, 30), 1).due == date(2027, 10, 4)
    assert not calendar.is_working_day(date(2027, 2, 20))
    assert calendar.working_days_between(date(2026, 12, 30), date(2027, 1, 4)).provisional


def test_loading_an_official_schedule_replaces_the_provisional_answer(
    calendar: WorkingDayCalendar,
) -> None:
    deadline = calendar.add_working_days(date(2027, 2, 4), 1)
    sat_deadline = calendar.add_working_days(date(2027, 2, 19), 1)
    assert (deadline.due, sat_deadline.due) == (date(2027, 2, 9), date(2027, 2, 22))
    assert not calendar.deadline_needs_recompute(deadline)

    calendar.load_schedule(_test_schedule_2027())

    assert calendar.source_of(2027) == "official"
    assert calendar.deadline_needs_recompute(deadline)
    recomputed = calendar.add_working_days(date(2027, 2, 4), 1)
    # Feb 9-12 are bridging days off in the test schedule, Feb 13-14 the weekend.
    assert recomputed == Deadline(date(2027, 2, 15), provisional=False, provisional_years=())
    # Saturday Feb 20 is an adjusted working day in the test schedule.
    assert calendar.add_working_days(date(2027, 2, 19), 1).due == date(2027, 2, 20)
    assert not calendar.deadline_needs_recompute(recomputed)


def test_schedules_passed_to_the_constructor_are_used() -> None:
    calendar = WorkingDayCalendar([_test_schedule_2027()])
    assert calendar.source_of(2027) == "official"
    assert not calendar.is_working_day(date(2027, 2, 10))


def test_official_schedule_overrides_the_library(calendar: WorkingDayCalendar) -> None:
    friday = date(2026, 10, 9)
    assert calendar.is_working_day(friday)  # cached now; loading must invalidate it
    library_2026 = YearSchedule(
        2026,
        frozenset(d for d in chinese_calendar.holidays if d.year == 2026) | {friday},
        frozenset(d for d in chinese_calendar.workdays if d.year == 2026),
        "test override",
    )
    calendar.load_schedule(library_2026)
    assert calendar.source_of(2026) == "official"
    assert not calendar.is_working_day(friday)
    assert calendar.is_working_day(date(2026, 10, 10))


def test_recompute_waits_for_every_provisional_year(calendar: WorkingDayCalendar) -> None:
    deadline = Deadline(date(2028, 1, 10), provisional=True, provisional_years=(2027, 2028))
    calendar.load_schedule(_test_schedule_2027())
    assert not calendar.deadline_needs_recompute(deadline)
    assert not calendar.deadline_needs_recompute(Deadline(date(2026, 5, 6), False))


# --- YearSchedule JSON ----------------------------------------------------------------------


def test_year_schedule_json_round_trip() -> None:
    schedule = _test_schedule_2027()
    data = schedule.to_json()
    assert data["year"] == 2027
    assert data["source"] == "test schedule 2027"
    assert data["holidays"][0] == "2027-01-01"
    assert data["adjusted_workdays"] == ["2027-01-30", "2027-02-20", "2027-10-09"]
    assert YearSchedule.from_json(data) == schedule


def _json_with(**changes: Any) -> dict[str, Any]:
    data = _test_schedule_2027().to_json()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"holidays": [*_test_schedule_2027().to_json()["holidays"], "2026-12-31"]},
            "another year",
        ),
        ({"adjusted_workdays": ["2027-01-01"]}, "both as holiday"),
        ({"adjusted_workdays": ["2027-02-17"]}, "must be weekend days"),
        ({"holidays": ["2027-01-01"]}, "statutory holidays"),
        ({"holidays": ["2027-13-01"]}, "not an ISO date"),
        ({"year": "2027"}, "integer"),
        ({"source": ""}, "source"),
    ],
)
def test_year_schedule_validation_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        YearSchedule.from_json(_json_with(**changes))


def test_year_schedule_missing_key() -> None:
    data = _test_schedule_2027().to_json()
    del data["adjusted_workdays"]
    with pytest.raises(ValueError, match="adjusted_workdays"):
        YearSchedule.from_json(data)
