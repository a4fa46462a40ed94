"""The warning list's table (`warning_list`, orm.py) and the watch entries it is computed from
(domain/warning_list.py; docs/warning-list.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.warning_list import Counted, Warning
from jrp_shared.vocabulary import ListColour, ListEntryStatus

_W = orm.warning_list
_E = orm.list_entries
_WATCH = ListColour.WATCH.value
_CHUNK = 1_000


@dataclass(frozen=True)
class WatchRow:
    """A watch entry as stored: what the key area is looked up by, and what decides whether
    it counts."""

    entry_id: str
    subject_code: str
    list_type: str
    list_type_version: int
    status: ListEntryStatus
    period_start: date
    period_end: date


@dataclass(frozen=True)
class Stay:
    """One stay of a subject on the warning list (`until` null while it lasts)."""

    id: int
    subject_code: str
    key_areas: tuple[str, ...]
    entry_ids: tuple[str, ...]
    since: datetime
    until: datetime | None
    updated_at: datetime

    @property
    def warning(self) -> Warning:
        return Warning(self.key_areas, self.since)

    def as_json(self) -> dict[str, Any]:
        return {
            "key_areas": list(self.key_areas),
            "entry_ids": list(self.entry_ids),
            "since": self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # a JSON column read back as its text
        value = json.loads(value)
    return tuple(str(v) for v in value)


def _stay(row: Any) -> Stay:
    return Stay(
        id=int(row.id),
        subject_code=row.subject_code,
        key_areas=_strings(row.key_areas),
        entry_ids=_strings(row.entry_ids),
        since=row.since,
        until=row.until,
        updated_at=row.updated_at,
    )


def _version_of(payload: Any) -> int:
    if isinstance(payload, str | bytes):
        payload = json.loads(payload)
        if isinstance(payload, str):
            payload = json.loads(payload)
    return int(payload.get("list_type_version", 0) or 0)


def _chunks(values: Iterable[str]) -> list[list[str]]:
    items = sorted(set(values))
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


class WarningListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def watch_subjects_of(self, entry_ids: Iterable[str]) -> set[str]:
        """The subjects of those of these entries that are watch entries."""
        found: set[str] = set()
        for part in _chunks(entry_ids):
            rows = await self._s.execute(
                select(_E.c.subject_code).where(_E.c.entry_id.in_(part), _E.c.colour == _WATCH)
            )
            found.update(r[0] for r in rows)
        return found

    async def watch_entries(self, codes: Sequence[str]) -> dict[str, list[WatchRow]]:
        """Every watch entry of these subjects, whatever its status."""
        found: dict[str, list[WatchRow]] = {c: [] for c in codes}
        for part in _chunks(codes):
            rows = await self._s.execute(
                select(
                    _E.c.entry_id,
                    _E.c.subject_code,
                    _E.c.list_type,
                    _E.c.payload,
                    _E.c.status,
                    _E.c.period_start,
                    _E.c.period_end,
                ).where(_E.c.subject_code.in_(part), _E.c.colour == _WATCH)
            )
            for r in rows:
                found.setdefault(r.subject_code, []).append(
                    WatchRow(
                        r.entry_id,
                        r.subject_code,
                        r.list_type,
                        _version_of(r.payload),
                        ListEntryStatus(r.status),
                        r.period_start,
                        r.period_end,
                    )
                )
        return found

    async def open_of(self, codes: Sequence[str], *, lock: bool = False) -> dict[str, Stay]:
        found: dict[str, Stay] = {}
        for part in _chunks(codes):
            query = select(_W).where(_W.c.subject_code.in_(part), _W.c.until.is_(None))
            if lock:
                query = query.with_for_update()
            found.update((s.subject_code, s) for s in map(_stay, await self._s.execute(query)))
        return found

    async def enter(self, code: str, now_counted: Counted, now: datetime) -> None:
        await self._s.execute(
            insert(_W).values(
                subject_code=code,
                key_areas=list(now_counted.key_areas),
                entry_ids=list(now_counted.entry_ids),
                since=now,
                until=None,
                updated_at=now,
            )
        )

    async def change(self, stay_id: int, now_counted: Counted, now: datetime) -> None:
        await self._s.execute(
            update(_W)
            .where(_W.c.id == stay_id)
            .values(
                key_areas=list(now_counted.key_areas),
                entry_ids=list(now_counted.entry_ids),
                updated_at=now,
            )
        )

    async def leave(self, stay_id: int, now: datetime) -> None:
        """End the stay; its areas and entries stay as they last counted (history)."""
        await self._s.execute(
            update(_W).where(_W.c.id == stay_id).values(until=now, updated_at=now)
        )

    async def subjects_to_review(self) -> list[str]:
        """Subjects whose standing can change with the day alone: those with a watch entry in
        force (one may start, or end before the sweep expires it) and those on the list."""
        with_entries = select(_E.c.subject_code).where(
            _E.c.colour == _WATCH, _E.c.status == ListEntryStatus.IN_FORCE.value
        )
        on_list = select(_W.c.subject_code).where(_W.c.until.is_(None))
        rows = await self._s.execute(with_entries.union(on_list))
        return sorted(r[0] for r in rows)

    # --- reads -------------------------------------------------------------------------------

    async def current(self, limit: int, offset: int) -> tuple[int, list[Stay]]:
        """The subjects on the list now, longest first (then by code), and how many."""
        total = await self._s.scalar(
            select(func.count()).select_from(_W).where(_W.c.until.is_(None))
        )
        rows = await self._s.execute(
            select(_W)
            .where(_W.c.until.is_(None))
            .order_by(_W.c.since, _W.c.subject_code)
            .limit(limit)
            .offset(offset)
        )
        return int(total or 0), [_stay(r) for r in rows]

    async def history(self, code: str) -> list[Stay]:
        """Every stay of the subject, the latest first."""
        rows = await self._s.execute(
            select(_W).where(_W.c.subject_code == code).order_by(_W.c.since.desc(), _W.c.id.desc())
        )
        return [_stay(r) for r in rows]

    async def at(self, code: str, instant: datetime) -> Warning | None:
        """The subject's stay at a past instant (for a check `as_of`)."""
        row = (
            await self._s.execute(
                select(_W)
                .where(
                    _W.c.subject_code == code,
                    _W.c.since <= instant,
                    or_(_W.c.until.is_(None), _W.c.until > instant),
                )
                .order_by(_W.c.since.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _stay(row).warning


async def open_warnings(
    conn: AsyncConnection, codes: Sequence[str] | None = None
) -> dict[str, Warning]:
    """The open stays (of these subjects, or all): what the must-check index keeps."""
    query = select(_W.c.subject_code, _W.c.key_areas, _W.c.since).where(_W.c.until.is_(None))
    found: dict[str, Warning] = {}
    parts: list[list[str] | None] = [None] if codes is None else list(_chunks(codes))
    for part in parts:
        q = query if part is None else query.where(_W.c.subject_code.in_(part))
        for r in await conn.execute(q):
            found[r.subject_code] = Warning(_strings(r.key_areas), r.since)
    await conn.rollback()
    return found


async def subjects_of_entries(conn: AsyncConnection, entry_ids: Sequence[str]) -> set[str]:
    """The listed subjects of these entries (watch entries only: no other changes a warning)."""
    found: set[str] = set()
    for part in _chunks(entry_ids):
        rows = await conn.execute(
            select(_E.c.subject_code).where(and_(_E.c.entry_id.in_(part), _E.c.colour == _WATCH))
        )
        found.update(r[0] for r in rows)
    return found
