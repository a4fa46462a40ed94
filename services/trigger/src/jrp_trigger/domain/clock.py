"""What time it is, behind one injectable function, and what day that is in China.

Decision dates, periods and overdue flags are calendar days in Asia/Shanghai, whatever the
server's own time zone; tests give the service another `Clock` instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]
"""Returns the current moment, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def china_date(moment: datetime) -> date:
    """The calendar day `moment` falls on in Asia/Shanghai."""
    return moment.astimezone(CHINA).date()
