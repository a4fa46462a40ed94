"""Credit repair: the subject applies, the department that decided grants or refuses
(DOMAIN.md §8, §11; 000 (二十三))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain.repairs import CreditCommitment, Evidence
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller, ListingDep
from jrp_appeals.entrypoints.http.schemas import (
    RepairDecisionBody,
    RepairRead,
    RepairRequest,
    RepairSummaryRead,
)
from jrp_appeals.entrypoints.http.views import repair_read, repair_summary
from jrp_appeals.service_layer import repairs
from jrp_shared.vocabulary import RepairState

router = APIRouter(prefix="/v1/repairs", tags=["repairs"])


async def read_repair(appeals: Appeals, viewer: Viewer, repair_id: str) -> RepairRead:
    async with appeals.runtime.db.sessions() as session:
        repair = await repairs.read(session, viewer, repair_id)
    return repair_read(repair, viewer, appeals.today())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RepairRead)
async def apply_for_repair(body: RepairRequest, by: Caller, appeals: AppealsDep) -> RepairRead:
    """The subject applies, with the evidence the list type's repair rules require and a
    public credit commitment. Refusals name the rule: `not_repairable`, `too_early` (with the
    earliest date), missing evidence kinds, a route not open to the applicant."""
    application = repairs.Application(
        entry_id=body.entry_id,
        route=body.route,
        evidence=tuple(Evidence(e.kind, e.reference) for e in body.evidence),
        commitment=CreditCommitment(body.credit_commitment.text, body.credit_commitment.signed_on),
    )
    async with appeals.runtime.uow() as uow:
        repair = await repairs.apply(uow, appeals.context(), by, application)
    return await read_repair(appeals, by, repair.repair_id)


@router.get("", response_model=list[RepairSummaryRead])
async def list_repairs(
    by: Caller,
    appeals: AppealsDep,
    listing: ListingDep,
    state: Annotated[RepairState | None, Query()] = None,
) -> list[RepairSummaryRead]:
    """The repairs the caller is party to (the office: all), newest first."""
    async with appeals.runtime.db.sessions() as session:
        found = await repairs.search(
            session,
            appeals.context(),
            by,
            state,
            listing,
        )
    today = appeals.today()
    return [repair_summary(r, by, today) for r in found]


@router.get("/{repair_id}", response_model=RepairRead)
async def get_repair(repair_id: str, by: Caller, appeals: AppealsDep) -> RepairRead:
    return await read_repair(appeals, by, repair_id)


@router.post("/{repair_id}/decision", response_model=RepairRead)
async def decide_repair(
    repair_id: str, body: RepairDecisionBody, by: Caller, appeals: AppealsDep
) -> RepairRead:
    """The initiating department grants (the entry ends early) or refuses with reasons."""
    async with appeals.runtime.uow() as uow:
        await repairs.decide(
            uow, appeals.context(), by, repair_id, approved=body.approved, reasons=body.reasons
        )
    return await read_repair(appeals, by, repair_id)
