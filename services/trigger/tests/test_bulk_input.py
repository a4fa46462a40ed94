"""Reading a bulk body as it arrives: lines across chunk boundaries, NDJSON and CSV records,
one result per line, bounded memory per line, and the spool the answer streams from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable
from datetime import date

import pytest

from jrp_shared.errors import InvalidInput
from jrp_trigger.entrypoints.bulk_input import (
    CSV_REQUIRED,
    body_lines,
    csv_lines,
    ndjson_lines,
)
from jrp_trigger.entrypoints.spooled_response import Spool
from jrp_trigger.service_layer.bulk import Line, chunks_of
from jrp_trigger.testing import PERSON, tax_entry

TODAY = date(2026, 11, 23)


async def stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def collect(lines: AsyncIterator[Line]) -> list[Line]:
    return [line async for line in lines]


async def test_lines_are_split_across_chunks_and_the_last_may_lack_a_break() -> None:
    raw = body_lines(stream(b"ab", b"c\nde", b"f\n\ng", b"hi"), max_line_bytes=1024)
    assert [x async for x in raw] == [(1, b"abc"), (2, b"def"), (3, b""), (4, b"ghi")]


async def test_a_line_too_long_is_refused_alone_and_never_held_whole() -> None:
    raw = body_lines(stream(b"ok\n", b"x" * 700, b"x" * 700, b"\nfine\n"), max_line_bytes=1024)
    assert [x async for x in raw] == [(1, b"ok"), (2, None), (3, b"fine")]


async def test_ndjson_lines_become_submissions_or_problems() -> None:
    good = json.dumps(tax_entry(TODAY, record_id="a-1"), ensure_ascii=False)
    bad = json.dumps(tax_entry(TODAY, record_id="a-2", disclosure_class="secret"))
    body = f"{good}\r\n\n{bad}\n{{broken\n".encode()
    lines = await collect(ndjson_lines(body_lines(stream(body), max_line_bytes=1 << 20)))
    assert [(x.number, x.record_id) for x in lines] == [(1, "a-1"), (3, "a-2"), (4, None)]
    assert lines[0].submission is not None and lines[0].submission.record_id == "a-1"
    assert lines[1].submission is None
    assert [(p.field, p.reason) for p in lines[1].problems] == [("body.disclosure_class", "enum")]
    assert lines[2].problems[0].reason == "json_invalid"


def csv_body(rows: Iterable[dict[str, str]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def csv_row(record_id: str, **changes: str) -> dict[str, str]:
    row = {
        "record_id": record_id,
        "subject_code": "91350100M000100Y43",
        "subject_type": "legal_person",
        "subject_name": "福州示例科技",
        "list_type": "black.tax.major-violation",
        "grounds": '虚开发票，\n情节严重（含"引号"）',
        "legal_basis": "《税收征收管理法》",
        "decision_number": "闽税稽罚〔2026〕12号",
        "decision_date": str(TODAY),
        "period_start": str(TODAY),
        "period_end": "2028-11-22",
        "disclosure_class": "public",
        "linked_persons": f"legal_representative:张三:{PERSON}",
        "evidence_references": "稽查报告|送达回证",
    }
    row.update(changes)
    return row


async def test_csv_records_may_span_lines_and_carry_people_and_evidence() -> None:
    columns = [*CSV_REQUIRED, "linked_persons", "evidence_references"]
    body = csv_body(
        [csv_row("c-1"), csv_row("c-2", linked_persons="legal_representative:张三")], columns
    )
    lines = await collect(
        await csv_lines(body_lines(stream(body[:100], body[100:]), max_line_bytes=1 << 20))
    )
    assert [x.number for x in lines] == [2, 4]  # the header is line 1; grounds span two lines
    first = lines[0].submission
    assert first is not None
    assert first.grounds == '虚开发票，\n情节严重（含"引号"）'
    assert first.linked_persons[0].resident_id == PERSON
    assert first.evidence_references == ["稽查报告", "送达回证"]
    assert first.decision_document.number == "闽税稽罚〔2026〕12号"
    assert lines[1].record_id == "c-2"
    assert lines[1].problems[0].reason == "csv_linked_person"


async def test_a_bad_csv_header_refuses_the_whole_body() -> None:
    columns = [c for c in CSV_REQUIRED if c != "grounds"] + ["colour"]
    body = csv_body([], columns)
    with pytest.raises(InvalidInput) as caught:
        await csv_lines(body_lines(stream(body), max_line_bytes=1 << 20))
    problem = caught.value.problems[0].as_json()
    assert problem["missing"] == ["grounds"] and problem["unknown"] == ["colour"]


async def test_a_csv_row_with_the_wrong_number_of_cells_is_refused_alone() -> None:
    body = ",".join(CSV_REQUIRED).encode() + b"\nr-1,too,few\n"
    [line] = await collect(await csv_lines(body_lines(stream(body), max_line_bytes=1 << 20)))
    assert (line.number, line.record_id, line.problems[0].reason) == (2, "r-1", "csv_cells")


async def test_chunks_hold_at_most_the_chunk_size() -> None:
    async def numbered(n: int) -> AsyncIterator[Line]:
        for i in range(n):
            yield Line(i + 1, None)

    sizes = [len(c) async for c in chunks_of(numbered(1234), 500)]
    assert sizes == [500, 500, 234]


async def test_the_spool_gives_back_what_was_written_in_order() -> None:
    spool = Spool(memory_bytes=8)  # spills to a temporary file at once
    spool.write(b"first\n")
    assert await spool.read() == b"first\n"
    spool.write(b"second\n")
    spool.write(b"third\n")
    spool.finish()
    assert await spool.read() == b"second\nthird\n"
    assert await spool.read() is None
    spool.close()


async def test_a_csv_row_carries_the_court_case() -> None:
    columns = [
        *CSV_REQUIRED,
        "court_case_court",
        "court_case_number",
        "court_case_filing_date",
        "court_case_basis_issuer",
        "court_case_basis_number",
        "court_case_obligation",
        "court_case_performance",
    ]
    entry = tax_entry(TODAY)
    row = {
        "record_id": "c-1",
        "subject_code": entry["subject"]["code"],
        "subject_type": "legal_person",
        "subject_name": entry["subject"]["name"],
        "list_type": entry["list_type"],
        "grounds": "有履行能力而拒不履行",
        "legal_basis": "法释〔2017〕7号",
        "decision_number": "(2026)闽01执1号之一",
        "decision_date": str(TODAY),
        "period_start": str(TODAY),
        "period_end": "2028-11-23",
        "disclosure_class": "public",
        "court_case_court": "福州市中级人民法院",
        "court_case_number": "(2026)闽01执1号",
        "court_case_filing_date": "2026-01-05",
        "court_case_basis_issuer": "福州市中级人民法院",
        "court_case_basis_number": "(2025)闽01民初9号",
        "court_case_obligation": "支付货款100万元",
        "court_case_performance": "none",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([row[c] for c in columns])
    writer.writerow([row[c] if not c.startswith("court_case") else "" for c in columns])
    raw = body_lines(stream(out.getvalue().encode()), max_line_bytes=4096)
    with_case, without = await collect(await csv_lines(raw))
    assert with_case.submission is not None, with_case.problems
    case = with_case.submission.court_case
    assert case is not None
    assert case.case_number == "(2026)闽01执1号"
    assert case.enforcement_basis.number == "(2025)闽01民初9号"
    assert case.filing_date == date(2026, 1, 5)
    assert without.submission is not None and without.submission.court_case is None
