"""Complaints to the joint conference office, which may draw experts and decides
(002 二(三)2). Filed at `POST /v1/objections/{id}/complaint`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.entrypoints.http import examples
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller, ListingDep
from jrp_appeals.entrypoints.http.schemas import (
    ComplaintRead,
    ComplaintSummaryRead,
    DecisionRequestBody,
    ExpertDrawRead,
    ExpertDrawRequest,
)
from jrp_appeals.entrypoints.http.views import complaint_read, complaint_summary, draw_read
from jrp_appeals.service_layer import cases
from jrp_shared.vocabulary import CaseKind, CaseState

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])


async def read_complaint(appeals: Appeals, viewer: Viewer, complaint_id: str) -> ComplaintRead:
    async with appeals.runtime.db.sessions() as session:
        view = await cases.read_case(session, viewer, complaint_id, CaseKind.COMPLAINT)
    return complaint_read(view, viewer, appeals.today())


@router.get("", response_model=list[ComplaintSummaryRead])
async def list_complaints(
    by: Caller,
    appeals: AppealsDep,
    listing: ListingDep,
    state: Annotated[CaseState | None, Query()] = None,
) -> list[ComplaintSummaryRead]:
    """The complaints the caller is party to (the office: all), newest first."""
    async with appeals.runtime.db.sessions() as session:
        found = await cases.list_cases(
            session,
            appeals.context(),
            by,
            CaseKind.COMPLAINT,
            state,
            listing,
        )
    today = appeals.today()
    return [complaint_summary(c, by, today) for c in found]


@router.get("/{complaint_id}", response_model=ComplaintRead)
async def get_complaint(complaint_id: str, by: Caller, appeals: AppealsDep) -> ComplaintRead:
    return await read_complaint(appeals, by, complaint_id)


@router.post(
    "/{complaint_id}/expert-draw",
    status_code=status.HTTP_201_CREATED,
    response_model=ExpertDrawRead,
)
async def draw_experts(
    complaint_id: str, body: ExpertDrawRequest, by: Caller, appeals: AppealsDep
) -> ExpertDrawRead:
    """Draw `count` experts: `random.Random(seed).sample(sorted(set(pool)), count)`, recorded
    with its seed (generated when absent) so anyone can redo it. The office only."""
    async with appeals.runtime.uow() as uow:
        draw = await cases.draw_experts(
            uow,
            appeals.context(),
            by,
            complaint_id,
            pool=body.pool,
            count=body.count,
            seed=body.seed,
        )
    return draw_read(draw)


@router.post(
    "/{complaint_id}/decision",
    response_model=ComplaintRead,
    responses=examples.answer(examples.COMPLAINT_DECIDED),
)
async def decide_complaint(
    complaint_id: str, body: DecisionRequestBody, by: Caller, appeals: AppealsDep
) -> ComplaintRead:
    """The office's answer, with the outcomes of an objection; the subject is notified."""
    async with appeals.runtime.uow() as uow:
        await cases.decide_complaint(uow, appeals.context(), by, complaint_id, body.command())
    return await read_complaint(appeals, by, complaint_id)
