"""Provisional deletion deadlines made final (DOMAIN.md §10): when an official schedule
arrives, every deletion deadline counted without it is counted again on the calendar that now
knows the year. Runs in the transaction that stores the schedule (no commit here)."""

from __future__ import annotations

from jrp_shared.calendar import WorkingDayCalendar, YearSchedule
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_trigger.adapters.repositories import DeletionRepository

log = get_logger(__name__)


async def recompute_provisional(
    uow: UnitOfWork, calendar: WorkingDayCalendar, schedule: YearSchedule
) -> int:
    """Returns how many deadlines were counted again."""
    repo = DeletionRepository(uow.session)
    grounds = [(entry_id, g.recomputed(calendar)) for entry_id, g in await repo.provisional()]
    await repo.set_dues(grounds)
    if grounds:
        log.info("deletion deadlines recomputed", year=schedule.year, entries=len(grounds))
    return len(grounds)
