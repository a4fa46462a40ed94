"""Reading a sync feed's body as it arrives: the bulk import's formats and limits
(`bulk_input`), plus deletion lines.

* NDJSON: a `ListEntrySubmission` object, optionally with `"op": "upsert"` and
  `"correction_reason"`; or a deletion `{"record_id", "op": "delete", "reason",
  "deletion_ground"?, "ground_arose_on"?}`.
* CSV: the bulk import's columns plus `op`, `reason`, `deletion_ground`, `ground_arose_on`,
  `correction_reason` (all optional). A deletion row needs only `record_id`, `op` and `reason`;
  its other cells may be empty.

Lines are numbered across the feed: the body's first line (or CSV record after the header) is
`first`, the next `first + 1`, and so on; blank lines are not counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jrp_shared import limits
from jrp_shared.errors import FieldProblem
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.nul_refusal import json_holds_nul
from jrp_trigger.domain.sync import LineOp
from jrp_trigger.entrypoints.bulk_input import (
    CSV_OPTIONAL,
    RawLine,
    csv_records,
    csv_row,
    ndjson_line,
    submission_line,
    validation_problems,
)
from jrp_trigger.service_layer.bulk import Line
from jrp_trigger.service_layer.sync import Deletion, FeedLine

FEED_CSV_OPTIONAL: Final = (
    *CSV_OPTIONAL,
    "op",
    "reason",
    "deletion_ground",
    "ground_arose_on",
    "correction_reason",
)


class DeletionLine(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    record_id: str = Field(min_length=1, max_length=100)
    op: Literal["delete"]
    reason: str = Field(min_length=1, max_length=2000)
    deletion_ground: str | None = Field(default=None, min_length=1, max_length=100)
    ground_arose_on: date | None = None


_EXTRA = (b'"op"', b'"correction_reason"')


def _op_problem(value: object) -> FieldProblem:
    return FieldProblem("body.op", "unknown_op", f"op is upsert or delete, not {str(value)[:20]!r}")


def _from_object(number: int, data: dict[str, Any]) -> FeedLine:
    record_id = data.get("record_id") if isinstance(data.get("record_id"), str) else None
    op = data.get("op", "upsert")
    if op == "delete":
        try:
            d = DeletionLine.model_validate(data)
        except ValidationError as exc:
            return FeedLine(number, record_id, LineOp.DELETE, problems=validation_problems(exc))
        deletion = Deletion(d.reason, d.deletion_ground, d.ground_arose_on)
        return FeedLine(number, d.record_id, LineOp.DELETE, deletion=deletion)
    if op != "upsert":
        return FeedLine(number, record_id, problems=(_op_problem(op),))
    reason = data.pop("correction_reason", None)
    data.pop("op", None)
    problems: list[FieldProblem] = []
    if reason is not None and not (isinstance(reason, str) and 0 < len(reason) <= 2000):
        problems.append(
            FieldProblem(
                "body.correction_reason",
                "correction_reason",
                "a correction reason is a text of 1 to 2000 characters",
            )
        )
    try:
        submission = ListEntrySubmission.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc))
    if problems:
        return FeedLine(number, record_id, problems=tuple(problems))
    return FeedLine(number, submission.record_id, submission=submission, correction_reason=reason)


async def ndjson_feed_lines(
    raw: AsyncIterable[RawLine], first: int, max_depth: int
) -> AsyncIterator[FeedLine]:
    """NDJSON lines as feed lines. The common line (a plain submission) goes through the bulk
    import's parser; a line naming `op` or `correction_reason` is read as an object first."""
    number = first - 1
    async for _, data in raw:
        if data is not None and not data.strip():
            continue
        number += 1
        if data is not None and any(k in data for k in _EXTRA):
            special = _special(number, data, max_depth)
            if special is not None:
                yield special
                continue
        line = ndjson_line(number, data, max_depth)
        if line is not None:
            yield _from_bulk(number, line)


def _special(number: int, data: bytes, max_depth: int) -> FeedLine | None:
    """A line with feed fields, parsed as an object; None to let the bulk parser refuse it
    (too deep, not JSON, NUL …) with its usual reasons."""
    if limits.nested_deeper_than(data, max_depth) or json_holds_nul(data):
        return None
    try:
        found = limits.loads(data, max_bytes=len(data), max_depth=max_depth)
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    return _from_object(number, found)


def _from_bulk(number: int, line: Line) -> FeedLine:
    return FeedLine(number, line.record_id, submission=line.submission, problems=line.problems)


async def csv_feed_lines(raw: AsyncIterable[RawLine], first: int) -> AsyncIterator[FeedLine]:
    """Check the header now (422 before anything is stored); the rows follow."""
    columns, records = await csv_records(raw, FEED_CSV_OPTIONAL)

    async def rows() -> AsyncIterator[FeedLine]:
        number = first - 1
        async for physical, record in records:
            row = csv_row(physical, record, columns)
            if row is None:
                continue
            number += 1
            if isinstance(row, Line):
                yield _from_bulk(number, row)
            else:
                yield _csv_feed_line(number, row)

    return rows()


def _csv_feed_line(number: int, row: dict[str, str]) -> FeedLine:
    op = row.get("op", "").strip() or "upsert"
    if op == "delete":
        data: dict[str, Any] = {
            "record_id": row["record_id"],
            "op": "delete",
            "reason": row.get("reason", ""),
        }
        for name in ("deletion_ground", "ground_arose_on"):
            if row.get(name, "").strip():
                data[name] = row[name].strip()
        return _from_object(number, data)
    if op != "upsert":
        return FeedLine(number, row["record_id"], problems=(_op_problem(op),))
    line = submission_line(number, row)
    reason = row.get("correction_reason", "").strip() or None
    return FeedLine(
        number,
        line.record_id,
        submission=line.submission,
        correction_reason=reason,
        problems=line.problems,
    )
