"""Due dates of cases and repairs, in Chinese working days (DOMAIN.md §10).

Every count starts the day after the event's date in China and skips weekends and holidays on
the working-day calendar; a due date that reaches a year whose official schedule is not out yet
is provisional (computed from the statutory holidays) and shown so. The numbers of days are
settings (DOMAIN.md §11), passed in.
"""

from __future__ import annotations

import calendar as gregorian
from datetime import date
from typing import Protocol

from jrp_shared.calendar import Deadline
from jrp_shared.vocabulary import CaseState


class WorkingDays(Protocol):
    def add_working_days(self, start: date, n: int) -> Deadline: ...


def due_after(calendar: WorkingDays, on: date, working_days: int) -> Deadline:
    """The `working_days`-th working day after `on` (000 (二十四): 20 for an objection)."""
    return calendar.add_working_days(on, working_days)


def is_overdue(state: CaseState, due: date, today: date) -> bool:
    """Still open after its due date (the due date itself is still in time)."""
    return state is CaseState.OPEN and today > due


def add_months(day: date, months: int) -> date:
    """Calendar months later; a day the target month lacks becomes its last day
    (2025-08-31 + 6 months = 2026-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, gregorian.monthrange(year, month)[1]))
