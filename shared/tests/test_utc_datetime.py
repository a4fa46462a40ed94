"""`UtcDateTime`: moments go in aware and come back aware UTC, on SQLite as on PostgreSQL.

SQLite has no zone type: a plain `DateTime(timezone=True)` stored the wall time without its
offset and read it back naive. These tests use a table of their own, no service's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select
from sqlalchemy.exc import StatementError

from jrp_shared.db import Database, NaiveMomentError, UtcDateTime, as_utc, insert_rows
from jrp_shared.testing import PostgresDatabases

CHINA = timezone(timedelta(hours=8))
metadata = MetaData()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime()),
)


async def _database(url: str) -> Database:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    db = await _database(f"sqlite+aiosqlite:///{tmp_path / 'moments.db'}")
    yield db
    await db.dispose()


async def _round_trip(db: Database) -> None:
    in_china = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)  # 02:00 UTC
    in_utc = datetime(2026, 11, 29, 5, 0, 0, 123456, tzinfo=UTC)
    async with db.sessions() as session:
        await session.execute(
            insert(moments),
            [{"id": 1, "at": in_china}, {"id": 2, "at": in_utc}, {"id": 3, "at": None}],
        )
        await session.commit()
        rows = {i: at for i, at in await session.execute(select(moments.c.id, moments.c.at))}
        # The same instants, aware, in UTC (not the wall time 10:00 without its offset).
        assert rows[1] == in_china and rows[1].utcoffset() == timedelta(0)
        assert rows[1].hour == 2
        assert rows[2] == in_utc and rows[2].tzinfo is not None and rows[2].microsecond == 123456
        assert rows[3] is None
        # Stored as UTC, they sort and compare as instants: 10:00+08:00 is before 05:00Z.
        ordered = await session.scalars(
            select(moments.c.id).where(moments.c.at.is_not(None)).order_by(moments.c.at)
        )
        assert list(ordered) == [1, 2]
        later = await session.scalars(
            select(moments.c.id).where(moments.c.at > datetime(2026, 11, 29, 11, tzinfo=CHINA))
        )
        assert list(later) == [2]
        # Aggregates take the column's type: aware too.
        latest = await session.scalar(select(func.max(moments.c.at)))
        assert latest == in_utc and latest is not None and latest.tzinfo is not None


async def test_aware_moments_come_back_as_the_same_instant_in_utc_on_sqlite(
    sqlite: Database,
) -> None:
    await _round_trip(sqlite)


async def test_a_naive_moment_is_refused_not_guessed(sqlite: Database) -> None:
    async with sqlite.sessions() as session:
        with pytest.raises(StatementError) as refused:
            await session.execute(insert(moments), [{"id": 1, "at": datetime(2026, 11, 29, 10)}])
        assert isinstance(refused.value.orig, NaiveMomentError)
        assert "naive datetime 2026-11-29T10:00:00" in str(refused.value.orig)
        await session.rollback()
        with pytest.raises(StatementError):
            await session.execute(select(moments).where(moments.c.at < datetime(2026, 1, 1)))
    with pytest.raises(NaiveMomentError):
        as_utc(datetime(2026, 11, 29, 10))


async def test_rows_inserted_in_bulk_are_converted_too(sqlite: Database) -> None:
    async with sqlite.sessions() as session:
        at = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)
        await insert_rows(session, moments, [{"id": 1, "at": at}])
        await session.commit()
        back = await session.scalar(select(moments.c.at))
    assert back == at and back is not None and back.utcoffset() == timedelta(0)


@pytest.mark.integration
async def test_the_same_on_postgresql_including_copy(postgres: PostgresDatabases) -> None:
    db = await _database(await postgres.empty())
    try:
        await _round_trip(db)
        async with db.sessions() as session:
            at = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)
            await insert_rows(session, moments, [{"id": 10, "at": at}])  # COPY, not INSERT
            await session.commit()
            back = await session.scalar(select(moments.c.at).where(moments.c.id == 10))
            assert back == at and back is not None and back.utcoffset() == timedelta(0)
            with pytest.raises(NaiveMomentError):
                await insert_rows(session, moments, [{"id": 11, "at": datetime(2026, 1, 1)}])
    finally:
        await db.dispose()
