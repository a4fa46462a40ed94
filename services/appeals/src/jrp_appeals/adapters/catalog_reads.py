"""The list type an entry was recognised under, from this service's catalog copy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.events.payloads import ListTypePublished


async def list_type_of(
    session: AsyncSession, catalog: CatalogCopy, code: str, version: int, on: date
) -> ListTypePublished | None:
    """The entry's own version of the list type; else the version in force on `on` (a copy
    that missed that version still answers from the catalog as it stands)."""
    t = catalog.tables.list_types
    payload = await session.scalar(
        select(t.c.payload).where(t.c.code == code, t.c.version == version)
    )
    if payload is not None:
        return ListTypePublished.model_validate(payload)
    return await catalog.list_type_in_force(session, code, on)
