"""Deletion deadlines (法释〔2017〕7号 第十条: the court deletes a listing within three working
days once obligations are performed, and in six other cases; DOMAIN.md §11 "Court list").

The initiating department records the ground (here, on a feed's deletion line, or with the
revocation); the deletion is then due `deletion.deadline_working_days` working days after the
ground arose (the service's calendar copy, DOMAIN.md §10), and the revocation meets it on time
or late.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jrp_shared.web import Department, Offset
from jrp_trigger.adapters.repositories import DeletionRepository
from jrp_trigger.domain.sync import DeletionState, deletion_state, working_days_late
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.entrypoints.http.deps import Initiator, TriggerDep
from jrp_trigger.entrypoints.http.entries import read_entry
from jrp_trigger.entrypoints.http.schemas import EntryRead
from jrp_trigger.service_layer import handlers

router = APIRouter(prefix="/v1/list-entries", tags=["deletion deadlines"])

OFFICE = "credit-office"
"""The joint conference office sees every department's deletions."""


class DeletionGroundRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [examples.DELETION_GROUND]},
    )

    ground: str = Field(min_length=1, max_length=100, description="one of the list type's codes")
    arose_on: date = Field(description="the day the ground arose; not in the future")


class DeletionRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DELETION]})

    entry_id: str
    record_id: str
    department: str
    list_type: str
    ground: str
    arose_on: date
    due: date = Field(description="the working day the deletion is due by")
    due_provisional: bool = Field(
        description="counted without the official schedule of a year it reaches (DOMAIN.md "
        "§10); computed again when the schedule arrives"
    )
    deleted_on: date | None = Field(description="the day (China) the entry was revoked")
    state: DeletionState
    working_days_late: int = Field(
        description="after `due`: until the deletion, or until today while it is overdue"
    )


@router.get("/deletions", response_model=list[DeletionRead])
async def list_deletions(
    by: Department,
    trigger: TriggerDep,
    state: Annotated[DeletionState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[DeletionRead]:
    """Entries with a deletion ground, earliest due first: the department's own; the joint
    conference office (`credit-office`) sees every department's."""
    today = trigger.today()
    calendar = trigger.copies.calendar.calendar
    async with trigger.runtime.db.sessions() as session:
        rows = await DeletionRepository(session).search(
            department=None if by.department_code == OFFICE else by.department_code,
            state=None if state is None else state.value,
            today=today,
            limit=limit,
            offset=offset,
        )
    return [
        DeletionRead(
            entry_id=r.entry_id,
            record_id=r.record_id,
            department=r.department,
            list_type=r.list_type,
            ground=r.ground,
            arose_on=r.arose_on,
            due=r.due,
            due_provisional=r.due_provisional,
            deleted_on=r.deleted_on,
            state=deletion_state(r.due, r.deleted_on, today),
            working_days_late=working_days_late(r.due, r.deleted_on, today, calendar),
        )
        for r in rows
    ]


@router.post("/{entry_id}/deletion-ground", response_model=EntryRead)
async def record_deletion_ground(
    entry_id: str, body: DeletionGroundRequest, by: Initiator, trigger: TriggerDep
) -> EntryRead:
    """Record why the entry must be deleted (the initiating department only); the deletion
    is then due within the list type's working days."""
    async with trigger.runtime.uow() as uow:
        await handlers.record_deletion_ground(
            uow, entry_id, body.ground, body.arose_on, trigger.submissions_by(by.department_code)
        )
    return await read_entry(trigger, entry_id, by.department_code)
