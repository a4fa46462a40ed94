"""Credit repair in three stages (DOMAIN.md §8, §11; 000 (二十三); 国办发〔2025〕22号): the subject
applies through the credit portal, the portal forwards (10 working days), the deciding authority
grants or refuses (3 working days after forwarding), the result is pushed (3 working days)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain.repairs import CreditCommitment, Evidence
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.entrypoints.http import examples
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller, ListingDep
from jrp_appeals.entrypoints.http.schemas import (
    RepairDecisionBody,
    RepairOverdueRead,
    RepairRead,
    RepairRequest,
    RepairSummaryRead,
)
from jrp_appeals.entrypoints.http.views import (
    repair_overdue_read,
    repair_read,
    repair_summary,
)
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
    """The repairs the caller is party to (the office and the credit portal: all), newest
    first; `overdue=true`: those late at the stage they stand at."""
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


@router.get("/overdue", response_model=list[RepairOverdueRead])
async def overdue_repairs(by: Caller, appeals: AppealsDep) -> list[RepairOverdueRead]:
    """Repairs late at their stage, by stage (`forward`, `decision`, `push`) and deciding
    department, the oldest due first. The office and the credit portal see all, a department
    those it decides; a subject 403 (谁主管、谁负责)."""
    async with appeals.runtime.db.sessions() as session:
        groups = await repairs.overdue(session, appeals.context(), by)
    return [repair_overdue_read(g) for g in groups]


@router.get("/{repair_id}", response_model=RepairRead)
async def get_repair(repair_id: str, by: Caller, appeals: AppealsDep) -> RepairRead:
    return await read_repair(appeals, by, repair_id)


@router.post(
    "/{repair_id}/forwarding",
    response_model=RepairRead,
    responses=examples.answer(examples.REPAIR_FORWARDED),
)
async def forward_repair(repair_id: str, by: Caller, appeals: AppealsDep) -> RepairRead:
    """Stage 1: the credit portal (role `portal`) forwards the application to the deciding
    authority, whose 3 working days start (DOMAIN.md §11). Once only (409
    `already_forwarded`); a late forwarding is recorded as late in the history."""
    async with appeals.runtime.uow() as uow:
        await repairs.forward(uow, appeals.context(), by, repair_id)
    return await read_repair(appeals, by, repair_id)


@router.post(
    "/{repair_id}/decision",
    response_model=RepairRead,
    responses=examples.answer(examples.REPAIR_DECIDED),
)
async def decide_repair(
    repair_id: str, body: RepairDecisionBody, by: Caller, appeals: AppealsDep
) -> RepairRead:
    """Stage 2: the deciding authority (the initiating department unless the catalog names
    another) grants (the entry ends early) or refuses with reasons, once the portal forwarded
    (409 `not_forwarded` before). Stage 3, the push of the result, is its events leaving in
    this commit (`pushed_at`)."""
    async with appeals.runtime.uow() as uow:
        await repairs.decide(
            uow, appeals.context(), by, repair_id, approved=body.approved, reasons=body.reasons
        )
    return await read_repair(appeals, by, repair_id)
