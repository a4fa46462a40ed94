"""Objections: filed by the subject or an implementing department, decided by the information
provider within 20 working days (DOMAIN.md §7, 000 (二十四)), or within the list type's own
review (the court's list: 15 days, 法释〔2017〕7号 第十二条); the complaint about the answer, and
under the list type's own review the appeal to the higher court, are filed here too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.entrypoints.http import examples
from jrp_appeals.entrypoints.http.complaints import read_complaint
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller, ListingDep
from jrp_appeals.entrypoints.http.schemas import (
    AppealDecisionBody,
    AppealRequest,
    ComplaintRead,
    ComplaintRequest,
    DecisionRequestBody,
    ObjectionRead,
    ObjectionRequest,
    ObjectionSummaryRead,
)
from jrp_appeals.entrypoints.http.views import objection_read, objection_summary
from jrp_appeals.service_layer import cases
from jrp_shared.vocabulary import CaseKind, CaseState

router = APIRouter(prefix="/v1/objections", tags=["objections"])


async def read_objection(appeals: Appeals, viewer: Viewer, objection_id: str) -> ObjectionRead:
    async with appeals.runtime.db.sessions() as session:
        view = await cases.read_case(session, viewer, objection_id, CaseKind.OBJECTION)
    return objection_read(view, viewer, appeals.today())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ObjectionRead)
async def file_objection(body: ObjectionRequest, by: Caller, appeals: AppealsDep) -> ObjectionRead:
    """Object to an entry (the subject, or an implementing department that found an error).
    The due date is 20 working days on, or the list type's own review days (the court's list:
    15 calendar days, 法释〔2017〕7号 第十二条); `suspends` tells whether the list type suspends the
    measures meanwhile (trigger does it on `ObjectionFiled`)."""
    async with appeals.runtime.uow() as uow:
        case = await cases.file_objection(
            uow,
            appeals.context(),
            by,
            entry_id=body.entry_id,
            grounds=body.grounds,
            evidence_references=body.evidence_references,
        )
    return await read_objection(appeals, by, case.case_id)


@router.get("", response_model=list[ObjectionSummaryRead])
async def list_objections(
    by: Caller,
    appeals: AppealsDep,
    listing: ListingDep,
    state: Annotated[CaseState | None, Query()] = None,
) -> list[ObjectionSummaryRead]:
    """The objections the caller is party to (the office: all), newest first."""
    async with appeals.runtime.db.sessions() as session:
        found = await cases.list_cases(
            session,
            appeals.context(),
            by,
            CaseKind.OBJECTION,
            state,
            listing,
        )
    today = appeals.today()
    return [objection_summary(c, by, today) for c in found]


@router.get("/{objection_id}", response_model=ObjectionRead)
async def get_objection(objection_id: str, by: Caller, appeals: AppealsDep) -> ObjectionRead:
    """The case with its decision, restoration duty, complaint and history."""
    return await read_objection(appeals, by, objection_id)


@router.post(
    "/{objection_id}/decision",
    response_model=ObjectionRead,
    responses=examples.answer(examples.OBJECTION_DECIDED),
)
async def decide_objection(
    objection_id: str, body: DecisionRequestBody, by: Caller, appeals: AppealsDep
) -> ObjectionRead:
    """The information provider's answer; the subject is notified."""
    async with appeals.runtime.uow() as uow:
        await cases.decide_objection(uow, appeals.context(), by, objection_id, body.command())
    return await read_objection(appeals, by, objection_id)


@router.post(
    "/{objection_id}/complaint", status_code=status.HTTP_201_CREATED, response_model=ComplaintRead
)
async def file_complaint(
    objection_id: str, body: ComplaintRequest, by: Caller, appeals: AppealsDep
) -> ComplaintRead:
    """The subject complains to the joint conference office about the answer, within the
    complaint window after the decision (002 二(三)2)."""
    async with appeals.runtime.uow() as uow:
        complaint = await cases.file_complaint(
            uow,
            appeals.context(),
            by,
            objection_id,
            grounds=body.grounds,
            evidence_references=body.evidence_references,
        )
    return await read_complaint(appeals, by, complaint.case_id)


@router.post(
    "/{objection_id}/appeal",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionRead,
    responses=examples.answer(examples.COURT_APPEALED, status.HTTP_201_CREATED),
)
async def file_appeal(
    objection_id: str, body: AppealRequest, by: Caller, appeals: AppealsDep
) -> ObjectionRead:
    """Appeal a dismissed objection to the higher court the list type names (the subject, or
    the department that objected), within the appeal window after the decision
    (法释〔2017〕7号 第十二条: 10 days). The listing stays in force. 409 `appeal_window_closed`
    (`closes_on`), `not_dismissed`, `not_decided`, `appeal_exists`, `no_objection_review`."""
    async with appeals.runtime.uow() as uow:
        await cases.file_appeal(
            uow,
            appeals.context(),
            by,
            objection_id,
            grounds=body.grounds,
            evidence_references=body.evidence_references,
        )
    return await read_objection(appeals, by, objection_id)


@router.post(
    "/{objection_id}/appeal-decision",
    response_model=ObjectionRead,
    responses=examples.answer(examples.COURT_APPEAL_DECIDED),
)
async def decide_appeal(
    objection_id: str, body: AppealDecisionBody, by: Caller, appeals: AppealsDep
) -> ObjectionRead:
    """The higher court's answer (only the list type's appeal department), within the appeal's
    decision days (15). Upheld: the listing court must correct within the correction working
    days (3), tracked on the objection."""
    async with appeals.runtime.uow() as uow:
        await cases.decide_appeal(uow, appeals.context(), by, objection_id, body.command())
    return await read_objection(appeals, by, objection_id)
