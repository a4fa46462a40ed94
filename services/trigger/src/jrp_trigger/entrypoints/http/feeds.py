"""Sync feeds: an initiating department keeps the platform in step with its own source list
(issue 12 part 2; the court's list is synchronised from the courts, 003 三(三)4(3)).

Every route takes the initiating department's token (role `initiator`, as the bulk import);
a feed belongs to its department and is not found (404) for any other. State lives in
PostgreSQL, so every replica answers the same.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from jrp_shared.errors import DomainError, InvalidInput
from jrp_shared.logging import get_logger
from jrp_shared.web import Offset
from jrp_trigger.adapters.feeds import Feed, FeedRepository
from jrp_trigger.domain import sync as rules
from jrp_trigger.domain.sync import FeedMode, FeedStatus, LineStatus
from jrp_trigger.entrypoints.bulk_input import CSV, NDJSON, body_lines
from jrp_trigger.entrypoints.feed_input import csv_feed_lines, ndjson_feed_lines
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.entrypoints.http.bulk import UnsupportedMediaType
from jrp_trigger.entrypoints.http.deps import Initiator, TriggerDep
from jrp_trigger.entrypoints.spooled_response import Spool, SpooledStreamingResponse
from jrp_trigger.service_layer import sync

log = get_logger(__name__)

router = APIRouter(prefix="/v1/sync-feeds", tags=["sync feeds"])
lines_router = APIRouter(prefix="/v1/sync-feeds", tags=["sync feeds"])
"""The lines route alone: its body has the bulk import's limit, the others the usual one."""


class FeedCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [*examples.FEED_CREATES]},
    )

    mode: FeedMode
    list_type: str = Field(min_length=1, max_length=100)
    feed_ref: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="the department's own id of the feed: the same ref answers the same feed",
    )
    expected_lines: int | None = Field(
        default=None, ge=1, le=100_000_000, description="for the time left"
    )
    absent_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="required for a snapshot: the reason recorded when revoking the entries "
        "it does not name",
    )


class FeedCounts(BaseModel):
    created: int
    corrected: int
    unchanged: int
    revoked: int
    rejected: int
    skipped: int


class FeedRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.FEED]})

    feed_id: str
    feed_ref: str | None
    mode: FeedMode
    list_type: str
    status: FeedStatus
    lines_received: int
    counts: FeedCounts
    absent_revoked: int
    expected_lines: int | None
    rate_lines_per_second: float | None = Field(description="over the time spent on lines")
    seconds_left: float | None = Field(description="null when unknown (no expected_lines)")
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class RejectionRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REJECTION]})

    line: int
    record_id: str | None
    problems: list[dict[str, Any]]


def feed_read(feed: Feed) -> FeedRead:
    rate = (
        round(feed.lines_received / feed.processing_seconds, 1)
        if feed.processing_seconds > 0
        else None
    )
    return FeedRead(
        feed_id=feed.feed_id,
        feed_ref=feed.feed_ref,
        mode=feed.mode,
        list_type=feed.list_type,
        status=feed.status,
        lines_received=feed.lines_received,
        counts=FeedCounts(**{s.value: n for s, n in feed.counts.items()}),
        absent_revoked=feed.absent_revoked,
        expected_lines=feed.expected_lines,
        rate_lines_per_second=rate,
        seconds_left=rules.seconds_left(
            expected_lines=feed.expected_lines, received=feed.lines_received, rate=rate
        ),
        started_at=feed.started_at,
        updated_at=feed.updated_at,
        completed_at=feed.completed_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedRead,
    responses={200: {"description": "the department's feed of the same feed_ref"}},
)
async def open_feed(
    body: FeedCreate, by: Initiator, trigger: TriggerDep, response: Response
) -> FeedRead:
    """Open a snapshot or a delta of one list type (an initiating department of it only)."""
    if body.mode is FeedMode.SNAPSHOT and body.absent_reason is None:
        raise InvalidInput.for_field(
            "body.absent_reason",
            "absent_reason_required",
            "a snapshot revokes the entries it does not name: say why in absent_reason",
        )
    async with trigger.runtime.uow() as uow:
        feed, created = await sync.open_feed(
            uow,
            trigger.submissions_by(by.department_code),
            mode=body.mode,
            list_type=body.list_type,
            feed_ref=body.feed_ref,
            expected_lines=body.expected_lines,
            absent_reason=body.absent_reason,
        )
    if not created:
        response.status_code = status.HTTP_200_OK
    return feed_read(feed)


@router.get("", response_model=list[FeedRead])
async def list_feeds(
    by: Initiator,
    trigger: TriggerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[FeedRead]:
    """The department's feeds, newest first."""
    async with trigger.runtime.db.sessions() as session:
        feeds = await FeedRepository(session).of_department(by.department_code, limit, offset)
    return [feed_read(f) for f in feeds]


@router.get("/{feed_id}", response_model=FeedRead)
async def get_feed(feed_id: str, by: Initiator, trigger: TriggerDep) -> FeedRead:
    """Progress: lines received, counts, rate and time left (the same on every replica)."""
    async with trigger.runtime.uow() as uow:
        return feed_read(await sync.feed_of(uow, feed_id, by.department_code))


@router.get("/{feed_id}/rejections", response_model=list[RejectionRead])
async def rejections(
    feed_id: str,
    by: Initiator,
    trigger: TriggerDep,
    after_line: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RejectionRead]:
    """The lines refused, by line number (page on with `after_line`)."""
    async with trigger.runtime.uow() as uow:
        await sync.feed_of(uow, feed_id, by.department_code)
        found = await FeedRepository(uow.session).rejections(feed_id, after_line, limit)
    return [RejectionRead(line=r.line, record_id=r.record_id, problems=r.problems) for r in found]


@router.post("/{feed_id}/completion", response_model=FeedRead)
async def complete_feed(feed_id: str, by: Initiator, trigger: TriggerDep) -> FeedRead:
    """Close the feed; a snapshot first revokes what it never named (with `absent_reason`),
    a chunk per transaction. Stopped half-way, call it again; repeated, it answers the same."""
    feed = await sync.complete(
        trigger.runtime.uow,
        feed_id,
        trigger.submissions_by(by.department_code),
        trigger.settings.bulk_chunk_lines,
    )
    return feed_read(feed)


def _ndjson(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "one entry or deletion per line (NDJSON), or CSV with a header row",
        "content": {NDJSON: {"schema": {"type": "string"}}, CSV: {"schema": {"type": "string"}}},
    }
}


@lines_router.post(
    "/{feed_id}/lines",
    response_class=SpooledStreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "rejected lines, then a summary"}},
    openapi_extra=_BODY_DOC,
)
async def post_lines(
    feed_id: str,
    request: Request,
    by: Initiator,
    trigger: TriggerDep,
    first_line: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    results: Annotated[Literal["rejected", "all"], Query()] = "rejected",
) -> SpooledStreamingResponse:
    """Lines of the feed, streamed. Numbered across the feed from `first_line` (by default
    the line after those received); lines already received are skipped, so after a broken
    connection re-send from `lines_received + 1`, or the whole file. Each chunk is one
    transaction. The answer streams one object per rejected line (every line with
    `results=all`), then `{"summary": <the feed>}`."""
    department = by.department_code
    async with trigger.runtime.uow() as uow:
        feed = await sync.feed_of(uow, feed_id, department)
    rules.require_open(feed.status)
    first = rules.first_line(first_line, feed.lines_received)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    settings = trigger.settings
    raw = body_lines(request.stream(), settings.bulk_max_line_bytes)
    if media_type == NDJSON:
        lines = ndjson_feed_lines(raw, first, settings.json_max_depth)
    elif media_type == CSV:
        lines = await csv_feed_lines(raw, first)
    else:
        raise UnsupportedMediaType(f"send {NDJSON} or {CSV}, not {media_type or 'nothing'}")
    ctx = trigger.submissions_by(department)
    every = results == "all"

    async def produce(spool: Spool) -> None:
        try:
            uploading = sync.upload(
                trigger.runtime.uow, feed_id, lines, ctx, settings.bulk_chunk_lines
            )
            async for answered in uploading:
                spool.write(
                    b"".join(
                        _ndjson(r.as_json())
                        for r in answered
                        if every or r.status is LineStatus.REJECTED
                    )
                )
        except ClientDisconnect:
            log.info("sync feed: the client went away", feed_id=feed_id)
            return
        except HTTPException as exc:
            if exc.status_code != 413:
                raise
            spool.write(_ndjson(_stopped(trigger, feed_id, "too_large")))
            return
        except DomainError as exc:  # e.g. the body's shape: the client's to fix
            spool.write(_ndjson(_stopped(trigger, feed_id, exc.code, exc.message[:300])))
            return
        except Exception:
            # Anything else is ours (or a dependency away): logged, never echoed to the client.
            log.exception("sync feed failed", feed_id=feed_id)
            spool.write(_ndjson(_stopped(trigger, feed_id, "internal_error")))
            return
        async with trigger.runtime.uow() as uow:
            done = await sync.feed_of(uow, feed_id, department)
        spool.write(_ndjson({"summary": feed_read(done).model_dump(mode="json")}))

    return SpooledStreamingResponse(produce, media_type=NDJSON)


def _stopped(trigger: Any, feed_id: str, code: str, detail: str = "") -> dict[str, Any]:
    return {
        "error": code,
        "message": "the upload stopped; the lines answered above are stored: read the feed's "
        "lines_received and re-send from the next line (or the whole file; received lines are "
        f"skipped). {detail}".strip(),
        "feed_id": feed_id,
    }
