"""This service's copy of list entries, as cases and repairs see them (read only)."""

from __future__ import annotations

from fastapi import APIRouter

from jrp_appeals.adapters.repositories import EntryRepository
from jrp_appeals.domain.visibility import require_entry
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller
from jrp_appeals.entrypoints.http.schemas import EntryRead
from jrp_appeals.entrypoints.http.views import entry_read

router = APIRouter(prefix="/v1/entries", tags=["entries (this service's copy)"])


@router.get("/{entry_id}", response_model=EntryRead)
async def get_entry(entry_id: str, by: Caller, appeals: AppealsDep) -> EntryRead:
    """An entry the caller may object to or be party to a case about; another subject's is
    404."""
    async with appeals.runtime.db.sessions() as session:
        found = await EntryRepository(session).get(entry_id)
    return entry_read(require_entry(by, found, entry_id), by, appeals.today())
