"""Limits on every HTTP input of the trigger, on a real PostgreSQL (issue 11 findings 3 and 7):
the body's size (413, counted as it streams, with or without Content-Length), the JSON's
nesting and the fields' lengths (422), the request head (431), a slow body (408), and the bulk
import's lines (size, nesting, count) and body. Each answer names the limit's value."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jrp_shared.testing import Keys, PostgresDatabases
from jrp_trigger.cli import MIGRATIONS
from jrp_trigger.config import TriggerSettings
from jrp_trigger.testing import TriggerUnderTest, list_type, running_trigger, tax_entry

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
async def trigger(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[TriggerUnderTest]:
    settings = TriggerSettings(
        database_url=await postgres.fresh("trigger", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        http_body_idle_seconds=0.5,
        bulk_max_lines=5,
        bulk_max_body_bytes=64 * 1024,
    )
    async with running_trigger(settings, keys) as service:
        yield service


class Body:
    """A request body of `total` bytes sent in 64 KiB pieces, counting what was taken."""

    def __init__(self, total: int, piece: int = 64 * 1024, pause: float = 0.0) -> None:
        self.total, self.piece, self.pause, self.sent = total, piece, pause, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"record_id": "'
        while self.sent < self.total:
            if self.pause:
                await asyncio.sleep(self.pause)
            self.sent += self.piece
            yield b"x" * self.piece


async def test_a_50_mb_entry_is_refused_413_as_it_streams_never_read_whole(
    trigger: TriggerUnderTest,
) -> None:
    headers = {**trigger.as_department(), "Content-Type": "application/json"}
    chunked = Body(50 * MIB)  # no Content-Length: refused once the limit is passed
    r = await trigger.client.post("/v1/list-entries", content=chunked, headers=headers)
    assert r.status_code == 413, r.text
    assert r.json()["limit"] == MIB and f"limit of {MIB} bytes" in r.json()["detail"]
    assert chunked.sent <= MIB + 2 * chunked.piece  # the rest was never taken from the client
    announced = Body(50 * MIB)  # a Content-Length over the limit: refused before any piece
    r = await trigger.client.post(
        "/v1/list-entries",
        content=announced,
        headers={**headers, "Content-Length": str(50 * MIB + 15)},
    )
    assert r.status_code == 413 and r.json()["limit"] == MIB
    assert announced.sent == 0
    assert await trigger.count("list_entries") == 0


async def test_long_names_and_deep_json_are_refused_422_with_the_limit(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    headers = trigger.as_department()

    def people(size: int) -> list[dict[str, str]]:
        return [
            {
                "role": "legal_representative",
                "name": "名" * size,
                "resident_id": "11010519491231002X",
            }
            for _ in range(10)
        ]

    # Issue 11: ten 1 MB linked-person names. Over the body limit: 413.
    big = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(today, linked_persons=people(MIB)), headers=headers
    )
    assert big.status_code == 413 and big.json()["limit"] == MIB
    # Within the body limit, each name is still limited: 422 naming the field and the limit.
    long = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(today, linked_persons=people(10_000)), headers=headers
    )
    assert long.status_code == 422, long.text
    problems = {p["field"]: p for p in long.json()["errors"]}
    name = problems["body.linked_persons.0.name"]
    assert name["reason"] == "string_too_long" and "100" in name["message"]
    assert name["limit"] == 100
    evidence = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, evidence_references=["x" * 501]),
        headers=headers,
    )
    assert evidence.status_code == 422
    assert evidence.json()["errors"][0]["field"] == "body.evidence_references.0"

    deep = await trigger.client.post(
        "/v1/list-entries",
        content=b'{"record_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert deep.status_code == 422, deep.text
    [problem] = deep.json()["errors"]
    assert problem["reason"] == "nested_too_deep" and problem["limit"] == 32
    assert await trigger.count("list_entries") == 0


async def test_a_huge_head_is_431_and_a_stalled_body_408(trigger: TriggerUnderTest) -> None:
    head = await trigger.client.get(
        "/v1/list-entries", headers={**trigger.as_department(), "X-Filler": "f" * 20_000}
    )
    assert head.status_code == 431 and head.json()["limit"] == 16 * 1024
    slow = Body(10 * 1024, piece=1024, pause=2.0)  # a piece every 2 s; the limit is 0.5 s
    r = await trigger.client.post(
        "/v1/list-entries",
        content=slow,
        headers={**trigger.as_department(), "Content-Type": "application/json"},
    )
    assert r.status_code == 408, r.text
    assert r.json()["limit"] == 0.5
    assert slow.sent <= 1024


def _results(text: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in text.splitlines() if x.strip()]


async def test_a_deep_bulk_line_is_refused_alone_and_the_import_goes_on(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    lines = [
        json.dumps(tax_entry(today, record_id="ok-1"), ensure_ascii=False),
        '{"record_id": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps(tax_entry(today, record_id="ok-2"), ensure_ascii=False),
    ]
    headers = {**trigger.as_department(), **NDJSON}
    # a deep line is about 200 KB: over this trigger's 64 KiB body limit, so two imports
    body = ("\n".join(lines) + "\n").encode()
    settings_limit = 64 * 1024
    assert len(body) > settings_limit
    first = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=("\n".join([lines[0], '{"x": ' + "[" * 5_000 + "]" * 5_000 + "}", lines[2]])),
        headers=headers,
    )
    assert first.status_code == 200, first.text
    results = _results(first.text)
    assert [r.get("status") for r in results[:3]] == ["created", "rejected", "created"]
    assert results[1]["problems"][0]["reason"] == "nested_too_deep"
    assert results[1]["problems"][0]["limit"] == 32
    assert results[-1]["summary"]["created"] == 2

    # The bulk route's own body limit (64 KiB here): announced, refused before reading ...
    announced = await trigger.client.post("/v1/list-entries/bulk", content=body, headers=headers)
    assert announced.status_code == 413 and announced.json()["limit"] == settings_limit

    async def chunked() -> AsyncIterator[bytes]:
        for line in lines:
            yield (line + "\n").encode()

    # ... or streamed (chunked): refused the moment the limit is passed, in the answer's
    # last line (what was stored before it is answered above it and in its summary).
    streamed = await trigger.client.post(
        "/v1/list-entries/bulk", content=chunked(), headers=headers
    )
    assert streamed.status_code == 200
    answered = _results(streamed.text)
    assert "summary" in answered[-1]
    assert answered[-1]["error"] == "too_large" and answered[-1]["limit"] == settings_limit


async def test_a_bulk_import_takes_at_most_its_line_count(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    body = "".join(
        json.dumps(tax_entry(today, record_id=f"n-{i}"), ensure_ascii=False) + "\n"
        for i in range(8)
    )
    r = await trigger.client.post(
        "/v1/list-entries/bulk", content=body, headers={**trigger.as_department(), **NDJSON}
    )
    assert r.status_code == 200, r.text
    results = _results(r.text)
    assert [x.get("status") for x in results[:6]] == ["created"] * 5 + ["rejected"]
    assert results[5]["problems"][0]["reason"] == "too_many_lines"
    assert results[5]["problems"][0]["limit"] == 5
    assert results[-1]["summary"]["created"] == 5
    assert await trigger.count("list_entries") == 5
