"""Server errors the fuzzer found (tests/test_fuzz_openapi.py; docs/security.md, "Fuzzing"),
each now answered as the caller's mistake, on a real PostgreSQL database."""

import json

import pytest

from jrp_trigger.testing import TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration


async def test_a_nul_character_in_a_query_parameter_is_refused_not_a_server_error(
    trigger: TriggerUnderTest,
) -> None:
    # PostgreSQL cannot store U+0000 in a text; it failed the query with a 500.
    answer = await trigger.client.get(
        "/v1/list-entries", params={"list_type": "black\x00"}, headers=trigger.as_department()
    )
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["errors"]
    assert problem["reason"] == "nul_character" and "U+0000" in problem["message"]


async def test_a_nul_character_in_a_body_is_refused_and_nothing_is_stored(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    body = tax_entry(trigger.trigger.today(), grounds="虚开\x00发票")
    answer = await trigger.client.post(
        "/v1/list-entries", json=body, headers=trigger.as_department()
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["reason"] == "nul_character"
    assert await trigger.count("list_entries") == 0 and await trigger.outbox() == []


async def test_a_backslash_before_the_letters_u0000_is_text_not_a_nul(
    trigger: TriggerUnderTest,
) -> None:
    # `\\u0000` in JSON is a backslash and the letters u0000: stored as written.
    await trigger.seed(list_type())
    body = tax_entry(trigger.trigger.today(), grounds="路径 C:\\u0000 有误")
    answer = await trigger.client.post(
        "/v1/list-entries", json=body, headers=trigger.as_department()
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["grounds"] == "路径 C:\\u0000 有误"


async def test_a_nul_character_in_a_bulk_line_rejects_that_line_only(
    trigger: TriggerUnderTest,
) -> None:
    # A streamed body is not buffered at the door: the line is refused, the others stored.
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    lines = [
        json.dumps(tax_entry(today, record_id="b-1"), ensure_ascii=False),
        json.dumps(tax_entry(today, record_id="b-2", grounds="虚开\x00发票")),
        json.dumps(tax_entry(today, record_id="b-3"), ensure_ascii=False),
    ]
    answer = await trigger.client.post(
        "/v1/list-entries/bulk",
        content="\n".join(lines).encode(),
        headers={**trigger.as_department(), "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    *results, summary = [json.loads(x) for x in answer.text.splitlines()]
    assert results[1]["problems"][0]["reason"] == "nul_character"
    assert summary["summary"]["created"] == 2 and summary["summary"]["rejected"] == 1
    assert await trigger.count("list_entries") == 2


async def test_a_pool_version_beyond_the_columns_range_is_refused(
    trigger: TriggerUnderTest,
) -> None:
    # `make fuzz` (2026-11-29): 8796093022209 reached PostgreSQL's int4 and failed with a 500.
    answer = await trigger.client.get(
        "/v1/expert-pools/credit-office/versions/8796093022209",
        headers=trigger.as_department("credit-office", "administrator"),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "path.version"


async def test_a_decision_date_no_calendar_covers_is_refused(trigger: TriggerUnderTest) -> None:
    # `make fuzz` (2026-11-29): a licence decided in the year 173 had no working-day calendar
    # for its publication deadline, and failed with a 500.
    body = {
        "record_id": "闽市监许-0173-0001",
        "kind": "licence",
        "counterpart": {
            "name": "福州示例科技有限公司",
            "category": "legal_person",
            "code": "91350100M000100Y43",
        },
        "decision_number": "榕市监许〔0173〕3号",
        "decision_date": "0173-12-29",
        "licence": {
            "document_name": "食品经营许可决定书",
            "category": "ordinary",
            "certificate_number": "JY13501000000001",
            "content": "预包装食品销售",
            "valid_from": "0484-10-30",
        },
    }
    answer = await trigger.client.post(
        "/v1/publicity/decisions", json=body, headers=trigger.as_department("market", "initiator")
    )
    assert answer.status_code == 422, answer.text
    assert [(e["field"], e["reason"]) for e in answer.json()["errors"]] == [
        ("body.decision_date", "calendar_not_covered")
    ]
