"""The outbox relay: publishes committed outbox rows in order and marks them published.

On PostgreSQL the relays of a service's replicas take turns: each batch is published inside
a transaction holding one advisory lock (`pg_advisory_xact_lock`), so only one replica
publishes at a time and every batch starts at the oldest row still unpublished. That keeps the
outbox order, and hence each key's order, across replicas; the rows are also claimed `FOR
UPDATE SKIP LOCKED`, so no row is ever published by two relays at once. A crash between
publishing and marking republishes the batch: consumers' inboxes absorb that duplicate.

Tracing (`jrp_shared.tracing`): a row whose stored headers carry a `traceparent` (the span
that emitted it) is published under a PRODUCER span, child of that context, and the message
carries the producer span's `traceparent` instead. Spans are only made in memory here; their
export runs elsewhere (a batch processor's thread), so a batch costs no extra network call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry.trace import Span, SpanKind, Tracer
from sqlalchemy import func, select, update

from jrp_shared.bus.base import Bus, Message
from jrp_shared.db import Database
from jrp_shared.logging import get_logger
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.tracing import (
    Tracing,
    context_from_headers,
    mark_failed,
    trace_headers,
    without_trace_headers,
)
from jrp_shared.transient import is_transient

log = get_logger(__name__)

_RELAY_LOCK = 0x6A7270_0001
"""The advisory lock the relays of one service database take turns on (locks are per
database, so every service may use the same number)."""


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        bus: Bus,
        metrics: ServiceMetrics,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.2,
        tracing: Tracing | None = None,
    ) -> None:
        self._db = db
        self._tracing = tracing
        self._outbox = tables.outbox
        self._bus = bus
        self._metrics = metrics
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._finishing = False
        self.caught_up_at = time.monotonic()
        """When a batch last went out, or the relay last found nothing to publish."""
        metrics.outbox_seconds_since_publish.set_function(self.seconds_since_publish)

    def seconds_since_publish(self) -> float:
        """Near 0 while the relay keeps up; grows while events are owed and cannot go out."""
        return max(time.monotonic() - self.caught_up_at, 0.0)

    def wake(self) -> None:
        """Called after a unit of work commits events, so they go out without waiting a poll."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch; return how many rows went out."""
        outbox = self._outbox
        query = (
            select(
                outbox.c.id,
                outbox.c.event_id,
                outbox.c.topic,
                outbox.c.key,
                outbox.c.headers,
                outbox.c.body,
            )
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self._batch_size)
        )
        if self._db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        async with self._db.sessions() as session, session.begin():
            if self._db.dialect == "postgresql":
                await session.execute(select(func.pg_advisory_xact_lock(_RELAY_LOCK)))
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            tracer = self._tracing.tracer if self._tracing is not None else None
            if tracer is None:
                messages = [
                    Message(
                        topic=row.topic,
                        key=row.key,
                        headers=tuple((h, v.encode()) for h, v in row.headers),
                        value=row.body.encode(),
                    )
                    for row in rows
                ]
                await self._bus.publish(messages)
            else:
                await self._publish_traced(tracer, rows)
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        self._metrics.events_published.inc(len(rows))
        return len(rows)

    async def _publish_traced(self, tracer: Tracer, rows: Sequence[Any]) -> None:
        """Publish `rows`, each row that carries a trace context under a PRODUCER span."""
        messages: list[Message] = []
        spans: list[Span] = []
        for row in rows:
            headers: list[tuple[str, str]] = [(h, v) for h, v in row.headers]
            parent = context_from_headers(headers)
            if parent is not None:
                topic = self._bus.qualified(row.topic)
                span = tracer.start_span(
                    f"publish {topic}",
                    context=parent,
                    kind=SpanKind.PRODUCER,
                    attributes={
                        "messaging.system": "kafka",
                        "messaging.operation.type": "send",
                        "messaging.destination.name": topic,
                        "messaging.message.id": row.event_id,
                    },
                )
                spans.append(span)
                headers = [*without_trace_headers(headers), *trace_headers(span)]
            messages.append(
                Message(
                    topic=row.topic,
                    key=row.key,
                    headers=tuple((h, v.encode()) for h, v in headers),
                    value=row.body.encode(),
                )
            )
        try:
            await self._bus.publish(messages)
        except BaseException as exc:
            for span in spans:
                mark_failed(span, type(exc).__name__)
                span.end()
            raise
        for span in spans:
            span.end()

    def finish(self) -> None:
        """Ask `run()` to return after the batch in hand, instead of being cancelled inside a
        transaction (a cancelled database call can hold up the whole shutdown)."""
        self._finishing = True
        self._wake.set()

    async def run(self) -> None:
        backoff = self._idle_seconds
        while not self._finishing:
            try:
                published = await self.publish_pending()
                self.caught_up_at = time.monotonic()
                backoff = self._idle_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._metrics.relay_failures.inc()
                if is_transient(exc):  # the database or the broker is away: wait it out
                    log.warning("outbox relay waiting for a dependency", error=str(exc))
                else:
                    log.exception("outbox relay could not publish; will retry")
                backoff = min(backoff * 2, 10.0)
                await asyncio.sleep(backoff)
                continue
            if published < self._batch_size and not self._finishing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_seconds)
                self._wake.clear()
