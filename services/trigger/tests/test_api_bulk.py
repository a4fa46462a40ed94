"""Bulk import through the HTTP API on a real PostgreSQL: many lines in one streamed request,
one result per line, stored a chunk per transaction while the body is still arriving."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jrp_shared.testing import eventually
from jrp_trigger.testing import PERSON, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration

NDJSON = {"Content-Type": "application/x-ndjson"}
IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"


def results(text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(x) for x in text.splitlines()]
    return lines[:-1], lines[-1]


async def test_thousands_of_lines_give_one_result_each_and_repeat_safely(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    total = 3000

    def line(i: int) -> str:
        if i % 500 == 7:
            return "{not json"
        record = f"b-{i - 1}" if i % 100 == 50 else f"b-{i}"  # every 100th repeats the last
        body = tax_entry(today, record_id=record)
        if i % 150 == 75:
            body["list_type"] = "black.nope"
        return json.dumps(body, ensure_ascii=False)

    async def body() -> AsyncIterator[bytes]:
        for start in range(1, total + 1, 100):  # never the whole body in one piece
            yield "".join(line(i) + "\n" for i in range(start, start + 100)).encode()

    headers = {**trigger.as_department(), **NDJSON}
    r = await trigger.client.post("/v1/list-entries/bulk", content=body(), headers=headers)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines, summary = results(r.text)
    broken, refused, repeated = 6, 20, 30
    assert [x["line"] for x in lines] == list(range(1, total + 1))
    assert summary["summary"] == {
        "lines": total,
        "created": total - broken - refused - repeated,
        "existing": repeated,
        "rejected": broken + refused,
        "chunks": 6,
    }
    by_line = {x["line"]: x for x in lines}
    assert by_line[7]["problems"][0]["reason"] == "json_invalid"
    assert by_line[225]["problems"][0]["reason"] == "unknown_list_type"
    assert by_line[225]["record_id"] == "b-225"
    assert by_line[50]["status"] == "existing"
    assert by_line[50]["entry_id"] == by_line[49]["entry_id"]
    created = total - broken - refused - repeated
    assert await trigger.count("list_entries") == created
    assert len(await trigger.outbox(IN_FORCE)) == created

    again = await trigger.client.post("/v1/list-entries/bulk", content=body(), headers=headers)
    _, summary = results(again.text)
    assert summary["summary"]["existing"] == created + repeated
    assert summary["summary"]["created"] == 0
    assert await trigger.count("list_entries") == created


async def test_chunks_are_stored_while_the_body_is_still_arriving(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    seen_before_the_end: list[int] = []

    def lines(start: int, stop: int) -> bytes:
        return "".join(
            json.dumps(tax_entry(today, record_id=f"s-{i}"), ensure_ascii=False) + "\n"
            for i in range(start, stop)
        ).encode()

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, 1200, 100):
            yield lines(start, start + 100)

        # The body is not finished: two whole chunks of 500 must already be committed.
        async def stored() -> int | None:
            count = await trigger.count("list_entries")
            return count if count >= 1000 else None

        seen_before_the_end.append(await eventually(stored))
        yield lines(1200, 1300)

    r = await trigger.client.post(
        "/v1/list-entries/bulk", content=body(), headers={**trigger.as_department(), **NDJSON}
    )
    _, summary = results(r.text)
    assert summary["summary"]["created"] == 1300
    assert seen_before_the_end == [1000]  # whole chunks only: each is one transaction


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def test_a_csv_import_and_what_is_refused_before_anything_is_stored(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = str(trigger.trigger.today())
    row = {
        "record_id": "csv-1",
        "subject_code": "91350100M000100Y43",
        "subject_type": "legal_person",
        "subject_name": "福州示例科技",
        "list_type": "black.tax.major-violation",
        "grounds": "虚开发票，\n情节严重",
        "legal_basis": "《税收征收管理法》",
        "decision_number": "闽税稽罚〔2026〕12号",
        "decision_date": today,
        "period_start": today,
        "period_end": "2028-01-01",
        "disclosure_class": "public",
        "linked_persons": f"legal_representative:张三:{PERSON}",
        "evidence_references": "稽查报告|送达回证",
    }
    bad = {**row, "record_id": "csv-2", "subject_code": "91350100M000100Y42"}
    headers = {**trigger.as_department(), "Content-Type": "text/csv; charset=utf-8"}
    r = await trigger.client.post(
        "/v1/list-entries/bulk", content=csv_text([row, bad]).encode(), headers=headers
    )
    lines, summary = results(r.text)
    assert summary["summary"]["created"] == 1
    assert [(x["line"], x["status"]) for x in lines] == [(2, "created"), (4, "rejected")]
    assert lines[1]["problems"][0]["reason"] == "uscc_check_character"
    entry = await trigger.client.get(
        f"/v1/list-entries/{lines[0]['entry_id']}", headers=trigger.as_department()
    )
    assert entry.json()["grounds"] == "虚开发票，\n情节严重"
    assert entry.json()["linked_persons"][0]["resident_id"] == PERSON
    assert entry.json()["evidence_references"] == ["稽查报告", "送达回证"]

    no_header = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=csv_text([row]).split("\r\n", 1)[1].encode(),
        headers=headers,
    )
    assert no_header.status_code == 422
    assert no_header.json()["errors"][0]["reason"] == "csv_header"
    plain = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=b"x",
        headers={**trigger.as_department(), "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415
    not_initiator = await trigger.client.post(
        "/v1/list-entries/bulk", content=b"", headers={**trigger.keys.headers("tax"), **NDJSON}
    )
    assert not_initiator.status_code == 403
    assert await trigger.count("list_entries") == 1
