"""Chinese working days for deadlines (DOMAIN.md §10).

A working day is a day that is neither a weekend day nor a holiday, plus the weekend days the
official schedule turns into working days (调休). For each year the answer comes from, in order:

1. an official schedule loaded by an operator (:class:`YearSchedule`), ``"official"``;
2. the ``chinese_calendar`` library, if its data covers the year, ``"library"``;
3. the statutory holidays fixed by law plus weekends, ``"provisional"`` — the State Council
   publishes a year's schedule only weeks before it starts, so deadlines reaching into a year
   nobody covers yet are computed from the law and marked provisional, to be recomputed
   (:meth:`WorkingDayCalendar.deadline_needs_recompute`) once the schedule is known.

Nothing here ever falls back to plain weekdays or treats a holiday as a working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

import chinese_calendar
from lunar_python import Lunar

__all__ = [
    "STATUTORY_FROM_YEAR",
    "Deadline",
    "ScheduleSource",
    "UnsupportedYearError",
    "WorkingDayCalendar",
    "WorkingDayCount",
    "YearSchedule",
    "statutory_holidays",
]

ScheduleSource = Literal["official", "library", "provisional"]

STATUTORY_FROM_YEAR = 2025
"""First year of the 13-day statutory holiday law (全国年节及纪念日放假办法, revised)."""

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class UnsupportedYearError(ValueError):
    """No official schedule, no library data and no applicable statutory rule for a year."""


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The 13 statutory holidays of ``year`` (DOMAIN.md §10), for years 2025 onwards.

    New Year's Day (Jan 1); Spring Festival, 4 days from lunar New Year's Eve to lunar 1/3;
    Qingming (the day of the 清明 solar term); Labour Day (May 1-2); Dragon Boat (lunar 5/5);
    Mid-Autumn (lunar 8/15); National Day (Oct 1-3). Bridging days off and adjusted working
    days are not statutory: only the official schedule knows them.
    """
    if year < STATUTORY_FROM_YEAR:
        raise UnsupportedYearError(
            f"the 13-day statutory holiday rule applies from {STATUTORY_FROM_YEAR}, not {year}"
        )
    lunar_new_year = _lunar_to_solar(year, 1, 1)
    # The day before lunar 1/1 is New Year's Eve whether lunar month 12 has 29 or 30 days.
    spring_festival = {lunar_new_year + timedelta(days=i) for i in range(-1, 3)}
    days = {
        date(year, 1, 1),
        *spring_festival,
        _qingming(year),
        date(year, 5, 1),
        date(year, 5, 2),
        _lunar_to_solar(year, 5, 5),
        _lunar_to_solar(year, 8, 15),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(days)


def _lunar_to_solar(lunar_year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    qingming = date(solar.getYear(), solar.getMonth(), solar.getDay())
    if qingming.year != year:  # guards against the table of a neighbouring lunar year
        raise RuntimeError(f"lunar_python gave Qingming {qingming} for {year}")
    return qingming


@cache
def _library_covers(year: int) -> bool:
    # Detect the library's range instead of hard-coding it, so a newer release just works.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class YearSchedule:
    """An official holiday schedule (国务院办公厅 notice) for one year.

    ``holidays`` are the days off (statutory holidays and bridging days, weekend days inside a
    holiday period may be listed too); ``adjusted_workdays`` are the weekend days that are
    working days (调休). Validated on construction; a ``ValueError`` says what is wrong.
    """

    year: int
    holidays: frozenset[date]
    adjusted_workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        self._check_years()
        overlap = self.holidays & self.adjusted_workdays
        if overlap:
            raise ValueError(
                f"{self.year} schedule lists {_dates(overlap)} both as holiday and as "
                "adjusted working day"
            )
        weekdays = {d for d in self.adjusted_workdays if d.weekday() < _SATURDAY}
        if weekdays:
            raise ValueError(
                f"{self.year} schedule: adjusted working days must be weekend days, "
                f"but {_dates(weekdays)} are weekdays"
            )
        self._check_statutory()

    def _check_years(self) -> None:
        for label, days in (
            ("holidays", self.holidays),
            ("adjusted_workdays", self.adjusted_workdays),
        ):
            stray = {d for d in days if d.year != self.year}
            if stray:
                raise ValueError(
                    f"{self.year} schedule: {label} {_dates(stray)} are in another year"
                )

    def _check_statutory(self) -> None:
        # A schedule that forgets a statutory day would turn a holiday into a working day.
        if self.year < STATUTORY_FROM_YEAR:
            return
        missing = statutory_holidays(self.year) - self.holidays
        if missing:
            raise ValueError(
                f"{self.year} schedule does not list the statutory holidays {_dates(missing)}"
            )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> YearSchedule:
        """Build from the JSON shape of :meth:`to_json` (ISO date strings); ValueError if bad."""
        try:
            year, source = data["year"], data["source"]
            holidays, adjusted = data["holidays"], data["adjusted_workdays"]
        except KeyError as missing:
            raise ValueError(f"schedule JSON lacks the key {missing}") from None
        if not isinstance(year, int) or isinstance(year, bool):
            raise ValueError(f"schedule year must be an integer, got {year!r}")
        if not isinstance(source, str) or not source.strip():
            raise ValueError("schedule source must name the official notice")
        return cls(
            year=year,
            holidays=_parse_dates("holidays", holidays),
            adjusted_workdays=_parse_dates("adjusted_workdays", adjusted),
            source=source,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON shape read by :meth:`from_json`, dates sorted."""
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "adjusted_workdays": [d.isoformat() for d in sorted(self.adjusted_workdays)],
        }

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.adjusted_workdays or day.weekday() < _SATURDAY


def _parse_dates(label: str, values: Any) -> frozenset[date]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(f"schedule {label} must be a list of ISO dates")
    parsed: set[date] = set()
    for value in values:
        try:
            parsed.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise ValueError(f"schedule {label}: {value!r} is not an ISO date") from None
    return frozenset(parsed)


def _dates(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(days))


@dataclass(frozen=True)
class Deadline:
    """A due date; ``provisional`` if any day counted lay in a year without official schedule."""

    due: date
    provisional: bool
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkingDayCount:
    days: int
    provisional: bool


class WorkingDayCalendar:
    """Working days by official schedule > library > statutory law (DOMAIN.md §10).

    Per-day answers are cached per year; loading a schedule drops that year's cache.
    """

    def __init__(self, schedules: Iterable[YearSchedule] = ()) -> None:
        self._schedules: dict[int, YearSchedule] = {}
        self._cache: dict[int, dict[date, bool]] = {}
        for schedule in schedules:
            self.load_schedule(schedule)

    def load_schedule(self, schedule: YearSchedule) -> None:
        """Use an operator-loaded official schedule for its year, overriding the library."""
        self._schedules[schedule.year] = schedule
        self._cache.pop(schedule.year, None)

    def source_of(self, year: int) -> ScheduleSource:
        if year in self._schedules:
            return "official"
        if _library_covers(year):
            return "library"
        if year >= STATUTORY_FROM_YEAR:
            return "provisional"
        raise UnsupportedYearError(f"no working-day calendar for {year}")

    def day_is_provisional(self, day: date) -> bool:
        return self.source_of(day.year) == "provisional"

    def is_working_day(self, day: date) -> bool:
        year_cache = self._cache.setdefault(day.year, {})
        answer = year_cache.get(day)
        if answer is None:
            answer = year_cache[day] = self._compute_is_working_day(day)
        return answer

    def _compute_is_working_day(self, day: date) -> bool:
        source = self.source_of(day.year)
        if source == "official":
            return self._schedules[day.year].is_working_day(day)
        if source == "library":
            return bool(chinese_calendar.is_workday(day))
        # Provisional: no adjusted working days are known, so a weekend is never a working day.
        return day.weekday() < _SATURDAY and day not in statutory_holidays(day.year)

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day, found = start, 0
        provisional_years: set[int] = set()
        while found < n:
            day += _ONE_DAY
            if self.day_is_provisional(day):
                provisional_years.add(day.year)
            if self.is_working_day(day):
                found += 1
        return Deadline(day, bool(provisional_years), tuple(sorted(provisional_years)))

    def working_days_between(self, start: date, end: date) -> WorkingDayCount:
        """Working days in the interval (``start``, ``end``]; zero if ``end <= start``."""
        days, provisional = 0, False
        day = start + _ONE_DAY
        while day <= end:
            provisional = provisional or self.day_is_provisional(day)
            if self.is_working_day(day):
                days += 1
            day += _ONE_DAY
        return WorkingDayCount(days, provisional)

    def deadline_needs_recompute(self, deadline: Deadline) -> bool:
        """True once every year that made ``deadline`` provisional has a real schedule."""
        return deadline.provisional and all(
            self.source_of(year) != "provisional" for year in deadline.provisional_years
        )
