"""Retention of the outbox and the inbox: what redelivery no longer needs is deleted, in batches.

- An outbox row, once published, is only kept so an operator can replay it; it is deleted when
  it was published longer ago than `outbox_retention_hours`. Unpublished rows are never
  deleted, however old: they are events still owed to the bus.
- An inbox row is what makes a redelivered event a no-op; it is deleted when it was processed
  longer ago than `inbox_retention_hours`. That horizon must exceed how long a duplicate can
  still arrive: the broker's retention of the topics read, the longest consumer lag tolerated,
  and the producers' outbox horizon (a published row can be replayed as long as it is kept).
  The settings (`ServiceSettings`) refuse an inbox horizon shorter than the outbox horizon;
  docs/architecture.md says how to choose it.

Each batch is one short transaction of at most `batch_size` rows, oldest first, so a sweep
never holds locks for long and never competes with the relay (which locks unpublished rows
only). The same task keeps the backlog gauges current: unpublished rows, the age of the oldest
one, and the rows (and on PostgreSQL the bytes) of both tables.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Table, delete, func, select, text, tuple_

from jrp_shared.db import Database
from jrp_shared.logging import get_logger
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.transient import is_transient

log = get_logger(__name__)


@dataclass(frozen=True)
class Sweep:
    """What one sweep deleted, and in how many batches (transactions)."""

    outbox_deleted: int
    inbox_deleted: int
    batches: int


class MessagingRetention:
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        metrics: ServiceMetrics,
        *,
        outbox_hours: float,
        inbox_hours: float,
        batch_size: int = 5_000,
        sweep_seconds: float = 3_600.0,
        observe_seconds: float = 30.0,
    ) -> None:
        self._db = db
        self._tables = tables
        self._metrics = metrics
        self._outbox_horizon = timedelta(hours=outbox_hours)
        self._inbox_horizon = timedelta(hours=inbox_hours)
        self._batch_size = batch_size
        self._sweep_seconds = sweep_seconds
        self._observe_seconds = observe_seconds

    async def sweep(self) -> Sweep:
        """Delete every row past its horizon, one bounded batch per transaction."""
        now = datetime.now(UTC)
        outbox, inbox = self._tables.outbox, self._tables.inbox
        old_outbox = (
            select(outbox.c.id)
            .where(outbox.c.published_at < now - self._outbox_horizon)
            .order_by(outbox.c.id)
            .limit(self._batch_size)
        )
        old_inbox = (
            select(inbox.c.consumer, inbox.c.event_id)
            .where(inbox.c.processed_at < now - self._inbox_horizon)
            .limit(self._batch_size)
        )
        outbox_deleted, outbox_batches = await self._delete_in_batches(
            outbox, delete(outbox).where(outbox.c.id.in_(old_outbox.scalar_subquery()))
        )
        inbox_deleted, inbox_batches = await self._delete_in_batches(
            inbox,
            delete(inbox).where(tuple_(inbox.c.consumer, inbox.c.event_id).in_(old_inbox)),
        )
        if outbox_deleted or inbox_deleted:
            log.info("retention sweep", outbox_deleted=outbox_deleted, inbox_deleted=inbox_deleted)
        return Sweep(outbox_deleted, inbox_deleted, outbox_batches + inbox_batches)

    async def _delete_in_batches(self, table: Table, statement: Delete) -> tuple[int, int]:
        deleted = batches = 0
        while True:
            async with self._db.sessions() as session, session.begin():
                result = cast(CursorResult[Any], await session.execute(statement))
            count = int(result.rowcount or 0)
            batches += 1
            deleted += count
            self._metrics.retention_deleted(table.name).inc(count)
            if count < self._batch_size:
                return deleted, batches
            await asyncio.sleep(0)  # let the service's other work in between batches

    async def backlog(self) -> tuple[int, float]:
        """Outbox rows not yet published, and the age in seconds of the oldest (0 when none)."""
        outbox = self._tables.outbox
        async with self._db.sessions() as session:
            unpublished = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            oldest = await session.scalar(
                select(outbox.c.created_at)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(1)
            )
        age = 0.0
        if oldest is not None:
            age = max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
        return int(unpublished or 0), age

    async def observe(self) -> None:
        """Refresh the backlog and size gauges."""
        unpublished, age = await self.backlog()
        async with self._db.sessions() as session:
            for table in (self._tables.outbox, self._tables.inbox):
                rows = await session.scalar(select(func.count()).select_from(table))
                self._metrics.table_rows(table.name).set(rows or 0)
                if self._db.dialect == "postgresql":
                    size = await session.scalar(
                        text("SELECT pg_total_relation_size(CAST(:name AS regclass))"),
                        {"name": table.name},
                    )
                    self._metrics.table_bytes(table.name).set(size or 0)
        self._metrics.outbox_unpublished.set(unpublished)
        self._metrics.outbox_oldest_unpublished_seconds.set(age)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while True:
            try:
                if loop.time() >= next_sweep:
                    await self.sweep()
                    next_sweep = loop.time() + self._sweep_seconds
                await self.observe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    log.warning("retention waiting for the database", error=str(exc))
                else:
                    log.exception("retention sweep failed; will retry")
            # Wake for whichever comes first: the next observation or the next sweep.
            await asyncio.sleep(max(min(self._observe_seconds, next_sweep - loop.time()), 0.05))
