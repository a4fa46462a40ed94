"""Working-day calendar: official schedules loaded by an operator; deadlines (DOMAIN.md §10)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from jrp_registry.adapters.repositories import CalendarRepository
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import Administrator, RegistryDep
from jrp_registry.service_layer import handlers
from jrp_shared.calendar import YearSchedule
from jrp_shared.errors import InvalidInput
from jrp_shared.web import Department

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])


@router.get("/schedules", responses=examples.answer([examples.SCHEDULE_2026]))
async def list_schedules(_by: Department, registry: RegistryDep) -> list[dict[str, Any]]:
    async with registry.runtime.db.sessions() as session:
        return [s.to_json() for s in await CalendarRepository(session).all()]


@router.put("/schedules/{year}", responses=examples.answer(examples.SCHEDULE_2026))
async def load_schedule(
    year: int,
    by: Administrator,
    registry: RegistryDep,
    body: Annotated[
        dict[str, Any],
        Body(
            description="YearSchedule JSON (see docs)",
            openapi_examples=examples.body(
                "the State Council's 2026 schedule", examples.SCHEDULE_2026_BODY
            ),
        ),
    ],
) -> dict[str, Any]:
    """Load a year's official schedule (国务院办公厅 notice); provisional deadlines recompute."""
    try:
        schedule = YearSchedule.from_json({**body, "year": year})
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.for_field("body", "schedule", str(exc)) from exc
    async with registry.runtime.uow() as uow:
        await handlers.load_calendar_schedule(uow, schedule, by.department_code)
    registry.calendar.load_schedule(schedule)
    return schedule.to_json()
