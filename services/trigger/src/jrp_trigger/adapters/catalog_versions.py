"""Every version of the list types a request names, read from this service's catalog copy
once per request (a bulk import asks for the same few list types thousands of times)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.events.payloads import ListTypePublished


class ListTypeVersions:
    def __init__(self, table: Table) -> None:
        self._table = table
        self._cache: dict[str, tuple[ListTypePublished, ...]] = {}

    async def load(self, session: AsyncSession, codes: Iterable[str]) -> None:
        """Read, in one query, the codes not read yet; an unknown code is remembered empty."""
        missing = sorted(set(codes) - self._cache.keys())
        if not missing:
            return
        t = self._table
        rows = await session.execute(
            select(t.c.code, t.c.payload).where(t.c.code.in_(missing)).order_by(t.c.version)
        )
        found: dict[str, list[ListTypePublished]] = {code: [] for code in missing}
        for row in rows:
            found[row.code].append(ListTypePublished.model_validate(row.payload))
        self._cache.update({code: tuple(versions) for code, versions in found.items()})

    def of(self, code: str) -> tuple[ListTypePublished, ...]:
        """The versions of `code` (after `load`); empty when the catalog has no such code."""
        return self._cache.get(code, ())
