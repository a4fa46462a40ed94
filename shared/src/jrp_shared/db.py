"""The async database of one service: engine, sessions, a readiness ping.

SQLite (the embedded default) and PostgreSQL are both first-class; SQLite gets WAL and a busy
timeout so the HTTP handlers, the relay and the consumers of one process can share it. Moments
are `UtcDateTime` columns: aware UTC values in and out on both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Table, event, insert, text
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from jrp_shared.files import private_file, sqlite_file


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class NaiveMomentError(ValueError):
    """A datetime without an offset was about to be stored: which instant it means is unknown."""


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (the same instant); a naive one is refused, since
    guessing its zone (the host's? UTC? China's?) would store a wrong instant silently."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveMomentError(
            f"naive datetime {moment.isoformat()} given for a moment column: "
            "give an aware datetime (e.g. datetime.now(UTC))"
        )
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment column: `DateTime(timezone=True)` (TIMESTAMPTZ on PostgreSQL, the same DDL as
    before) whose values are aware UTC datetimes on every dialect.

    SQLite has no time zone type: SQLAlchemy writes the wall time without its offset and reads
    it back naive, so a `+08:00` value was stored eight hours off and every answer lost its
    offset. Here values are converted to UTC before they are stored (so SQLite's text sorts and
    compares as instants) and read back as UTC. Naive values are refused (`NaiveMomentError`):
    the services make their moments with `datetime.now(UTC)` and their APIs refuse instants
    without an offset, so a naive one reaching the database is a bug to surface, not to guess.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a moment column takes a datetime, not {type(value).__name__}")
        return as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a raw SQLite value the dialect left as text
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"a moment column holds a datetime, not {type(value).__name__}")
        if value.tzinfo is None:  # SQLite: stored as UTC wall time (see the class)
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        file = sqlite_file(url)
        if file is not None:
            private_file(file)  # owner-only before SQLite creates it (jrp_shared.files)
        self.engine = create_engine(url)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not ready"; /readyz reports it
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


class JsonText(str):
    """A JSON column's value already encoded (e.g. a message's body, to store it without
    encoding it again); `insert_rows` writes it as it is."""


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, JsonText) else value


async def insert_rows(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert many rows inside the session's transaction, in order: one COPY on PostgreSQL
    (several times cheaper than a multi-row INSERT for thousands of rows), an executemany
    INSERT elsewhere. Every row names the same columns; JSON columns take Python values, or
    `JsonText` already encoded."""
    if not rows:
        return
    conn = await session.connection()
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    if conn.dialect.name != "postgresql":
        json_columns = [name for name, encode in zip(columns, as_json, strict=True) if encode]
        values = [
            {**row, **{name: _json_value(row[name]) for name in json_columns}} for row in rows
        ]
        await session.execute(insert(table), values)
        return
    # COPY bypasses the column types: moments get `UtcDateTime`'s check and conversion here.
    moments = [isinstance(table.c[name].type, UtcDateTime) for name in columns]
    records = [
        tuple(
            (
                row[name]
                if isinstance(row[name], JsonText)
                else json.dumps(row[name], ensure_ascii=False, separators=(",", ":"))
            )
            if encode
            else (as_utc(row[name]) if moment and row[name] is not None else row[name])
            for name, encode, moment in zip(columns, as_json, moments, strict=True)
        )
        for row in rows
    ]
    raw: Any = (await conn.get_raw_connection()).driver_connection
    if not raw.is_in_transaction():
        await conn.execute(text("SELECT 1"))  # the session's transaction begins on first use
    await raw.copy_records_to_table(table.name, records=records, columns=columns)
