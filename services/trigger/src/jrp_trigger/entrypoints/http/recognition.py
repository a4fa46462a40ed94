"""Recognition meetings (DOMAIN.md §5 step 2, 002 二(二)2): the convened departments' votes,
the draw of experts from the platform's pool with a seed the platform makes, the drawn experts'
votes, and the joint conference office's decision on cases spanning several groups."""

from __future__ import annotations

from fastapi import APIRouter

from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import NotFound
from jrp_shared.web import Department
from jrp_trigger.adapters.repositories import EntryRepository
from jrp_trigger.entrypoints.http.deps import TriggerDep
from jrp_trigger.entrypoints.http.entries import read_entry
from jrp_trigger.entrypoints.http.schemas import (
    EntryRead,
    EscalationDecisionRequest,
    ExpertDrawRead,
    ExpertDrawRequest,
    ExpertVoteRequest,
    VoteRequest,
)
from jrp_trigger.entrypoints.http.views import draw_read
from jrp_trigger.service_layer import recognition

router = APIRouter(prefix="/v1/list-entries/{entry_id}/recognition", tags=["recognition"])


@router.post("/votes", response_model=EntryRead)
async def vote(entry_id: str, body: VoteRequest, by: Department, trigger: TriggerDep) -> EntryRead:
    """One vote per convened department (the list type's initiating departments). The entry
    enters force (and is sent) when every department approves and a majority of the drawn
    experts approve; one department's rejection rejects it, never sent."""
    async with trigger.runtime.uow() as uow:
        await recognition.vote(
            uow,
            entry_id,
            department=by.department_code,
            choice=body.vote,
            comment=body.comment,
            clock=trigger.clock,
            exchange=trigger.exchange,
            expert_share=trigger.settings.recognition_expert_share,
            officer=by.officer,
        )
    return await read_entry(trigger, entry_id, by.department_code)


@router.post("/expert-draw", response_model=ExpertDrawRead)
async def expert_draw(
    entry_id: str, body: ExpertDrawRequest, by: Department, trigger: TriggerDep
) -> ExpertDrawRead:
    """Draw `count` experts from the current pool of the list type's special group (the office
    keeps it: `PUT /v1/expert-pools/{group}`), without the initiating department's experts,
    with a seed the platform makes (`secrets`); a convened department or the office draws.
    One draw per meeting (409 after it); the office alone draws again, giving `reason`. A body
    with `seed` or `pool` is refused (422 `draw_chosen_by_platform`)."""
    async with trigger.runtime.uow() as uow:
        draw = await recognition.draw_experts(
            uow,
            entry_id,
            department=by.department_code,
            administrator=ROLE_ADMINISTRATOR in by.roles,
            count=body.count,
            reason=body.reason,
            clock=trigger.clock,
        )
    return draw_read(draw)


@router.get("/expert-draw", response_model=list[ExpertDrawRead])
async def expert_draws(entry_id: str, by: Department, trigger: TriggerDep) -> list[ExpertDrawRead]:
    """Every draw of the meeting with what redoing it needs: seed, pool group and version, the
    pool's member ids, the excluded and the candidates; `experts` must equal
    `random.Random(seed).sample(candidates, count)` (`jrp_shared.experts.draw_experts`). Any
    department may check."""
    async with trigger.runtime.db.sessions() as session:
        entry = await EntryRepository(session).get(entry_id)
    if entry is None:
        raise NotFound(f"no list entry {entry_id}")
    return [draw_read(d) for d in entry.draws]


@router.post("/expert-votes", response_model=EntryRead)
async def expert_vote(
    entry_id: str, body: ExpertVoteRequest, by: Department, trigger: TriggerDep
) -> EntryRead:
    """A drawn expert's vote, recorded by the office (`administrator`) from the meeting's
    signed minutes: the experts hold no platform credentials. One per expert and version."""
    by.require(ROLE_ADMINISTRATOR)
    async with trigger.runtime.uow() as uow:
        await recognition.expert_vote(
            uow,
            entry_id,
            expert_id=body.expert_id,
            choice=body.vote,
            comment=body.comment,
            by=by.department_code,
            clock=trigger.clock,
            exchange=trigger.exchange,
            expert_share=trigger.settings.recognition_expert_share,
            officer=by.officer,
        )
    return await read_entry(trigger, entry_id, by.department_code)


@router.post("/escalation/decision", response_model=EntryRead)
async def escalation_decision(
    entry_id: str, body: EscalationDecisionRequest, by: Department, trigger: TriggerDep
) -> EntryRead:
    """The joint conference office (`administrator`) decides a case spanning several special
    groups (002 二(二)2): approve puts it in force (and sends it), reject rejects it."""
    by.require(ROLE_ADMINISTRATOR)
    async with trigger.runtime.uow() as uow:
        await recognition.decide_escalated(
            uow,
            entry_id,
            decision=body.decision,
            reason=body.reason,
            by=by.department_code,
            clock=trigger.clock,
            exchange=trigger.exchange,
            officer=by.officer,
        )
    return await read_entry(trigger, entry_id, by.department_code)
