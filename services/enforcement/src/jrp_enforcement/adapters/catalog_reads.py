"""Reads of this service's catalog copy for the order handlers, cached across units of work.

Every list entry needs the measures in force and its list type. Reading them per entry (a
GROUP BY over every measure version and ~90 payloads validated) cost more than the rest of
the entry, so they are kept in memory and checked once per unit of work against the copy's
audit trail (`catalog_changes_received`): every catalog event taken adds a row to it, in the
same transaction as the version it stores, and rows are never deleted, so its row count and
largest id move whenever a committed catalog change could be seen. A unit of work therefore
never answers from a catalog older than the one committed when it first asked.
"""

from __future__ import annotations

import weakref
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.events.payloads import ListTypePublished, MeasurePublished
from jrp_shared.messaging.uow import UnitOfWork

_MAX_KEYS = 256
"""Dates and list types remembered per catalog state before the cache starts over."""


async def list_type_version(
    session: AsyncSession, catalog: CatalogCopy, code: str, version: int
) -> ListTypePublished | None:
    """One exact version of a list type, if this copy has received it."""
    t = catalog.tables.list_types
    payload = await session.scalar(
        select(t.c.payload).where(t.c.code == code, t.c.version == version)
    )
    return None if payload is None else ListTypePublished.model_validate(payload)


class CachedCatalog:
    """The catalog reads of the order handlers, answered from memory while the copy is
    unchanged. The first read of each unit of work costs one small query (the state of the
    copy's audit trail); a changed state drops everything remembered."""

    def __init__(self, catalog: CatalogCopy) -> None:
        self.catalog = catalog
        self._state: tuple[int, int] | None = None
        self._generation = 0
        self._checked: weakref.WeakKeyDictionary[UnitOfWork, None] = weakref.WeakKeyDictionary()
        self._measures: dict[date, list[MeasurePublished]] = {}
        self._versions: dict[tuple[str, int], ListTypePublished | None] = {}
        self._in_force: dict[tuple[str, date], ListTypePublished | None] = {}

    async def _fresh(self, uow: UnitOfWork) -> None:
        if uow in self._checked:
            return
        t = self.catalog.tables.changes_received
        row = (await uow.session.execute(select(func.count(), func.max(t.c.id)))).one()
        state = (int(row[0]), int(row[1] or 0))
        if state != self._state:
            self.forget()
            self._state = state
        self._checked[uow] = None

    def forget(self) -> None:
        """Drop everything remembered (the next read goes to the database)."""
        self._state = None
        self._generation += 1
        self._measures.clear()
        self._versions.clear()
        self._in_force.clear()

    def _keep(self, cache: dict[Any, Any], key: Any, value: Any, generation: int) -> None:
        """Remember what was read, unless the cache started over while it was being read
        (a concurrent unit of work saw a newer catalog: this answer may be older)."""
        if generation != self._generation:
            return
        if len(cache) >= _MAX_KEYS:
            cache.clear()
        cache[key] = value

    async def measures_in_force(self, uow: UnitOfWork, on: date) -> list[MeasurePublished]:
        """Every measure's version in force on `on` (shared: do not change the list)."""
        await self._fresh(uow)
        found = self._measures.get(on)
        if found is None:
            generation = self._generation
            found = await self.catalog.measures_in_force(uow.session, on)
            self._keep(self._measures, on, found, generation)
        return found

    async def list_type_version(
        self, uow: UnitOfWork, code: str, version: int
    ) -> ListTypePublished | None:
        await self._fresh(uow)
        key = (code, version)
        if key in self._versions:
            return self._versions[key]
        generation = self._generation
        found = await list_type_version(uow.session, self.catalog, code, version)
        self._keep(self._versions, key, found, generation)
        return found

    async def list_type_in_force(
        self, uow: UnitOfWork, code: str, on: date
    ) -> ListTypePublished | None:
        await self._fresh(uow)
        key = (code, on)
        if key in self._in_force:
            return self._in_force[key]
        generation = self._generation
        found = await self.catalog.list_type_in_force(uow.session, code, on)
        self._keep(self._in_force, key, found, generation)
        return found
