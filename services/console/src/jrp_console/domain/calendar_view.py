"""The working-day calendar as a month to look at (DOMAIN.md §10): each day a working day, a
weekend day, a holiday or an adjusted working day (调休), and whether the year's answer is only
provisional (no official schedule and no library data: statutory holidays plus weekends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from jrp_shared.calendar import WorkingDayCalendar, statutory_holidays

KINDS = ("working", "weekend", "holiday", "adjusted_workday")


@dataclass(frozen=True)
class Day:
    day: date
    kind: str
    """One of `KINDS`."""
    provisional: bool
    in_month: bool
    """False for the days of the neighbouring months that fill the first and last weeks."""


def day_kind(calendar: WorkingDayCalendar, day: date) -> str:
    weekend = day.weekday() >= 5
    if calendar.is_working_day(day):
        return "adjusted_workday" if weekend else "working"
    if not weekend:
        return "holiday"
    statutory = statutory_holidays(day.year) if day.year >= 2025 else frozenset()
    return "holiday" if day in statutory else "weekend"


def month_weeks(calendar: WorkingDayCalendar, year: int, month: int) -> list[list[Day]]:
    """The month's weeks, Monday first, padded with the neighbouring months' days."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    weeks: list[list[Day]] = []
    day = start
    while True:
        week = []
        for _ in range(7):
            week.append(
                Day(
                    day,
                    day_kind(calendar, day),
                    calendar.day_is_provisional(day),
                    day.month == month,
                )
            )
            day += timedelta(days=1)
        weeks.append(week)
        if day.month != month or day.year != year:
            break
    return weeks
