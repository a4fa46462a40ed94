"""Reading a bulk import's body as it arrives: lines, then submissions.

Two formats, one submission per record:

* `application/x-ndjson`: one `ListEntrySubmission` JSON object per line.
* `text/csv` (UTF-8, a header row first, columns in any order): `record_id, subject_code,
  subject_type, subject_name, list_type, grounds, legal_basis, decision_number,
  decision_date, period_start, period_end, disclosure_class` and, optionally,
  `linked_persons` (`role:name:resident_id` items separated by `;`) and `evidence_references`
  (separated by `|`), and the court's case record (`court_case_court`, `court_case_number`,
  `court_case_filing_date`, `court_case_basis_issuer`, `court_case_basis_number`,
  `court_case_obligation`, `court_case_performance`, `court_case_performed_part`,
  `court_case_extension_ground`; DOMAIN.md §11), and the prior notice (`prior_notice_notified_on`,
  `prior_notice_channel`, `prior_notice_document_number`, `prior_notice_response_received`
  (true/false); 国办发〔2020〕49号). Quoted cells may hold commas, quotes ("")
  and line breaks.

Only one line (or one CSV record) is held at a time, and never more than `max_line_bytes`
of it: a longer line is refused by itself and skipped. An NDJSON line nested deeper than
`max_depth` is refused by itself too, before it is parsed (a deeply nested line once aborted
the whole import with a RecursionError: issue 11 finding 3). After `max_lines` lines the
import stops with one more result saying so (`limited`).
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Final

from pydantic import ValidationError

from jrp_shared import limits
from jrp_shared.errors import FieldProblem, InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.nul_refusal import json_holds_nul
from jrp_shared.nul_refusal import refusal as nul_refusal
from jrp_trigger.service_layer.bulk import Line

NDJSON: Final = "application/x-ndjson"
CSV: Final = "text/csv"

CSV_REQUIRED: Final = (
    "record_id",
    "subject_code",
    "subject_type",
    "subject_name",
    "list_type",
    "grounds",
    "legal_basis",
    "decision_number",
    "decision_date",
    "period_start",
    "period_end",
    "disclosure_class",
)
CSV_COURT_CASE: Final = {
    "court_case_court": "court",
    "court_case_number": "case_number",
    "court_case_filing_date": "filing_date",
    "court_case_basis_issuer": "enforcement_basis.issuer",
    "court_case_basis_number": "enforcement_basis.number",
    "court_case_obligation": "obligation",
    "court_case_performance": "performance",
    "court_case_performed_part": "performed_part",
    "court_case_extension_ground": "extension_ground",
}
"""The court's case record (DOMAIN.md §11), flattened like `decision_number`: column → field
of `court_case` (nested with a dot). Left out, or all cells empty: no court case."""
CSV_PRIOR_NOTICE: Final = {
    "prior_notice_notified_on": "notified_on",
    "prior_notice_channel": "channel",
    "prior_notice_document_number": "document_number",
    "prior_notice_response_received": "response_received",
}
"""The prior notice (国办发〔2020〕49号, DOMAIN.md §11): column → field of `prior_notice`.
Left out, or all cells empty: no notice."""
CSV_OPTIONAL: Final = (
    "linked_persons",
    "evidence_references",
    *CSV_COURT_CASE,
    *CSV_PRIOR_NOTICE,
)

RawLine = tuple[int, bytes | None]
"""A line number (1-based) and its bytes without the line break; None when it was too long."""


async def body_lines(chunks: AsyncIterable[bytes], max_line_bytes: int) -> AsyncIterator[RawLine]:
    buffer = bytearray()
    number = 0
    too_long = False
    async for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                if not too_long:
                    buffer += chunk[start:]
                    if len(buffer) > max_line_bytes:
                        too_long = True
                        buffer.clear()
                break
            number += 1
            if not too_long:
                buffer += chunk[start:end]
                too_long = len(buffer) > max_line_bytes
            yield number, None if too_long else bytes(buffer)
            buffer.clear()
            too_long = False
            start = end + 1
    if buffer or too_long:
        yield number + 1, None if too_long else bytes(buffer)


def _too_long(number: int) -> Line:
    problem = FieldProblem("body", "line_too_long", "the line is longer than this service takes")
    return Line(number, None, problems=(problem,))


def validation_problems(exc: ValidationError, prefix: str = "body") -> tuple[FieldProblem, ...]:
    """Pydantic's errors as field problems, without the input (it may be personal data)."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"])
        ctx = err.get("ctx") or {}
        context = {"position": ctx["position"]} if isinstance(ctx.get("position"), int) else {}
        if isinstance(ctx.get("max_length"), int):
            context["limit"] = ctx["max_length"]
        problems.append(
            FieldProblem(f"{prefix}.{where}" if where else prefix, err["type"], err["msg"], context)
        )
    return tuple(problems)


def _record_id_in(data: bytes, max_depth: int) -> str | None:
    """The record id of a line that failed validation, when it can still be read."""
    try:
        found = limits.loads(data, max_bytes=len(data), max_depth=max_depth)
    except ValueError:
        return None
    record_id = found.get("record_id") if isinstance(found, dict) else None
    return record_id if isinstance(record_id, str) else None


async def ndjson_lines(
    raw: AsyncIterable[RawLine], max_depth: int = limits.JSON_MAX_DEPTH
) -> AsyncIterator[Line]:
    async for number, data in raw:
        line = ndjson_line(number, data, max_depth)
        if line is not None:
            yield line


def ndjson_line(number: int, data: bytes | None, max_depth: int) -> Line | None:
    """One NDJSON line as a submission, or the line refusing it; None when blank."""
    if data is None:
        return _too_long(number)
    if json_holds_nul(data):  # PostgreSQL cannot store it (jrp_shared.nul_refusal)
        return Line(number, None, problems=tuple(nul_refusal("body").problems))
    if not data.strip():
        return None
    if limits.nested_deeper_than(data, max_depth):
        problem = FieldProblem(
            "body",
            "nested_too_deep",
            f"the line nests JSON arrays and objects more than {max_depth} levels deep",
            {"limit": max_depth},
        )
        return Line(number, None, problems=(problem,))
    try:
        submission = ListEntrySubmission.model_validate_json(data)
    except ValidationError as exc:
        return Line(number, _record_id_in(data, max_depth), problems=validation_problems(exc))
    return Line(number, submission.record_id, submission)


async def limited(lines: AsyncIterable[Line], max_lines: int) -> AsyncIterator[Line]:
    """At most `max_lines` lines; then one result refusing the rest, and the import ends."""
    count = 0
    async for line in lines:
        if count == max_lines:
            problem = FieldProblem(
                "body",
                "too_many_lines",
                f"an import takes at most {max_lines} lines; this line and those after it "
                "were not read: post them in another import",
                {"limit": max_lines},
            )
            yield Line(line.number, None, problems=(problem,))
            return
        count += 1
        yield line


# --- CSV ----------------------------------------------------------------------------------------


async def _csv_records(raw: AsyncIterable[RawLine]) -> AsyncIterator[tuple[int, str | None]]:
    """Physical lines joined into CSV records (a quoted cell may span lines), numbered by
    the line each starts on; None for a record that is too long or not UTF-8."""
    parts: list[str] = []
    first = 0
    async for number, data in raw:
        if data is None:
            parts = []
            yield (first or number), None
            continue
        try:
            text = data.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            parts = []
            yield (first or number), None
            continue
        if not parts:
            first = number
        parts.append(text)
        record = "\n".join(parts)
        if record.count('"') % 2 == 0:  # quotes balanced: the record is complete
            parts = []
            yield first, record
    if parts:
        yield first, "\n".join(parts)


def _header(record: str | None, optional: tuple[str, ...] = CSV_OPTIONAL) -> list[str]:
    if record is None:
        raise InvalidInput.for_field("body", "csv_header", "the first line must be the header row")
    columns = [c.strip() for c in next(csv.reader([record.removeprefix("\ufeff")]))]
    missing = [c for c in CSV_REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in CSV_REQUIRED + optional]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if missing or unknown or repeated:
        raise InvalidInput.for_field(
            "body",
            "csv_header",
            f"CSV header: missing {missing}, unknown {unknown}, repeated {repeated}; expected "
            f"{', '.join(CSV_REQUIRED)} and optionally {', '.join(optional)}",
            missing=missing,
            unknown=unknown,
            repeated=repeated,
        )
    return columns


def _people(cell: str, problems: list[FieldProblem]) -> list[dict[str, str]]:
    people = []
    for i, item in enumerate(p for p in cell.split(";") if p.strip()):
        role, _, rest = item.partition(":")
        name, _, resident_id = rest.rpartition(":")
        if not (role.strip() and name.strip() and resident_id.strip()):
            problems.append(
                FieldProblem(
                    f"body.linked_persons.{i}",
                    "csv_linked_person",
                    "a linked person is written role:name:resident_id",
                )
            )
            continue
        people.append(
            {"role": role.strip(), "name": name.strip(), "resident_id": resident_id.strip()}
        )
    return people


def _court_case(row: dict[str, str]) -> dict[str, Any] | None:
    cells = {field: row.get(column, "").strip() for column, field in CSV_COURT_CASE.items()}
    if not any(cells.values()):
        return None
    case: dict[str, Any] = {}
    for name, value in cells.items():
        if not value:
            continue
        parent, _, child = name.partition(".")
        if child:
            case.setdefault(parent, {})[child] = value
        else:
            case[name] = value
    return case


def _submission_json(row: dict[str, str], problems: list[FieldProblem]) -> dict[str, Any]:
    data = _entry_json(row, problems)
    court_case = _court_case(row)
    if court_case is not None:
        data["court_case"] = court_case
    notice = {f: row.get(c, "").strip() for c, f in CSV_PRIOR_NOTICE.items()}
    if any(notice.values()):
        data["prior_notice"] = {f: v for f, v in notice.items() if v}
    return data


def _entry_json(row: dict[str, str], problems: list[FieldProblem]) -> dict[str, Any]:
    return {
        "record_id": row["record_id"],
        "subject": {
            "code": row["subject_code"].strip(),
            "subject_type": row["subject_type"].strip(),
            "name": row["subject_name"],
        },
        "list_type": row["list_type"].strip(),
        "grounds": row["grounds"],
        "legal_basis": row["legal_basis"],
        "decision_document": {
            "number": row["decision_number"],
            "date": row["decision_date"].strip(),
        },
        "period": {"start": row["period_start"].strip(), "end": row["period_end"].strip()},
        "disclosure_class": row["disclosure_class"].strip(),
        "linked_persons": _people(row.get("linked_persons", ""), problems),
        "evidence_references": [
            e.strip() for e in row.get("evidence_references", "").split("|") if e.strip()
        ],
    }


def csv_row(number: int, record: str | None, columns: list[str]) -> dict[str, str] | Line | None:
    """One CSV record as its cells by column, or the line refusing it; None when blank."""
    if record is None:
        return _too_long(number)
    if not record.strip():
        return None
    if "\x00" in record:  # PostgreSQL cannot store it (jrp_shared.nul_refusal)
        return Line(number, None, problems=tuple(nul_refusal("body").problems))
    cells = next(csv.reader([record]))
    if len(cells) != len(columns):
        problem = FieldProblem(
            "body", "csv_cells", f"expected {len(columns)} cells, got {len(cells)}"
        )
        return Line(number, cells[0] if cells else None, problems=(problem,))
    return dict(zip(columns, cells, strict=True))


def submission_line(number: int, row: dict[str, str]) -> Line:
    """A CSV row as a submission, or the line refusing it."""
    problems: list[FieldProblem] = []
    data = _submission_json(row, problems)
    if problems:
        return Line(number, row["record_id"], problems=tuple(problems))
    try:
        submission = ListEntrySubmission.model_validate(data)
    except ValidationError as exc:
        return Line(number, row["record_id"], problems=validation_problems(exc))
    return Line(number, submission.record_id, submission)


async def csv_records(
    raw: AsyncIterable[RawLine], optional: tuple[str, ...] = CSV_OPTIONAL
) -> tuple[list[str], AsyncIterator[tuple[int, str | None]]]:
    """The checked header (a bad one refuses the whole request before anything is stored)
    and the records that follow it, as they arrive."""
    records = aiter(_csv_records(raw))
    try:
        _, first = await anext(records)
    except StopAsyncIteration:
        first = None
    return _header(first, optional), records


async def csv_lines(raw: AsyncIterable[RawLine]) -> AsyncIterator[Line]:
    """Read and check the header now; the rows follow as they arrive."""
    columns, records = await csv_records(raw)

    async def rows() -> AsyncIterator[Line]:
        async for number, record in records:
            row = csv_row(number, record, columns)
            if row is None:
                continue
            yield row if isinstance(row, Line) else submission_line(number, row)

    return rows()
