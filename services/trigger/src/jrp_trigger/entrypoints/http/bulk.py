"""Bulk import: many list entries in one streamed request, one result per line.

`POST /v1/list-entries/bulk` with `Content-Type: application/x-ndjson` or `text/csv` (formats
in `jrp_trigger.entrypoints.bulk_input`). The answer is NDJSON, streamed as chunks are stored:
`{"line", "record_id", "status": created|existing|rejected, "entry_id", "problems"}` per input
line, in order, then `{"summary": {...}}`. Each chunk is committed on its own, so after a
failure (a final `{"error": ...}` line) re-posting the whole body is safe: stored lines answer
"existing".
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from jrp_shared.errors import DomainError
from jrp_shared.logging import get_logger
from jrp_trigger.entrypoints.bulk_input import (
    CSV,
    NDJSON,
    body_lines,
    csv_lines,
    limited,
    ndjson_lines,
)
from jrp_trigger.entrypoints.http.deps import Initiator, TriggerDep
from jrp_trigger.entrypoints.spooled_response import Spool, SpooledStreamingResponse
from jrp_trigger.service_layer.bulk import BulkImport

log = get_logger(__name__)

router = APIRouter(prefix="/v1/list-entries", tags=["list entries"])


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def _ndjson(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "one ListEntrySubmission per line (NDJSON), or CSV with a header row",
        "content": {
            NDJSON: {"schema": {"type": "string"}},
            CSV: {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/bulk",
    response_class=SpooledStreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "one result per line, a summary"}},
    openapi_extra=_BODY_DOC,
)
async def bulk_import(
    request: Request, by: Initiator, trigger: TriggerDep
) -> SpooledStreamingResponse:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = body_lines(request.stream(), trigger.settings.bulk_max_line_bytes)
    if media_type == NDJSON:
        lines = ndjson_lines(raw, trigger.settings.json_max_depth)
    elif media_type == CSV:
        lines = await csv_lines(raw)  # a bad header is refused here, before anything is stored
    else:
        raise UnsupportedMediaType(f"send {NDJSON} or {CSV}, not {media_type or 'nothing'}")
    importer = BulkImport(
        new_uow=trigger.runtime.uow,
        ctx=trigger.submissions_by(by.department_code, officer=by.officer),
        chunk_lines=trigger.settings.bulk_chunk_lines,
    )
    lines = limited(lines, trigger.settings.bulk_max_lines)

    async def produce(spool: Spool) -> None:
        try:
            async for results in importer.run(lines):
                spool.write(b"".join(_ndjson(r) for r in results))
        except ClientDisconnect:
            log.info("bulk import: the client went away", **importer.summary.as_json())
            return
        except HTTPException as exc:  # the body limit, found as the body streamed
            if exc.status_code != 413:
                raise
            limit = trigger.settings.bulk_max_body_bytes
            log.info("bulk import: body over its limit", limit=limit)
            spool.write(
                _ndjson(
                    {
                        "error": "too_large",
                        "message": f"the body is larger than the limit of {limit} bytes; the "
                        "lines answered above are stored, post the rest in another import",
                        "limit": limit,
                        "summary": importer.summary.as_json(),
                    }
                )
            )
            return
        except Exception:
            log.exception("bulk import failed", **importer.summary.as_json())
            spool.write(
                _ndjson(
                    {
                        "error": "internal_error",
                        "message": "the import stopped; the lines answered above are stored, "
                        "re-posting the whole body is safe (stored lines answer existing)",
                        "summary": importer.summary.as_json(),
                    }
                )
            )
            return
        spool.write(_ndjson({"summary": importer.summary.as_json()}))
        log.info("bulk import", **importer.summary.as_json())

    return SpooledStreamingResponse(produce, media_type=NDJSON)
