"""Every service's copy of the official working-day schedules, kept from `calendar.v1`.

An operator loads a year's official schedule into the registry (DOMAIN.md §10); the registry
publishes it, and each service stores it in its own database and its in-memory calendar, then
runs the hooks it registered (`on_schedule_loaded`) in the same transaction: that is where a
service recomputes the provisional deadlines it holds (`WorkingDayCalendar.
deadline_needs_recompute`) and tells the people concerned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import JSON, Column, Integer, MetaData, Table, delete, insert, select

from jrp_shared import api_examples
from jrp_shared.bus.base import Bus
from jrp_shared.calendar import UnsupportedYearError, WorkingDayCalendar, YearSchedule
from jrp_shared.db import Database, UtcDateTime
from jrp_shared.errors import InvalidInput
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.broadcast import Follower
from jrp_shared.messaging.consumer import Handler
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.web import Department

ScheduleHook = Callable[[UnitOfWork, YearSchedule], Awaitable[None]]


def calendar_copy_table(metadata: MetaData) -> Table:
    return Table(
        "calendar_schedules_received",
        metadata,
        Column("year", Integer, primary_key=True),
        Column("schedule", JSON, nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
    )


class CalendarCopy:
    topics = (topics.CALENDAR,)

    def __init__(self, table: Table, calendar: WorkingDayCalendar | None = None) -> None:
        self.table = table
        self.calendar = calendar or WorkingDayCalendar()
        self._hooks: list[ScheduleHook] = []

    def on_schedule_loaded(self, hook: ScheduleHook) -> None:
        """Run `hook` in the transaction that stores a newly arrived schedule."""
        self._hooks.append(hook)

    def handlers(self) -> dict[str, Handler]:
        return {CalendarScheduleLoaded.event_type: self._on_loaded}

    async def _on_loaded(self, uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, CalendarScheduleLoaded)
        schedule = YearSchedule.from_json(payload.model_dump(mode="json"))
        await uow.session.execute(delete(self.table).where(self.table.c.year == schedule.year))
        await uow.session.execute(
            insert(self.table).values(
                year=schedule.year, schedule=schedule.to_json(), received_at=datetime.now(UTC)
            )
        )
        # Loading the same schedule twice is harmless, so the in-memory calendar may run ahead
        # of a transaction that later rolls back: the redelivery loads it again.
        self.calendar.load_schedule(schedule)
        for hook in self._hooks:
            await hook(uow, schedule)

    async def restore(self, db: Database) -> None:
        """At start-up: every schedule this service has received, into its calendar."""
        async with db.sessions() as session:
            for row in await session.execute(select(self.table.c.schedule)):
                self.calendar.load_schedule(YearSchedule.from_json(row.schedule))


async def follow_calendar(bus: Bus, calendar: WorkingDayCalendar, *, name: str) -> None:
    """Every replica's in-memory calendar learns every schedule on `calendar.v1`, not only
    the replica whose consumer-group member stored it (a task of the service, until
    cancelled). Read from the topic's beginning, so a schedule published before this
    replica started and not yet stored in its database is not missed; loading one twice is
    harmless, and the last one published for a year wins, as in the stored copy."""

    def apply(_envelope: Envelope, payload: EventPayload) -> None:
        if isinstance(payload, CalendarScheduleLoaded):
            calendar.load_schedule(YearSchedule.from_json(payload.model_dump(mode="json")))

    await Follower(bus, [topics.CALENDAR], name=name, from_beginning=True).run(apply)


class DeadlineRead(BaseModel):
    start: date
    working_days: int
    due: date
    provisional: bool
    provisional_years: list[int]


def deadline_router(calendar_of: Callable[[Request], WorkingDayCalendar]) -> APIRouter:
    """`GET /v1/calendar/deadline`, answered from the service's own calendar."""
    router = APIRouter(prefix="/v1/calendar", tags=["calendar"])

    @router.get(
        "/deadline",
        response_model=DeadlineRead,
        responses=api_examples.answer(api_examples.DEADLINE),
    )
    async def deadline(
        request: Request,
        _by: Department,
        start: date,
        working_days: Annotated[int, Query(ge=1, le=400)],
    ) -> DeadlineRead:
        """The n-th working day after `start`; provisional where a year has no official
        schedule yet (DOMAIN.md §10)."""
        try:
            result = calendar_of(request).add_working_days(start, working_days)
        except (UnsupportedYearError, OverflowError) as exc:
            raise InvalidInput.for_field(
                "query.start", "calendar_not_covered", f"no working-day calendar covers it: {exc}"
            ) from exc
        return DeadlineRead(
            start=start,
            working_days=working_days,
            due=result.due,
            provisional=result.provisional,
            provisional_years=list(result.provisional_years),
        )

    return router
