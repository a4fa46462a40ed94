"""A bulk import: many submissions read as they arrive, stored a chunk per transaction.

Memory holds at most three chunks of lines (one being read, one judged, one written), never
the whole body; per chunk there is one query for the record ids already known and one insert
per table (`handlers.import_chunk`), and the catalog is read once per list type for the whole
import. Each line gets its own result, in
input order; a refused line never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from jrp_shared.errors import FieldProblem
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.messaging.uow import UnitOfWork
from jrp_trigger.service_layer import handlers
from jrp_trigger.service_layer.handlers import (
    Created,
    Existing,
    Outcome,
    Prepared,
    SubmissionContext,
)


@dataclass(frozen=True)
class Line:
    """One input line: a submission, or why it could not be read as one."""

    number: int
    record_id: str | None
    submission: ListEntrySubmission | None = None
    problems: tuple[FieldProblem, ...] = ()


@dataclass
class Summary:
    lines: int = 0
    created: int = 0
    existing: int = 0
    rejected: int = 0
    chunks: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "created": self.created,
            "existing": self.existing,
            "rejected": self.rejected,
            "chunks": self.chunks,
        }


def _rejected(line: Line, problems: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "line": line.number,
        "record_id": line.record_id,
        "status": "rejected",
        "entry_id": None,
        "problems": problems,
    }


def _result(line: Line, outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, Created):
        return {
            "line": line.number,
            "record_id": line.record_id,
            "status": "created",
            "entry_id": outcome.entry.entry_id,
            "entry_status": outcome.entry.status.value,
            "problems": [],
            "warnings": list(outcome.entry.warnings),
        }
    if isinstance(outcome, Existing):
        return {
            "line": line.number,
            "record_id": line.record_id,
            "status": "existing",
            "entry_id": outcome.entry_id,
            "problems": [],
        }
    error = outcome.error
    problems = [p.as_json() for p in error.problems] or [
        {"field": "body", "reason": error.code, "message": error.message}
    ]
    return _rejected(line, problems)


T = TypeVar("T")


async def chunks_of(lines: AsyncIterable[T], size: int) -> AsyncIterator[list[T]]:
    chunk: list[T] = []
    async for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class _Chunk:
    lines: list[Line]
    submissions: list[ListEntrySubmission]
    prepared: list[Prepared]


@dataclass
class BulkImport:
    """Two stages, a chunk apart: while one chunk is written to the database, the next is
    read, parsed and judged (CPU), so neither waits for the other."""

    new_uow: Callable[[], UnitOfWork]
    ctx: SubmissionContext
    chunk_lines: int
    summary: Summary = field(default_factory=Summary)

    async def run(self, lines: AsyncIterable[Line]) -> AsyncIterator[list[dict[str, Any]]]:
        """The results of each chunk, once it is committed."""
        ready: asyncio.Queue[_Chunk | Exception | None] = asyncio.Queue(maxsize=1)
        preparing = asyncio.create_task(self._prepare(lines, ready))
        try:
            while (chunk := await ready.get()) is not None:
                if isinstance(chunk, Exception):
                    raise chunk
                yield self._results(chunk, await self._store(chunk))
        finally:
            if not preparing.done():
                preparing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await preparing

    async def _prepare(
        self, lines: AsyncIterable[Line], ready: asyncio.Queue[_Chunk | Exception | None]
    ) -> None:
        try:
            async for chunk in chunks_of(lines, self.chunk_lines):
                submissions = [line.submission for line in chunk if line.submission is not None]
                async with self.new_uow() as uow:  # catalog reads only, on a first use
                    prepared = await handlers.prepare_entries(uow.session, submissions, self.ctx)
                await ready.put(_Chunk(chunk, submissions, prepared))
        except Exception as exc:  # the reader's failure (e.g. the client left) ends the import
            await ready.put(exc)
        else:
            await ready.put(None)

    async def _store(self, chunk: _Chunk) -> list[Outcome]:
        if not chunk.submissions:
            return []
        department = self.ctx.department
        try:
            async with self.new_uow() as uow:
                return await handlers.import_chunk(
                    uow, chunk.submissions, chunk.prepared, department, self.ctx.exchange
                )
        except IntegrityError:
            # Someone posted one of these record ids meanwhile: the chunk rolled back whole;
            # taken again it finds that entry and answers "existing" or a conflict.
            async with self.new_uow() as uow:
                return await handlers.import_chunk(
                    uow, chunk.submissions, chunk.prepared, department, self.ctx.exchange
                )

    def _results(self, chunk: _Chunk, outcomes: list[Outcome]) -> list[dict[str, Any]]:
        stored = iter(outcomes)
        results = []
        for line in chunk.lines:
            if line.submission is None:
                result = _rejected(line, [p.as_json() for p in line.problems])
            else:
                result = _result(line, next(stored))
            self._count(result["status"])
            results.append(result)
        self.summary.chunks += 1
        return results

    def _count(self, status: str) -> None:
        self.summary.lines += 1
        if status == "created":
            self.summary.created += 1
        elif status == "existing":
            self.summary.existing += 1
        else:
            self.summary.rejected += 1
