"""Reading a sync feed's body: entry and deletion lines in NDJSON and CSV, numbered across the
feed from the body's first line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date

import pytest

from jrp_shared.errors import InvalidInput
from jrp_trigger.domain.sync import LineOp
from jrp_trigger.entrypoints.bulk_input import CSV_REQUIRED, body_lines
from jrp_trigger.entrypoints.feed_input import csv_feed_lines, ndjson_feed_lines
from jrp_trigger.service_layer.sync import Deletion, FeedLine
from jrp_trigger.testing import tax_entry

TODAY = date(2026, 11, 23)


async def stream(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def collect(lines: AsyncIterator[FeedLine]) -> list[FeedLine]:
    return [line async for line in lines]


async def test_ndjson_entries_and_deletions_are_numbered_from_the_first_line() -> None:
    text = "\n".join(
        [
            json.dumps(tax_entry(TODAY, record_id="a")),
            "",
            json.dumps(
                {**tax_entry(TODAY, record_id="b"), "op": "upsert", "correction_reason": "法院更正"}
            ),
            json.dumps(
                {
                    "record_id": "c",
                    "op": "delete",
                    "reason": "已履行",
                    "deletion_ground": "performed",
                    "ground_arose_on": "2026-11-20",
                }
            ),
            json.dumps({"record_id": "d", "op": "remove"}),
            "{broken",
            json.dumps({"record_id": "e", "op": "delete"}),
        ]
    )
    raw = body_lines(stream(text.encode()), max_line_bytes=8192)
    a, b, c, d, broken, e = await collect(ndjson_feed_lines(raw, first=41, max_depth=32))
    assert [x.number for x in (a, b, c, d, broken, e)] == [41, 42, 43, 44, 45, 46]
    assert a.submission is not None and a.op is LineOp.UPSERT and a.correction_reason is None
    assert b.submission is not None and b.correction_reason == "法院更正"
    assert c.op is LineOp.DELETE and c.submission is None
    assert c.deletion == Deletion("已履行", "performed", date(2026, 11, 20))
    assert d.problems[0].reason == "unknown_op" and d.record_id == "d"
    assert broken.problems[0].reason == "json_invalid"
    assert e.record_id == "e" and e.problems[0].field == "body.reason"


async def test_csv_rows_carry_op_reason_and_ground() -> None:
    columns = [
        *CSV_REQUIRED,
        "op",
        "reason",
        "deletion_ground",
        "ground_arose_on",
        "correction_reason",
    ]
    entry = tax_entry(TODAY)
    full = {
        "record_id": "a",
        "subject_code": entry["subject"]["code"],
        "subject_type": "legal_person",
        "subject_name": entry["subject"]["name"],
        "list_type": entry["list_type"],
        "grounds": entry["grounds"],
        "legal_basis": entry["legal_basis"],
        "decision_number": "闽税稽罚〔2026〕12号",
        "decision_date": str(TODAY),
        "period_start": str(TODAY),
        "period_end": "2028-11-01",
        "disclosure_class": "public",
        "op": "",
        "reason": "",
        "deletion_ground": "",
        "ground_arose_on": "",
        "correction_reason": "更正名称",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([full[c] for c in columns])
    deletion = dict.fromkeys(columns, "") | {
        "record_id": "b",
        "op": "delete",
        "reason": "已履行",
        "deletion_ground": "performed",
    }
    writer.writerow([deletion[c] for c in columns])
    raw = body_lines(stream(out.getvalue().encode()), max_line_bytes=8192)
    upsert, delete = await collect(await csv_feed_lines(raw, first=1))
    assert upsert.number == 1 and upsert.submission is not None
    assert upsert.correction_reason == "更正名称"
    assert delete.number == 2 and delete.deletion == Deletion("已履行", "performed", None)


async def test_a_csv_header_with_unknown_columns_is_refused() -> None:
    header = ",".join([*CSV_REQUIRED, "op", "colour"]) + "\n"
    raw = body_lines(stream(header.encode()), max_line_bytes=8192)
    with pytest.raises(InvalidInput) as refused:
        await csv_feed_lines(raw, first=1)
    assert refused.value.problems[0].reason == "csv_header"
