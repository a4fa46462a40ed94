"""The unit of work: one transaction for a state change and the events it emits (outbox).

Handlers load through `uow.session`, change state, `emit()` events and `commit()`; the events
become outbox rows in the same transaction, so there is never a state change without its event
nor an event without its state change. Repositories and handlers never commit on their own.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.correlation import current_correlation_id
from jrp_shared.db import Database, insert_rows
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import EventPayload
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.tracing import trace_headers

T = TypeVar("T")


class UnitOfWork:
    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self.tables = tables
        self._source = source
        self._on_commit = on_commit
        self._pending: list[tuple[Envelope, str, list[tuple[str, str]]]] = []
        self._before_commit: list[Callable[[], Awaitable[None] | None]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._locals: dict[object, Any] = {}
        self._session: AsyncSession | None = None
        self.committed = False

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._db.sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            await self.session.rollback()
        await self.session.close()
        self._session = None

    def emit(self, payload: EventPayload) -> Envelope:
        """Queue an event; it is written to the outbox when (and only if) the work commits,
        with the trace context current now (`jrp_shared.tracing`: the relay publishes it
        later, in its own task, as a child of this span)."""
        envelope = payload.envelope(self._source, correlationid=current_correlation_id())
        self._pending.append((envelope, payload.destination(), trace_headers()))
        return envelope

    def local(self, key: object, start: Callable[[], T]) -> T:
        """What `key` (a collaborator of the handlers) keeps for this unit of work alone:
        made by `start()` on first use, which is where it registers its commit hooks; the
        same object afterwards."""
        if key not in self._locals:
            self._locals[key] = start()
        found: T = self._locals[key]
        return found

    def before_commit(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        """Run `callback` (awaited if it is a coroutine function) when the work commits,
        before its events are written: the place to `emit()` one event that sums up
        everything the work did, or to write rows kept back until then."""
        self._before_commit.append(callback)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the work has committed (never if it rolls back), e.g. to
        refresh an in-memory read model from what was just stored."""
        self._after_commit.append(callback)

    @property
    def emitted(self) -> list[Envelope]:
        return [env for env, _, _ in self._pending]

    async def commit(self) -> None:
        for callback in self._before_commit:
            result = callback()
            if inspect.isawaitable(result):
                await result
        self._before_commit.clear()
        if self._pending:
            now = datetime.now(UTC)
            await insert_rows(
                self.session,
                self.tables.outbox,
                [
                    {
                        "event_id": env.id,
                        "event_type": env.type,
                        "topic": topic,
                        "key": env.subject,
                        "headers": [
                            *([h, v.decode()] for h, v in env.to_headers()),
                            *([h, v] for h, v in trace),
                        ],
                        "body": env.body().decode(),
                        "created_at": now,
                    }
                    for env, topic, trace in self._pending
                ],
            )
        await self.session.commit()
        self.committed = True
        if self._pending and self._on_commit is not None:
            self._on_commit()
        for callback in self._after_commit:
            callback()
