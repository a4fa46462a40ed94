"""List entries: post, read, list, correct, revoke (DOMAIN.md §5 step 1, §7). Reads show a
suspended entry's case and a repaired entry's repair (§7, §8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_EXCHANGE
from jrp_shared.errors import InvalidInput, NotFound
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.vocabulary import ListEntryStatus
from jrp_shared.web import Department, Offset
from jrp_trigger.adapters.repositories import EntryRepository, OrderStatusRepository
from jrp_trigger.bootstrap import Trigger
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.entrypoints.http.deps import Submitter, TriggerDep
from jrp_trigger.entrypoints.http.schemas import (
    EntryCorrection,
    EntryRead,
    EntrySummaryRead,
    RevocationRequest,
)
from jrp_trigger.entrypoints.http.views import entry_read, summary_read
from jrp_trigger.service_layer import handlers

router = APIRouter(prefix="/v1/list-entries", tags=["list entries"])


async def read_entry(trigger: Trigger, entry_id: str, viewer: str) -> EntryRead:
    async with trigger.runtime.db.sessions() as session:
        entry = await EntryRepository(session).get(entry_id)
        if entry is None:
            raise NotFound(f"no list entry {entry_id}")
        statuses = await OrderStatusRepository(session).for_entry(entry_id)
    return entry_read(
        entry,
        statuses,
        viewer=viewer,
        today=trigger.today(),
        expert_share=trigger.settings.recognition_expert_share,
    )


def present(trigger: Trigger, entry: ListEntry, viewer: str) -> EntryRead:
    """An entry just changed: no order can have moved with it, so none are shown."""
    return entry_read(
        entry,
        [],
        viewer=viewer,
        today=trigger.today(),
        expert_share=trigger.settings.recognition_expert_share,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EntryRead,
    responses={200: {"description": "the same record id and content was posted before"}},
)
async def post_entry(
    body: Annotated[ListEntrySubmission, Body(openapi_examples=examples.SUBMISSIONS)],
    by: Submitter,
    trigger: TriggerDep,
    response: Response,
) -> EntryRead:
    """Record a list entry for the posting department (the token's). Posting the same record
    id and content again returns the same entry (200); another content under it is a 409.
    Another platform (role `exchange`) posts other regions' entries, each with its `origin`
    (422 `origin_required` without); anyone else sending `origin` is 403 `origin_not_allowed`
    (DOMAIN.md §11; docs/exchange.md)."""
    ctx = trigger.submissions_by(
        by.department_code, exchange_partner=ROLE_EXCHANGE in by.roles, officer=by.officer
    )
    async with trigger.runtime.uow() as uow:
        outcome = await handlers.post_entry(uow, body, ctx)
    if isinstance(outcome, handlers.Created):
        return present(trigger, outcome.entry, by.department_code)
    response.status_code = status.HTTP_200_OK
    return await read_entry(trigger, outcome.entry_id, by.department_code)


@router.get("", response_model=list[EntrySummaryRead])
async def list_entries(
    by: Department,
    trigger: TriggerDep,
    subject_code: Annotated[str | None, Query(max_length=18)] = None,
    list_type: Annotated[str | None, Query(max_length=100)] = None,
    entry_status: Annotated[ListEntryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[EntrySummaryRead]:
    """The department's own entries, newest first; administrators see every department's."""
    administrator = ROLE_ADMINISTRATOR in by.roles
    async with trigger.runtime.db.sessions() as session:
        found = await EntryRepository(session).search(
            department=None if administrator else by.department_code,
            subject_code=subject_code,
            list_type=list_type,
            status=entry_status,
            today=trigger.today(),
            limit=limit,
            offset=offset,
        )
    return [summary_read(s, viewer=by.department_code) for s in found]


@router.get("/{entry_id}", response_model=EntryRead)
async def get_entry(entry_id: str, by: Department, trigger: TriggerDep) -> EntryRead:
    """The entry with its versions, recognition, and every implementing department's orders
    (receipt, feedback per measure, overdue flags against today in China)."""
    return await read_entry(trigger, entry_id, by.department_code)


@router.post("/{entry_id}/corrections", response_model=EntryRead)
async def correct_entry(
    entry_id: str, body: EntryCorrection, by: Department, trigger: TriggerDep
) -> EntryRead:
    """A new version (the initiating department only; the same checks as a submission). An
    entry in force is sent again with version + 1. A suspended entry is 409: it is corrected
    through the decision of the objection or complaint suspending it (on appeals)."""
    async with trigger.runtime.uow() as uow:
        await handlers.correct_entry(
            uow,
            entry_id,
            body,
            body.reason,
            trigger.submissions_by(by.department_code),
            officer=by.officer,
        )
    return await read_entry(trigger, entry_id, by.department_code)


@router.post("/{entry_id}/revocation", response_model=EntryRead)
async def revoke_entry(
    entry_id: str, body: RevocationRequest, by: Department, trigger: TriggerDep
) -> EntryRead:
    """Withdraw the entry (the initiating department only, suspended or not); enforcement
    lifts its measures. With `deletion_ground` and `ground_arose_on` the deletion deadline it
    meets is recorded first (法释〔2017〕7号 第十条)."""
    if (body.deletion_ground is None) != (body.ground_arose_on is None):
        missing = "ground_arose_on" if body.ground_arose_on is None else "deletion_ground"
        raise InvalidInput.for_field(
            f"body.{missing}",
            "deletion_ground_incomplete",
            "give deletion_ground and ground_arose_on together, or neither",
        )
    ground = (
        None
        if body.deletion_ground is None or body.ground_arose_on is None
        else (body.deletion_ground, body.ground_arose_on)
    )
    async with trigger.runtime.uow() as uow:
        await handlers.revoke_entry(
            uow,
            entry_id,
            reason=body.reason,
            by=by.department_code,
            clock=trigger.clock,
            ground=ground,
            ctx=trigger.submissions_by(by.department_code),
            exchange=trigger.exchange,
            officer=by.officer,
        )
    return await read_entry(trigger, entry_id, by.department_code)
