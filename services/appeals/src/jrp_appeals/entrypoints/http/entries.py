"""This service's copy of list entries, as cases and repairs see them (read only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jrp_appeals.adapters.repositories import EntryRepository
from jrp_appeals.domain.visibility import may_see_entry, require_entry
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller
from jrp_appeals.entrypoints.http.schemas import EntryRead
from jrp_appeals.entrypoints.http.views import entry_read
from jrp_appeals.service_layer.guidance import guidance_of
from jrp_shared.errors import InvalidInput
from jrp_shared.web import Offset

router = APIRouter(prefix="/v1/entries", tags=["entries (this service's copy)"])


@router.get("", response_model=list[EntryRead])
async def list_entries(
    by: Caller,
    appeals: AppealsDep,
    subject_code: Annotated[
        str | None,
        Query(
            min_length=18,
            max_length=18,
            description="whose entries (departments: required; a subject sees only its own)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[EntryRead]:
    """The entries a subject is listed on or linked to: what it may object to or ask to
    repair (DOMAIN.md §7, §8). A subject token lists its own whatever `subject_code` says;
    a department names the subject and sees the entries it may see."""
    code = by.subject_code or (subject_code or "").strip().upper()
    if not code:
        raise InvalidInput.for_field(
            "query.subject_code", "missing", "a department names the subject: ?subject_code="
        )
    today = appeals.today()
    async with appeals.runtime.db.sessions() as session:
        found = await EntryRepository(session).concerning(code, limit=limit, offset=offset)
        return [
            entry_read(e, by, today, await guidance_of(session, appeals.copies.catalog, e))
            for e in found
            if may_see_entry(by, e)
        ]


@router.get("/{entry_id}", response_model=EntryRead)
async def get_entry(entry_id: str, by: Caller, appeals: AppealsDep) -> EntryRead:
    """An entry the caller may object to or be party to a case about, with its repair
    guidance (tier, first repair day, publication's end at the latest, conditions, where to
    apply: 两书同达, DOMAIN.md §11); another subject's is 404."""
    async with appeals.runtime.db.sessions() as session:
        entry = require_entry(by, await EntryRepository(session).get(entry_id), entry_id)
        guidance = await guidance_of(session, appeals.copies.catalog, entry)
    return entry_read(entry, by, appeals.today(), guidance)
