"""Working-day countdowns of the inboxes (DOMAIN.md §10: deadlines are Chinese working days,
provisional where a year has no official schedule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from jrp_shared.calendar import WorkingDayCalendar


@dataclass(frozen=True)
class Countdown:
    """How long an officer has left before a due day.

    `working_days_left`: working days after today up to and including the due day (0 when the
    due day is today or only non-working days remain); negative when overdue, counting the
    working days after the due day up to and including today."""

    due: date
    working_days_left: int
    overdue: bool
    provisional: bool

    @property
    def due_today(self) -> bool:
        return not self.overdue and self.working_days_left == 0


def countdown(calendar: WorkingDayCalendar, due: date, today: date) -> Countdown:
    provisional = calendar.day_is_provisional(due) or calendar.day_is_provisional(today)
    if today > due:
        late = calendar.working_days_between(due, today).days
        return Countdown(due, -max(late, 1), True, provisional)
    left = calendar.working_days_between(today, due).days
    return Countdown(due, left, False, provisional)


def parse_day(value: Any) -> date | None:
    """A due day from an API answer (`2026-12-03` or a date-time); None when absent."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


T = TypeVar("T")


def by_due(items: Iterable[tuple[date | None, T]]) -> list[T]:
    """Earliest due first; items without a due day last, in their given order."""
    listed = list(items)
    order = sorted(
        range(len(listed)),
        key=lambda i: (listed[i][0] is None, listed[i][0] or date.max, i),
    )
    return [listed[i][1] for i in order]
