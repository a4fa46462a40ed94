"""Sync feeds in PostgreSQL: the feed's row (progress and counts), the record ids a snapshot
named, and the lines refused. Every replica reads the same feed (nothing in memory). Never
commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.vocabulary import ListEntryStatus
from jrp_trigger.adapters import orm
from jrp_trigger.adapters.repositories import current_version_columns, entry_with_current
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.domain.sync import FeedMode, FeedStatus, LineStatus

COUNTED = tuple(LineStatus)


@dataclass
class Feed:
    feed_id: str
    department: str
    feed_ref: str | None
    mode: FeedMode
    list_type: str
    status: FeedStatus
    absent_reason: str | None
    expected_lines: int | None
    lines_received: int
    counts: dict[LineStatus, int]
    absent_revoked: int
    processing_seconds: float
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None


def _feed(row: Any) -> Feed:
    return Feed(
        feed_id=row.feed_id,
        department=row.department,
        feed_ref=row.feed_ref,
        mode=FeedMode(row.mode),
        list_type=row.list_type,
        status=FeedStatus(row.status),
        absent_reason=row.absent_reason,
        expected_lines=row.expected_lines,
        lines_received=row.lines_received,
        counts={s: getattr(row, s.value) for s in COUNTED},
        absent_revoked=row.absent_revoked,
        processing_seconds=row.processing_seconds,
        started_at=row.started_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
    )


@dataclass(frozen=True)
class Rejection:
    line: int
    record_id: str | None
    problems: list[dict[str, Any]]


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, feed: Feed) -> None:
        await self._s.execute(
            insert(orm.sync_feeds).values(
                feed_id=feed.feed_id,
                department=feed.department,
                feed_ref=feed.feed_ref,
                mode=feed.mode.value,
                list_type=feed.list_type,
                status=feed.status.value,
                absent_reason=feed.absent_reason,
                expected_lines=feed.expected_lines,
                lines_received=0,
                absent_revoked=0,
                processing_seconds=0.0,
                started_at=feed.started_at,
                updated_at=feed.updated_at,
                **{s.value: 0 for s in COUNTED},
            )
        )

    async def get(self, feed_id: str, department: str, *, for_update: bool = False) -> Feed | None:
        """The department's feed (another department's is not found: 404)."""
        t = orm.sync_feeds
        query = select(t).where(t.c.feed_id == feed_id, t.c.department == department)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _feed(row)

    async def by_ref(self, department: str, feed_ref: str) -> Feed | None:
        t = orm.sync_feeds
        row = (
            await self._s.execute(
                select(t).where(t.c.department == department, t.c.feed_ref == feed_ref)
            )
        ).first()
        return None if row is None else _feed(row)

    async def of_department(self, department: str, limit: int, offset: int) -> list[Feed]:
        t = orm.sync_feeds
        rows = await self._s.execute(
            select(t)
            .where(t.c.department == department)
            .order_by(t.c.started_at.desc(), t.c.feed_id)
            .limit(limit)
            .offset(offset)
        )
        return [_feed(r) for r in rows]

    async def save(self, feed: Feed) -> None:
        t = orm.sync_feeds
        await self._s.execute(
            update(t)
            .where(t.c.feed_id == feed.feed_id)
            .values(
                status=feed.status.value,
                lines_received=feed.lines_received,
                absent_revoked=feed.absent_revoked,
                processing_seconds=feed.processing_seconds,
                updated_at=feed.updated_at,
                completed_at=feed.completed_at,
                **{s.value: n for s, n in feed.counts.items()},
            )
        )

    async def add_seen(self, feed_id: str, record_ids: Sequence[str]) -> None:
        """Remember the record ids a snapshot named (a repeat is harmless)."""
        if record_ids:
            t = orm.sync_feed_records
            await self._s.execute(
                pg_insert(t).on_conflict_do_nothing(),
                [{"feed_id": feed_id, "record_id": r} for r in sorted(set(record_ids))],
            )

    async def forget_seen(self, feed_id: str) -> None:
        """A completed snapshot's record ids are needed no more (a million rows a day)."""
        t = orm.sync_feed_records
        await self._s.execute(delete(t).where(t.c.feed_id == feed_id))

    async def add_rejections(self, feed_id: str, rejections: Sequence[Rejection]) -> None:
        if rejections:
            await self._s.execute(
                insert(orm.sync_feed_rejections),
                [
                    {
                        "feed_id": feed_id,
                        "line": r.line,
                        "record_id": r.record_id,
                        "problems": r.problems,
                    }
                    for r in rejections
                ],
            )

    async def rejections(self, feed_id: str, after_line: int, limit: int) -> list[Rejection]:
        t = orm.sync_feed_rejections
        rows = await self._s.execute(
            select(t)
            .where(t.c.feed_id == feed_id, t.c.line > after_line)
            .order_by(t.c.line)
            .limit(limit)
        )
        return [Rejection(r.line, r.record_id, r.problems) for r in rows]

    async def absent_from(
        self, feed: Feed, today: date, limit: int, after: str | None = None
    ) -> list[ListEntry]:
        """Up to `limit` (in entry id order, after `after`) of the department's entries of
        the feed's list type that are in force, suspended or awaiting recognition and whose
        record id the snapshot never named, each with its current version, rows locked."""
        t, v, seen = orm.list_entries, orm.list_entry_versions, orm.sync_feed_records
        named = select(seen.c.record_id).where(
            seen.c.feed_id == feed.feed_id, seen.c.record_id == t.c.record_id
        )
        status = t.c.status
        query = (
            select(t, *current_version_columns())
            .join(v, and_(v.c.entry_id == t.c.entry_id, v.c.version == t.c.version))
            .where(
                t.c.department == feed.department,
                t.c.list_type == feed.list_type,
                or_(
                    and_(status == ListEntryStatus.IN_FORCE.value, t.c.period_end >= today),
                    status.in_(
                        [
                            ListEntryStatus.SUSPENDED.value,
                            ListEntryStatus.AWAITING_RECOGNITION.value,
                        ]
                    ),
                ),
                ~named.exists(),
                *([] if after is None else [t.c.entry_id > after]),
            )
            .order_by(t.c.entry_id)
            .limit(limit)
            .with_for_update(of=t)
        )
        return [entry_with_current(row) for row in await self._s.execute(query)]
