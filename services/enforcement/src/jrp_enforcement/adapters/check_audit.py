"""The must-check audit trail (`check_audit`): who asked about whom, when, and what was
answered (DOMAIN.md §6). An answer is only given once its row is stored.

Single checks go through a group-commit writer: each check queues its row and waits; one task
takes every row waiting and stores them in one statement, then releases the checks. So a check
waits for one commit, and thousands of checks per second share a few commits. A batch check
stores its rows in bulk. On PostgreSQL rows go in with COPY (one statement, one implicit
transaction); elsewhere with one executemany in a transaction.

A transient failure (the database restarting, the kept connection killed by a restart) is
retried on a fresh connection for up to `retry_seconds` before the check is refused with 503
`audit_unavailable`, so the first check after a restart is answered.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Text, bindparam, cast, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.checks import AuditUnavailable
from jrp_shared.db import Database
from jrp_shared.logging import get_logger
from jrp_shared.transient import retry_while_transient

log = get_logger(__name__)

_COLUMNS = (
    "asked_at",
    "department",
    "subject_code",
    "batch_id",
    "correlation_id",
    "listed",
    "answer",
    "check_id",
    "purpose",
    "business_reference",
    "as_of",
)


class AuditRow(NamedTuple):
    asked_at: datetime
    department: str
    """The department that asked (the token's)."""
    subject_code: str
    batch_id: str | None
    correlation_id: str | None
    listed: bool
    answer: str
    """The answer's summary, already JSON (entry ids, measure codes and the versions they
    were answered from; `CheckAnswer.summary`)."""
    check_id: str
    purpose: str | None = None
    """What a single check was for (CheckPurpose), if the department said; a batch's is on
    its check_batches row."""
    business_reference: str | None = None
    as_of: datetime | None = None
    """The past instant a check was answered as of (None: answered as of now)."""


_UNNEST_INSERT = (
    f"INSERT INTO {orm.check_audit.name} ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
    "$1::timestamptz[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], "
    "$6::boolean[], $7::json[], $8::varchar[], $9::varchar[], $10::varchar[], "
    "$11::timestamptz[])"
)
# The answer column is JSON; rows carry it serialised, so bind it as text (no second encoding).
_INSERT = insert(orm.check_audit).values(
    {
        name: bindparam(name, type_=Text()) if name == "answer" else bindparam(name)
        for name in _COLUMNS
    }
)


class BatchRecord(NamedTuple):
    """One batch check: what for, how many codes and persons, why the office should look."""

    batch_id: str
    asked_at: datetime
    department: str
    purpose: str
    business_reference: str
    codes: int
    persons: int
    listed: int
    flags: list[str]
    correlation_id: str | None


class _Lane(NamedTuple):
    """A connection kept for group commits, and the asyncpg connection under it."""

    conn: AsyncConnection
    raw: Any


class AuditWriter:
    def __init__(
        self,
        db: Database,
        *,
        max_rows_per_commit: int = 5_000,
        retry_seconds: float = 2.0,
        lanes: int = 2,
    ) -> None:
        self._db = db
        self._max_rows = max_rows_per_commit
        self._retry_seconds = retry_seconds
        self._queue: deque[tuple[AuditRow, asyncio.Future[None]]] = deque()
        self._wake = asyncio.Event()
        self._running = False
        # Commits in flight at once, each on a connection of its own: while one is with the
        # database, the checks answered meanwhile are already being stored by the next.
        self._lanes = asyncio.Semaphore(lanes if db.dialect == "postgresql" else 1)
        self._idle: list[_Lane] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self.commits = 0
        self.rows = 0

    async def record(self, row: AuditRow) -> None:
        """Store one check's row (with whichever others are waiting); raise AuditUnavailable
        when it could not be stored, so the check fails rather than answers unaudited."""
        if not self._running:
            raise AuditUnavailable("the must-check audit writer is not running")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, future))
        self._wake.set()
        await future

    async def record_many(self, rows: Sequence[AuditRow]) -> None:
        """Store a batch check's rows, all or none, before the batch is answered."""
        if not rows:  # every code was refused: nothing was checked, nothing to record
            return
        try:
            await self._retrying(lambda: self._store_rows(rows))
        except Exception as exc:
            log.exception("must-check audit rows not stored", rows=len(rows))
            raise AuditUnavailable(
                "the checks could not be recorded; nothing was answered"
            ) from exc

    async def record_batch(self, batch: BatchRecord, rows: Sequence[AuditRow]) -> None:
        """Store a batch check's own row and its checks' rows, before the batch is answered."""

        async def store() -> None:
            async with self._db.engine.begin() as conn:
                await conn.execute(insert(orm.check_batches).values(batch._asdict()))

        try:
            await self._retrying(store)
        except Exception as exc:
            log.exception("must-check batch record not stored", batch_id=batch.batch_id)
            raise AuditUnavailable("the batch could not be recorded; nothing was answered") from exc
        await self.record_many(rows)

    async def batches(self, *, flagged: bool, limit: int, offset: int) -> list[dict[str, Any]]:
        """Recorded batches, newest first (`flagged`: only those the office should review)."""
        t = orm.check_batches
        query = select(t).order_by(t.c.asked_at.desc(), t.c.batch_id).limit(limit).offset(offset)
        if flagged:
            # JSON arrays compare alike on SQLite and PostgreSQL as text.
            query = query.where(cast(t.c.flags, Text) != "[]")
        async with self._db.sessions() as session:
            rows = await session.execute(query)
            return [dict(r._mapping) for r in rows]

    async def run(self) -> None:
        self._running = True
        try:
            while True:
                await self._wake.wait()
                # Checks already under way queue their rows too: turn the loop while each
                # turn adds rows (a busy stream of checks), then store them all in one
                # commit. A busy second costs fewer, larger commits, and the wait never
                # outlasts the work at hand.
                queued = 0
                while queued < len(self._queue) < self._max_rows:
                    queued = len(self._queue)
                    await asyncio.sleep(0)
                self._wake.clear()
                while self._queue:
                    await self._lanes.acquire()
                    taken = [
                        self._queue.popleft() for _ in range(min(len(self._queue), self._max_rows))
                    ]
                    task = asyncio.create_task(self._commit(taken))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
        finally:
            self._running = False
            for task in list(self._in_flight):
                task.cancel()
            await asyncio.gather(*self._in_flight, return_exceptions=True)
            while self._idle:
                await self._idle.pop().conn.close()
            refused = AuditUnavailable("the service is stopping; the check was not recorded")
            while self._queue:
                _, future = self._queue.popleft()
                if not future.done():
                    future.set_exception(refused)

    async def _commit(self, taken: list[tuple[AuditRow, asyncio.Future[None]]]) -> None:
        rows = [row for row, _ in taken]
        try:
            await self._retrying(lambda: self._store(rows))
        except asyncio.CancelledError:
            for _, future in taken:
                if not future.done():
                    future.set_exception(AuditUnavailable("the check was not recorded"))
            raise
        except Exception:
            log.exception("must-check audit rows not stored", rows=len(taken))
            failed = AuditUnavailable("the check could not be recorded; it was not answered")
            for _, future in taken:
                if not future.done():
                    future.set_exception(failed)
            return
        finally:
            self._lanes.release()
        for _, future in taken:
            if not future.done():  # the waiting request may have been cancelled meanwhile
                future.set_result(None)

    async def _retrying(self, store: Callable[[], Awaitable[None]]) -> None:
        def reconnecting(exc: BaseException, retries: int) -> None:
            log.warning("must-check audit: database unavailable; reconnecting", error=str(exc))

        await retry_while_transient(
            store,
            first_delay=0.05,
            max_delay=0.5,
            within=self._retry_seconds,
            on_retry=reconnecting,
        )

    async def _store(self, rows: Sequence[AuditRow]) -> None:
        """A group commit: on PostgreSQL one INSERT of every row (one round trip, on a
        connection kept for the writer: each extra round trip is a turn of the busy loop)."""
        if not rows:
            return
        if self._db.dialect != "postgresql":
            await self._store_rows(rows)
            return
        if self._idle:
            lane = self._idle.pop()
        else:
            conn = await self._db.engine.connect()
            lane = _Lane(conn, (await conn.get_raw_connection()).driver_connection)
        try:
            # Outside a transaction the one statement commits by itself when it returns.
            await lane.raw.execute(_UNNEST_INSERT, *zip(*rows, strict=True))
        except BaseException:
            await lane.conn.invalidate()
            raise
        self._idle.append(lane)
        self.commits += 1
        self.rows += len(rows)

    async def _store_rows(self, rows: Sequence[AuditRow]) -> None:
        """A batch's rows: COPY on PostgreSQL (one statement, committed when it returns),
        one executemany in one transaction elsewhere."""
        if self._db.dialect == "postgresql":
            async with self._db.engine.connect() as conn:
                raw: Any = (await conn.get_raw_connection()).driver_connection
                # Inside a transaction the pool's rollback on release would undo the COPY.
                if raw.is_in_transaction():
                    raise RuntimeError("audit COPY must not run inside an open transaction")
                await raw.copy_records_to_table(
                    orm.check_audit.name, records=rows, columns=_COLUMNS
                )
        else:
            async with self._db.engine.begin() as conn:
                await conn.execute(_INSERT, [row._asdict() for row in rows])
        self.commits += 1
        self.rows += len(rows)
