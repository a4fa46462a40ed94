"""Recognition meetings: votes of the convened departments and the random draw of experts
(DOMAIN.md §5 step 2, 002 二(二)2)."""

from __future__ import annotations

from fastapi import APIRouter

from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.web import Department
from jrp_trigger.entrypoints.http.deps import TriggerDep
from jrp_trigger.entrypoints.http.entries import read_entry
from jrp_trigger.entrypoints.http.schemas import (
    EntryRead,
    ExpertDrawRead,
    ExpertDrawRequest,
    VoteRequest,
)
from jrp_trigger.entrypoints.http.views import draw_read
from jrp_trigger.service_layer import handlers

router = APIRouter(prefix="/v1/list-entries/{entry_id}/recognition", tags=["recognition"])


@router.post("/votes", response_model=EntryRead)
async def vote(entry_id: str, body: VoteRequest, by: Department, trigger: TriggerDep) -> EntryRead:
    """One vote per convened department (the list type's initiating departments); all approve:
    in force and sent to enforcement; any rejects: rejected, never sent."""
    async with trigger.runtime.uow() as uow:
        await handlers.vote(
            uow,
            entry_id,
            department=by.department_code,
            choice=body.vote,
            comment=body.comment,
            clock=trigger.clock,
        )
    return await read_entry(trigger, entry_id, by.department_code)


@router.post("/expert-draw", response_model=ExpertDrawRead)
async def expert_draw(
    entry_id: str, body: ExpertDrawRequest, by: Department, trigger: TriggerDep
) -> ExpertDrawRead:
    """Draw `count` experts: `random.Random(seed).sample(sorted(set(pool)), count)`, recorded
    with its seed, pool and who drew it (a convened department or the joint conference
    office)."""
    async with trigger.runtime.uow() as uow:
        draw = await handlers.draw_experts(
            uow,
            entry_id,
            department=by.department_code,
            administrator=ROLE_ADMINISTRATOR in by.roles,
            pool=body.pool,
            count=body.count,
            seed=body.seed,
            clock=trigger.clock,
        )
    return draw_read(draw)
