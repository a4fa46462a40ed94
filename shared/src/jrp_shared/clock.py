"""What time it is, behind one injectable function, and what day that is in China.

Decision dates, periods, deadlines, overdue flags and expiry are judged by the calendar date in
Asia/Shanghai (DOMAIN.md §10: Chinese working days), whatever the server's own time zone. Tests
move time by giving the service another `Clock` instead of sleeping.
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
