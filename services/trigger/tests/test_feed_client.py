"""The sync-feed client (`jrp-trigger sync-feed`) against a fake trigger (httpx MockTransport):
parts, resuming from `lines_received + 1` after a failed request, rejected lines, the token
renewed after a 401, and a refusal that ends the feed. No database or broker is involved: the
fake stands for the HTTP contract only."""

from __future__ import annotations

import io
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import httpx
import pytest

from jrp_trigger import cli
from jrp_trigger.feed_client import (
    ClientCredentials,
    FeedClient,
    FeedError,
    FeedRequest,
    Progress,
    SourceFile,
    StaticToken,
)

BASE = "http://trigger.test"


class FakeTrigger:
    """Trigger's sync feed, as the contract says: lines numbered across the feed, lines it
    already has skipped, rejected lines answered one by one, then the summary."""

    def __init__(self, *, drop_after: dict[int, int] | None = None) -> None:
        self.lines: dict[int, bytes] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.drop_after = drop_after or {}  # request number → lines taken before the drop
        self.line_requests = 0
        self.fail_statuses: list[int] = []  # answered (in order) to the next line requests
        self.cut_summary = False
        self.stop_after: int | None = None  # lines taken before the platform stops the upload
        self.status = "receiving"
        self.created: dict[str, Any] | None = None
        self.headers: list[str] = []
        self.tokens: list[str] = []
        self.valid_tokens = {"good", "fresh"}

    def view(self) -> dict[str, Any]:
        rejected = sum(1 for data in self.lines.values() if b'"bad"' in data)
        return {
            "feed_id": "f1",
            "status": self.status,
            "lines_received": len(self.lines),
            "counts": {"created": len(self.lines) - rejected, "rejected": rejected},
            "rate_lines_per_second": 100.0,
            "seconds_left": 1.0,
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append((request.method, path, dict(request.url.params)))
        if path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "fresh", "expires_in": 900})
        token = request.headers["Authorization"].removeprefix("Bearer ")
        self.tokens.append(token)
        if token not in self.valid_tokens:
            return httpx.Response(401, json={"detail": "expired"})
        if request.method == "POST" and path == "/v1/sync-feeds":
            self.created = json.loads(request.content)
            return httpx.Response(201, json=self.view())
        if request.method == "GET" and path == "/v1/sync-feeds/f1":
            return httpx.Response(200, json=self.view())
        if path == "/v1/sync-feeds/f1/completion":
            self.status = "completed"
            return httpx.Response(200, json=self.view())
        assert path == "/v1/sync-feeds/f1/lines"
        self.line_requests += 1
        if self.fail_statuses:
            return httpx.Response(self.fail_statuses.pop(0))
        first = int(request.url.params["first_line"])
        body = records(request.read(), csv=request.headers["Content-Type"] == "text/csv")
        if request.headers["Content-Type"] == "text/csv":
            self.headers.append(body.pop(0).decode())
        answer: list[dict[str, Any]] = []
        drop = self.drop_after.pop(self.line_requests, None)
        for number, data in enumerate(body, start=first):
            if drop is not None and number >= first + drop:
                raise httpx.ReadError("connection reset")
            if self.stop_after is not None and number >= first + self.stop_after:
                self.stop_after = None
                answer.append({"error": "internal_error", "message": "the upload stopped"})
                self.cut_summary = True
                break
            if number in self.lines:
                continue
            assert number == len(self.lines) + 1, "a gap: the client skipped lines"
            self.lines[number] = data
            if b'"bad"' in data:
                answer.append({"line": number, "status": "rejected", "problems": []})
        if not self.cut_summary:
            answer.append({"summary": self.view()})
        self.cut_summary = False
        text = "".join(json.dumps(a) + "\n" for a in answer)
        return httpx.Response(200, content=text.encode(), headers={"Content-Type": "x-ndjson"})


def records(body: bytes, *, csv: bool) -> list[bytes]:
    """The body's records: lines, or CSV records that may span lines inside quotes."""
    out: list[bytes] = []
    for line in body.splitlines(keepends=True):
        if csv and out and out[-1].count(b'"') % 2:
            out[-1] += line
        else:
            out.append(line)
    return out


def write_lines(path: Path, count: int, bad: Collection[int] = ()) -> list[bytes]:
    lines = [
        json.dumps({"record_id": f"r{n}", "kind": "bad" if n in bad else "ok"}).encode() + b"\n"
        for n in range(1, count + 1)
    ]
    path.write_bytes(b"".join(lines))
    return lines


def client_for(fake: FakeTrigger, token: str = "good", **kwargs: Any) -> FeedClient:
    http = httpx.Client(transport=httpx.MockTransport(fake))
    return FeedClient(http, BASE, StaticToken(token), sleep=lambda _: None, **kwargs)


REQUEST = FeedRequest("snapshot", "black.judicial.dishonest-judgment-debtor", "ref-1", "不在名单")


def test_a_file_goes_up_in_parts_and_the_feed_is_completed(tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "court.ndjson", 25, bad={7, 21})
    fake = FakeTrigger()
    rejected = io.StringIO()
    summary = client_for(fake).sync(SourceFile(tmp_path / "court.ndjson", 10), REQUEST, rejected)
    assert summary["status"] == "completed"
    assert [fake.lines[n] for n in sorted(fake.lines)] == lines
    firsts = [p["first_line"] for m, path, p in fake.requests if path.endswith("/lines")]
    assert firsts == ["1", "11", "21"]
    assert fake.created == {
        "mode": "snapshot",
        "list_type": "black.judicial.dishonest-judgment-debtor",
        "expected_lines": 25,
        "feed_ref": "ref-1",
        "absent_reason": "不在名单",
    }
    assert [json.loads(r)["line"] for r in rejected.getvalue().splitlines()] == [7, 21]


def test_after_a_dropped_connection_it_resumes_from_the_lines_received(tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "court.ndjson", 30)
    fake = FakeTrigger(drop_after={2: 4})  # the second request dies after 4 of its lines
    summary = client_for(fake).sync(SourceFile(tmp_path / "court.ndjson", 10), REQUEST)
    assert summary["lines_received"] == 30
    assert [fake.lines[n] for n in sorted(fake.lines)] == lines  # each once, none missing
    calls = [(m, path.rsplit("/", 1)[-1], p.get("first_line")) for m, path, p in fake.requests]
    assert calls == [
        ("POST", "sync-feeds", None),
        ("POST", "lines", "1"),
        ("POST", "lines", "11"),
        ("GET", "f1", None),  # how far did it get?
        ("POST", "lines", "15"),  # lines_received + 1
        ("POST", "lines", "25"),
        ("POST", "completion", None),
    ]


def test_server_errors_and_an_answer_cut_short_are_tried_again(tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "court.ndjson", 12)
    fake = FakeTrigger()
    fake.fail_statuses = [503, 429]
    fake.cut_summary = True
    waits: list[float] = []
    http = httpx.Client(transport=httpx.MockTransport(fake))
    client = FeedClient(http, BASE, StaticToken("good"), sleep=waits.append)
    client.sync(SourceFile(tmp_path / "court.ndjson", 100), REQUEST)
    assert [fake.lines[n] for n in sorted(fake.lines)] == lines
    assert waits == [1.0, 2.0, 4.0]  # doubling back-off
    # the answer cut short was taken all the same: the feed's view says so, nothing is re-sent
    assert fake.line_requests == 3
    assert [m for m, _, _ in fake.requests].count("GET") == 3


def test_it_gives_up_after_too_many_failures_without_progress(tmp_path: Path) -> None:
    write_lines(tmp_path / "court.ndjson", 5)
    fake = FakeTrigger()
    fake.fail_statuses = [503] * 10
    with pytest.raises(FeedError, match="gave up after 3 attempts"):
        client_for(fake, max_attempts=3).sync(SourceFile(tmp_path / "court.ndjson"), REQUEST)
    assert fake.status != "completed"


def test_a_refusal_ends_the_feed_with_the_platforms_answer(tmp_path: Path) -> None:
    write_lines(tmp_path / "court.ndjson", 5)

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"problems": [{"field": "absent_reason"}]})

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    client = FeedClient(http, BASE, StaticToken("good"), sleep=lambda _: None)
    with pytest.raises(FeedError, match=r"HTTP 422.*absent_reason"):
        client.sync(SourceFile(tmp_path / "court.ndjson"), REQUEST)


def test_an_expired_token_is_renewed_with_client_credentials(tmp_path: Path) -> None:
    write_lines(tmp_path / "court.ndjson", 5)
    fake = FakeTrigger()
    fake.valid_tokens = {"fresh"}
    http = httpx.Client(transport=httpx.MockTransport(fake))
    credentials = ClientCredentials(f"{BASE}/oauth/token", "court", "secret")
    client = FeedClient(http, BASE, credentials, sleep=lambda _: None)
    assert client.sync(SourceFile(tmp_path / "court.ndjson"), REQUEST)["status"] == "completed"
    assert set(fake.tokens) == {"fresh"}
    # a fixed token cannot be renewed: the feed stops and says so
    with pytest.raises(FeedError, match="401"):
        client_for(FakeTrigger(), token="stale").sync(
            SourceFile(tmp_path / "court.ndjson"), REQUEST
        )


def test_csv_parts_each_start_with_the_header_and_records_may_span_lines(tmp_path: Path) -> None:
    path = tmp_path / "court.csv"
    path.write_bytes(b'record_id,grounds\nr1,"a\nb"\nr2,c\nr3,"d,""e"""\n')
    fake = FakeTrigger()
    source = SourceFile(path, 2)
    assert source.lines == 3
    client_for(fake).sync(source, REQUEST)
    assert fake.headers == ["record_id,grounds\n"] * 2
    firsts = [p["first_line"] for _, path_, p in fake.requests if path_.endswith("/lines")]
    assert firsts == ["1", "3"]


def test_source_file_reads_any_line_range(tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "court.ndjson", 23)
    source = SourceFile(tmp_path / "court.ndjson", 5)
    assert list(source.read(1, 23)) == lines
    assert list(source.read(7, 6)) == lines[6:12]
    assert list(source.read(23, 5)) == lines[22:]
    assert list(source.read(24, 5)) == []


def test_progress_reports_lines_rate_and_time_left() -> None:
    said: list[str] = []
    progress = Progress(1_000, said.append, every=0.0, started=0.0)
    progress.sent(250, force=True)
    assert said and said[0].startswith("250 of 1,000 lines, ") and "s left" in said[0]


def test_the_command_needs_a_token_and_never_takes_one_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lines(tmp_path / "court.ndjson", 3)
    monkeypatch.delenv("JRP_TOKEN", raising=False)
    args = ["sync-feed", str(tmp_path / "court.ndjson"), "--mode", "delta", "--list-type", "x"]
    assert cli.main(args) == 1
    assert "no token" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([*args, "--token", "abc"])
    assert (
        cli.main(
            ["sync-feed", str(tmp_path / "court.ndjson"), "--mode", "snapshot", "--list-type", "x"]
        )
        == 2
    )


def test_an_upload_the_platform_stopped_is_resumed_after_its_last_stored_line(
    tmp_path: Path,
) -> None:
    lines = write_lines(tmp_path / "court.ndjson", 10)
    fake = FakeTrigger()
    fake.stop_after = 6
    said: list[str] = []
    http = httpx.Client(transport=httpx.MockTransport(fake))
    client = FeedClient(http, BASE, StaticToken("good"), sleep=lambda _: None, log=said.append)
    rejected = io.StringIO()
    client.sync(SourceFile(tmp_path / "court.ndjson"), REQUEST, rejected)
    assert [fake.lines[n] for n in sorted(fake.lines)] == lines
    firsts = [p["first_line"] for _, path, p in fake.requests if path.endswith("/lines")]
    assert firsts == ["1", "7"]
    assert any("stopped the upload: internal_error" in s for s in said)
    assert rejected.getvalue() == ""  # the stop is not a rejected line


def test_blank_lines_are_not_counted_as_the_platform_does_not(tmp_path: Path) -> None:
    path = tmp_path / "court.ndjson"
    path.write_bytes(b'{"record_id": "a"}\n\n{"record_id": "b"}\n  \n{"record_id": "c"}')
    source = SourceFile(path)
    assert source.lines == 3
    assert list(source.read(2, 2)) == [b'{"record_id": "b"}\n', b'{"record_id": "c"}\n']


def test_the_command_refuses_a_token_file_others_may_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A credential in a world-readable file is refused before anything is sent."""
    feed = tmp_path / "court.ndjson"
    feed.write_text('{"record_id": "r1"}\n')
    token = tmp_path / "court.token"
    token.write_text("eyJ.secret.value")
    token.chmod(0o644)
    code = cli.main(
        [
            "sync-feed",
            str(feed),
            "--token-file",
            str(token),
            "--mode",
            "delta",
            "--list-type",
            "black.judicial.dishonest-judgment-debtor",
            "--url",
            "http://127.0.0.1:9",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "readable by others" in err and "eyJ.secret.value" not in err
