"""Every list entry reaching a subject, from the registry's projection of `list-entries.v1`,
as the credit record shows it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.domain.credit_record import RecordedEntry


async def entries_of(session: AsyncSession, code: str, at: datetime) -> list[RecordedEntry]:
    return []  # wired to the projection at merge
