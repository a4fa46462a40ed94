"""Sync feeds: a department's source list applied as the difference against what it has
(issue 12 part 2; the court's list is synchronised from the courts, 003 三(三)4(3)).

A chunk of lines is one transaction: the entries it creates, corrects and revokes, their
events (outbox), the feed's progress and counts, the record ids a snapshot named and the lines
refused. A crash loses nothing and doubles nothing: the feed's `lines_received` moves with the
chunk, and a line at or below it is skipped when sent again. The feed's row is locked for the
chunk, so two uploads of the same feed (on any replica) take turns.

Per chunk: one query for the known records (current version, status, fingerprint, row locks;
`EntryRepository.current_of`), new entries through `handlers.prepare_entries` /
`record_entries` (the path of a post), one insert of the new versions and one executemany
update of the changed rows. Lines naming a record id already named earlier in the chunk start a
new segment, so the later line is judged against what the earlier one made (lines are applied
in order).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from jrp_shared.clock import china_date
from jrp_shared.errors import Conflict, DomainError, FieldProblem, Forbidden, NotFound
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.messaging.uow import UnitOfWork
from jrp_trigger.adapters.feeds import Feed, FeedRepository, Rejection
from jrp_trigger.adapters.repositories import CurrentEntry, EntryRepository
from jrp_trigger.domain import entries, rules, sync
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import EntryVersion, ListEntry
from jrp_trigger.domain.sync import Action, FeedMode, FeedStatus, LineOp, LineStatus
from jrp_trigger.service_layer import handlers
from jrp_trigger.service_layer.bulk import chunks_of
from jrp_trigger.service_layer.handlers import SubmissionContext


@dataclass(frozen=True)
class Deletion:
    reason: str
    ground: str | None = None
    arose_on: date | None = None


@dataclass(frozen=True)
class FeedLine:
    """One line of a feed: an entry (upsert), a deletion, or why it could not be read."""

    number: int
    record_id: str | None
    op: LineOp = LineOp.UPSERT
    submission: ListEntrySubmission | None = None
    correction_reason: str | None = None
    deletion: Deletion | None = None
    problems: tuple[FieldProblem, ...] = ()


@dataclass
class LineResult:
    line: int
    record_id: str | None
    status: LineStatus
    entry_id: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "record_id": self.record_id,
            "status": self.status.value,
            "entry_id": self.entry_id,
            "problems": self.problems,
        }


def _problems(error: DomainError) -> list[dict[str, Any]]:
    return [p.as_json() for p in error.problems] or [
        {"field": "body", "reason": error.code, "message": error.message}
    ]


# --- opening and reading ----------------------------------------------------------------------


async def open_feed(
    uow: UnitOfWork,
    ctx: SubmissionContext,
    *,
    mode: FeedMode,
    list_type: str,
    feed_ref: str | None,
    expected_lines: int | None,
    absent_reason: str | None,
) -> tuple[Feed, bool]:
    """A new feed, or the department's feed of the same `feed_ref` (returns whether it was
    created). Only an initiating department of the list type opens one (谁主管、谁负责)."""
    repo = FeedRepository(uow.session)
    if feed_ref is not None and (found := await repo.by_ref(ctx.department, feed_ref)):
        return found, False
    await ctx.list_types.load(uow.session, [list_type])
    versions = ctx.list_types.of(list_type)
    if not versions:
        raise NotFound(
            f"no list type {list_type!r} in the catalog",
            problems=[FieldProblem("body.list_type", "unknown_list_type", "not in the catalog")],
        )
    if ctx.department not in versions[-1].initiating_departments:
        raise Forbidden(
            f"{ctx.department} is not an initiating department of {list_type} "
            f"({', '.join(versions[-1].initiating_departments)} are): 谁主管、谁负责",
            problems=[
                FieldProblem(
                    "body.list_type",
                    "not_initiating_department",
                    "only the list type's initiating departments keep it in step",
                )
            ],
        )
    now = ctx.clock()
    feed = Feed(
        feed_id=str(uuid.uuid4()),
        department=ctx.department,
        feed_ref=feed_ref,
        mode=mode,
        list_type=list_type,
        status=FeedStatus.OPEN,
        absent_reason=absent_reason,
        expected_lines=expected_lines,
        lines_received=0,
        counts=dict.fromkeys(LineStatus, 0),
        absent_revoked=0,
        processing_seconds=0.0,
        started_at=now,
        updated_at=now,
        completed_at=None,
    )
    try:
        await repo.add(feed)
        await uow.commit()
    except IntegrityError:  # the same ref opened meanwhile (another replica)
        await uow.session.rollback()
        assert feed_ref is not None
        again = await repo.by_ref(ctx.department, feed_ref)
        if again is None:
            raise
        return again, False
    return feed, True


async def feed_of(uow: UnitOfWork, feed_id: str, department: str) -> Feed:
    feed = await FeedRepository(uow.session).get(feed_id, department)
    if feed is None:
        raise NotFound(f"no sync feed {feed_id} of {department}")
    return feed


async def _locked_feed(uow: UnitOfWork, feed_id: str, department: str) -> Feed:
    feed = await FeedRepository(uow.session).get(feed_id, department, for_update=True)
    if feed is None:
        raise NotFound(f"no sync feed {feed_id} of {department}")
    return feed


# --- lines ------------------------------------------------------------------------------------


@dataclass
class _Segment:
    """Lines of a chunk with distinct record ids: judged against one read of the known."""

    lines: list[FeedLine] = field(default_factory=list)
    record_ids: set[str] = field(default_factory=set)


def _segments(lines: Sequence[FeedLine]) -> list[_Segment]:
    segments = [_Segment()]
    for line in lines:
        rid = line.record_id
        if rid is not None and line.problems == ():
            if rid in segments[-1].record_ids:
                segments.append(_Segment())
            segments[-1].record_ids.add(rid)
        segments[-1].lines.append(line)
    return segments


async def apply_lines(
    uow: UnitOfWork, feed_id: str, lines: Sequence[FeedLine], ctx: SubmissionContext
) -> tuple[Feed, list[LineResult]]:
    """One chunk of a feed in one transaction, committed. Lines already received are
    `skipped`."""
    started = time.monotonic()
    feed = await _locked_feed(uow, feed_id, ctx.department)
    sync.require_open(feed.status)
    await ctx.list_types.load(uow.session, [feed.list_type])
    results: list[LineResult] = []
    fresh = []
    for line in lines:
        if line.number <= feed.lines_received:
            results.append(LineResult(line.number, line.record_id, LineStatus.SKIPPED))
        else:
            fresh.append(line)
    for segment in _segments(fresh):
        results.extend(await _apply_segment(uow, feed, segment, ctx))
    results.sort(key=lambda r: r.line)
    repo = FeedRepository(uow.session)
    await repo.add_rejections(
        feed.feed_id,
        [
            Rejection(r.line, r.record_id, r.problems)
            for r in results
            if r.status is LineStatus.REJECTED
        ],
    )
    if feed.mode is FeedMode.SNAPSHOT:
        await repo.add_seen(
            feed.feed_id, [line.record_id for line in fresh if line.record_id is not None]
        )
    for r in results:
        feed.counts[r.status] += 1
    if fresh:
        feed.lines_received = max(feed.lines_received, max(line.number for line in fresh))
    feed.processing_seconds += time.monotonic() - started
    feed.updated_at = ctx.clock()
    await repo.save(feed)
    await uow.commit()
    return feed, results


async def apply_chunk(
    new_uow: Callable[[], UnitOfWork],
    feed_id: str,
    lines: Sequence[FeedLine],
    ctx: SubmissionContext,
) -> tuple[Feed, list[LineResult]]:
    """`apply_lines` in a unit of work of its own. Someone posting one of these record ids
    meanwhile rolls the chunk back whole; taken again it finds that entry."""
    try:
        async with new_uow() as uow:
            return await apply_lines(uow, feed_id, lines, ctx)
    except IntegrityError:
        async with new_uow() as uow:
            return await apply_lines(uow, feed_id, lines, ctx)


async def upload(
    new_uow: Callable[[], UnitOfWork],
    feed_id: str,
    lines: AsyncIterable[FeedLine],
    ctx: SubmissionContext,
    chunk_lines: int,
) -> AsyncIterator[list[LineResult]]:
    """The results of each chunk once committed. The next chunk is read and parsed while one
    is written (a queue of one), so the body's parsing and the database's work overlap;
    memory holds at most three chunks."""
    ready: asyncio.Queue[list[FeedLine] | Exception | None] = asyncio.Queue(maxsize=1)

    async def read() -> None:
        try:
            async for chunk in chunks_of(lines, chunk_lines):
                await ready.put(chunk)
        except Exception as exc:  # the reader's failure (e.g. the client left) ends the upload
            await ready.put(exc)
        else:
            await ready.put(None)

    reading = asyncio.create_task(read())
    try:
        while (chunk := await ready.get()) is not None:
            if isinstance(chunk, Exception):
                raise chunk
            _, results = await apply_chunk(new_uow, feed_id, chunk, ctx)
            yield results
    finally:
        if not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading


def _known(found: CurrentEntry, today: date) -> sync.Known:
    note = None
    if found.suspension is not None:
        s = found.suspension
        note = (
            f"the entry is suspended pending {s.case_kind.value} {s.case_id}: it is corrected "
            f"through that case's decision (POST /v1/{s.case_kind.value}s/{s.case_id}/decision "
            "on appeals)"
        )
    return sync.Known(
        entry_id=found.entry_id,
        status=found.status_on(today),
        list_type=found.list_type,
        fingerprint=found.fingerprint,
        suspension_note=note,
    )


async def _apply_segment(
    uow: UnitOfWork, feed: Feed, segment: _Segment, ctx: SubmissionContext
) -> list[LineResult]:
    now = ctx.clock()
    today = china_date(now)
    repo = EntryRepository(uow.session)
    current = await repo.current_of(ctx.department, sorted(segment.record_ids))
    results: list[LineResult] = []
    new_lines: list[FeedLine] = []
    changed: list[ListEntry] = []
    versions: list[tuple[str, EntryVersion]] = []
    feed_name = feed.feed_ref or feed.feed_id
    for line in segment.lines:
        if line.problems:
            problems = [p.as_json() for p in line.problems]
            results.append(
                LineResult(line.number, line.record_id, LineStatus.REJECTED, None, problems)
            )
            continue
        assert line.record_id is not None
        found = current.get(line.record_id)
        content = EntryContent.of(line.submission) if line.submission is not None else None
        decision = sync.decide(
            line.op,
            None if found is None else _known(found, today),
            feed_list_type=feed.list_type,
            line_list_type=None if content is None else content.list_type,
            fingerprint=None if content is None else content.fingerprint(),
        )
        entry_id = None if found is None else found.entry_id
        try:
            if decision.action is Action.REJECT:
                assert decision.problem is not None
                raise Conflict(decision.problem.message, problems=[decision.problem])
            if decision.action is Action.INITIATE:
                new_lines.append(line)
                continue
            assert found is not None
            if decision.action is Action.UNCHANGED:  # the content is never parsed
                status = LineStatus.UNCHANGED
            elif decision.action is Action.CORRECT:
                assert content is not None
                entry = found.entry()
                reason = line.correction_reason or f"sync feed {feed_name} line {line.number}"
                version = _correct(entry, content, reason, ctx, now, today)
                if version is None:
                    status = LineStatus.UNCHANGED
                else:
                    versions.append((entry.entry_id, version))
                    handlers.send_if_due(uow, entry, now, ctx.exchange)
                    changed.append(entry)
                    status = LineStatus.CORRECTED
            else:
                assert line.deletion is not None
                entry = found.entry()
                await _revoke(uow, entry, line.deletion, ctx, now)
                changed.append(entry)
                status = LineStatus.REVOKED
        except DomainError as error:
            results.append(
                LineResult(
                    line.number, line.record_id, LineStatus.REJECTED, entry_id, _problems(error)
                )
            )
            continue
        results.append(LineResult(line.number, line.record_id, status, entry_id))
    if new_lines:
        results.extend(await _initiate(uow, new_lines, ctx))
    await repo.add_versions(versions)
    await repo.update_many(changed)
    return results


def _correct(
    entry: ListEntry,
    content: EntryContent,
    reason: str,
    ctx: SubmissionContext,
    now: Any,
    today: date,
) -> EntryVersion | None:
    """The rules of `handlers.correct_entry`, on an entry read with the chunk. A line that
    names no prior notice keeps the entry's."""
    if content.prior_notice is None:
        content = content.with_notice_of(entry.content)
    entries.require_correctable(entry, content, by=ctx.department, today=today)
    admission = rules.admit(
        content,
        ctx.list_types.of(content.list_type),
        department=ctx.department,
        today=today,
        organisation_code_policy=ctx.organisation_code_policy,
        calendar=ctx.calendar,
        initial=False,
    )
    return entries.correct(entry, admission, reason=reason, by=ctx.department, now=now, today=today)


async def _revoke(
    uow: UnitOfWork, entry: ListEntry, deletion: Deletion, ctx: SubmissionContext, now: Any
) -> None:
    if deletion.ground is not None:
        arose_on = deletion.arose_on or china_date(now)
        await handlers.ground_entry(
            uow.session, entry, deletion.ground, arose_on, ctx, handlers.REVOCATION_FIELDS
        )
    revocation = entries.revoke(entry, reason=deletion.reason, by=ctx.department, now=now)
    handlers.emit_revoked(uow, entry, revocation, ctx.exchange)


async def _initiate(
    uow: UnitOfWork, lines: Sequence[FeedLine], ctx: SubmissionContext
) -> list[LineResult]:
    """New record ids: exactly the path of a post."""
    submissions = [line.submission for line in lines if line.submission is not None]
    prepared = await handlers.prepare_entries(uow.session, submissions, ctx)
    outcomes = await handlers.record_entries(
        uow, submissions, prepared, ctx.department, ctx.exchange
    )
    results = []
    for line, outcome in zip(lines, outcomes, strict=True):
        if isinstance(outcome, handlers.Created):
            results.append(
                LineResult(line.number, line.record_id, LineStatus.CREATED, outcome.entry.entry_id)
            )
        elif isinstance(outcome, handlers.Existing):
            results.append(
                LineResult(line.number, line.record_id, LineStatus.UNCHANGED, outcome.entry_id)
            )
        else:
            results.append(
                LineResult(
                    line.number, line.record_id, LineStatus.REJECTED, None, _problems(outcome.error)
                )
            )
    return results


# --- completion -------------------------------------------------------------------------------


async def complete(new_uow: Any, feed_id: str, ctx: SubmissionContext, chunk: int) -> Feed:
    """Close the feed. A snapshot first revokes, a chunk per transaction, every entry of the
    department and list type still listed whose record id it never named, with its
    `absent_reason`; stopped half-way, the next call goes on. Repeating it answers the same."""
    async with new_uow() as uow:
        feed = await _locked_feed(uow, feed_id, ctx.department)
        if feed.status is FeedStatus.COMPLETED:
            return feed
        feed.status = (
            FeedStatus.COMPLETING if feed.mode is FeedMode.SNAPSHOT else FeedStatus.COMPLETED
        )
        now = ctx.clock()
        feed.updated_at = now
        if feed.status is FeedStatus.COMPLETED:
            feed.completed_at = now
        await FeedRepository(uow.session).save(feed)
        await uow.commit()
        if feed.status is FeedStatus.COMPLETED:
            return feed
    after: str | None = None  # keyset: each chunk reads on from the last entry seen
    while True:
        async with new_uow() as uow:
            feed = await _locked_feed(uow, feed_id, ctx.department)
            if feed.status is FeedStatus.COMPLETED:
                return feed
            now = ctx.clock()
            absent = await FeedRepository(uow.session).absent_from(
                feed, china_date(now), chunk, after
            )
            if absent:
                after = absent[-1].entry_id
            for entry in absent:
                revocation = entries.withdraw(
                    entry,
                    reason=feed.absent_reason or "absent from the snapshot",
                    by=ctx.department,
                    now=now,
                )
                handlers.emit_revoked(uow, entry, revocation, ctx.exchange)
            await EntryRepository(uow.session).update_many(absent)
            feed.absent_revoked += len(absent)
            feed.updated_at = now
            if len(absent) < chunk:
                feed.status = FeedStatus.COMPLETED
                feed.completed_at = now
                await FeedRepository(uow.session).forget_seen(feed.feed_id)
            await FeedRepository(uow.session).save(feed)
            await uow.commit()
            if feed.status is FeedStatus.COMPLETED:
                return feed
