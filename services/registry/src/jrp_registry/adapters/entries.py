"""The list entries projection (`list_entries`): load, upsert, a subject's entries. Never
commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import orm
from jrp_registry.domain.entries import Status, StoredEntry
from jrp_shared.vocabulary import DisclosureClass, ListColour, SubjectType

_T = orm.list_entries


def _entry(row: Any) -> StoredEntry:
    return StoredEntry(
        entry_id=row.entry_id,
        version=row.version,
        status=Status(row.status),
        subject_code=row.subject_code,
        subject_type=SubjectType(row.subject_type),
        subject_name=row.subject_name,
        list_type=row.list_type,
        colour=ListColour(row.colour),
        disclosure_class=DisclosureClass(row.disclosure_class),
        initiating_department=row.initiating_department,
        period_start=row.period_start,
        period_end=row.period_end,
        payload=row.payload,
        updated_at=row.updated_at,
    )


def _row(entry: StoredEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "version": entry.version,
        "status": entry.status.value,
        "subject_code": entry.subject_code,
        "subject_type": entry.subject_type.value,
        "subject_name": entry.subject_name,
        "list_type": entry.list_type,
        "colour": entry.colour.value,
        "disclosure_class": entry.disclosure_class.value,
        "initiating_department": entry.initiating_department,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "payload": entry.payload,
        "updated_at": entry.updated_at,
    }


class EntryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, entry_id: str) -> StoredEntry | None:
        row = (await self._s.execute(select(_T).where(_T.c.entry_id == entry_id))).first()
        return _entry(row) if row else None

    async def put(self, entry: StoredEntry, *, new: bool) -> None:
        if new:
            await self._s.execute(insert(_T).values(**_row(entry)))
        else:
            await self._s.execute(
                update(_T).where(_T.c.entry_id == entry.entry_id).values(**_row(entry))
            )

    async def entries_of(self, code: str) -> list[StoredEntry]:
        """Every entry about the subject, whatever its status or disclosure class, with the
        latest in-force payload: for authorised reads (issue 13 part 2), oldest period first."""
        rows = await self._s.execute(
            select(_T).where(_T.c.subject_code == code).order_by(_T.c.period_start, _T.c.entry_id)
        )
        return [_entry(r) for r in rows]

    async def public_candidates(self, codes: Iterable[str], today: date) -> list[StoredEntry]:
        """Entries of `codes` that may be public today by the columns alone (disclosure class
        public, in force, period running); the list type's publication rules decide the rest
        (`domain.publication.is_public`)."""
        wanted = list(codes)
        if not wanted:
            return []
        rows = await self._s.execute(
            select(_T)
            .where(
                _T.c.subject_code.in_(wanted),
                _T.c.disclosure_class == DisclosureClass.PUBLIC.value,
                _T.c.status == Status.IN_FORCE.value,
                _T.c.period_start <= today,
                _T.c.period_end >= today,
            )
            .order_by(_T.c.subject_code, _T.c.period_start, _T.c.entry_id)
        )
        return [_entry(r) for r in rows]
