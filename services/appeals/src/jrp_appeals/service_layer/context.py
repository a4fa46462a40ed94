"""What the appeals use cases need besides a unit of work, built once per request or
message from the wired service (so a test that moves the clock moves it for the next call)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters.catalog_reads import list_type_of
from jrp_appeals.config import AppealsSettings
from jrp_appeals.domain.entries import EntryCopy
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import Clock, china_date
from jrp_shared.errors import Conflict
from jrp_shared.events.payloads import ListTypePublished


@dataclass(frozen=True)
class Listing:
    """Which page of cases or repairs a party asks for (every listing takes the same)."""

    overdue: bool
    """Only open (pending) ones past their due date, today in China."""
    entry_id: str | None
    limit: int
    offset: int


@dataclass(frozen=True)
class AppealsContext:
    settings: AppealsSettings
    calendar: WorkingDayCalendar
    catalog: CatalogCopy
    clock: Clock

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in China: due dates and overdue flags are judged by it (DOMAIN.md §10)."""
        return china_date(self.clock())

    async def list_type(self, session: AsyncSession, entry: EntryCopy) -> ListTypePublished:
        found = await list_type_of(
            session, self.catalog, entry.list_type, entry.list_type_version, self.today()
        )
        if found is None:
            # Suspension and repair rules are catalog data (DOMAIN.md §11): never guessed.
            raise Conflict(
                f"this service's catalog copy has no list type {entry.list_type!r} yet; "
                "retry once the registry's catalog has reached it"
            )
        return found

    async def procedure(self, session: AsyncSession, entry: EntryCopy) -> ListTypePublished:
        """The list type version whose procedure a case filed today follows: the one in force
        today (a 2015 listing of the court's list is reviewed under today's rules, 法释〔2017〕7号
        第十二条), else the entry's own."""
        today = await self.catalog.list_type_in_force(session, entry.list_type, self.today())
        return today if today is not None else await self.list_type(session, entry)
