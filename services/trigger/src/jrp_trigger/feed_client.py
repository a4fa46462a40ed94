"""The initiating department's side of a synchronisation feed (issue 12, part 2): send a file
of list entries, snapshot or delta, to trigger's `/v1/sync-feeds` and see it through.

What `jrp-trigger sync-feed` does, and what the onboarding benchmark calls:

1. `POST /v1/sync-feeds` creates the feed (the same `feed_ref` again answers the same feed, so
   a client that died can be started again and carries on where the platform stands);
2. the file goes up in parts of `part_lines` lines, each streamed as it is read
   (`POST /v1/sync-feeds/{feed_id}/lines?first_line=N`); lines are numbered across the feed
   from 1, blank lines not counted (CSV: the records after the header, which is repeated at
   the head of every part). After a failed request (connection lost, 5xx, 429, an answer cut
   short or stopped by the platform) the client waits (doubling, at most
   `max_backoff_seconds`), asks the feed how far it got (`lines_received`) and resumes from
   the next line: the platform skips lines it already has,
   so nothing is applied twice;
3. the lines the platform refuses are written, one JSON object each, to the rejected file;
4. `POST /v1/sync-feeds/{feed_id}/completion` ends it (a snapshot then revokes the
   department's entries absent from it) and the feed view is the summary.

Progress (lines, rate, time left) goes to `progress`, by default standard error. The token is
either fixed (a file or `JRP_TOKEN`, never the command line) or fetched and renewed with the
department's client credentials from the registry's `POST /v1/oauth/token` (tokens live 15
minutes; an onboarding may take longer).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Final, Literal

import httpx

NDJSON: Final = "application/x-ndjson"
CSV: Final = "text/csv"
PART_LINES: Final = 50_000
RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})


class FeedError(RuntimeError):
    """The feed cannot go on: the platform refused a request, or kept failing."""


# --- the token ----------------------------------------------------------------------------------


class StaticToken:
    """A bearer token given once (from a file or `JRP_TOKEN`)."""

    def __init__(self, token: str) -> None:
        self._token = token.strip()

    def token(self, client: httpx.Client, *, renew: bool = False) -> str:
        if renew:
            raise FeedError("the token was refused (401): get a new one and start again")
        return self._token


class ClientCredentials:
    """Tokens from the registry's token endpoint (OAuth2 client credentials, README), renewed
    when refused or about to expire."""

    def __init__(self, token_url: str, client_id: str, client_secret: str) -> None:
        self._url, self._id, self._secret = token_url, client_id, client_secret
        self._token: str | None = None
        self._expires = 0.0

    def token(self, client: httpx.Client, *, renew: bool = False) -> str:
        if renew or self._token is None or time.monotonic() > self._expires - 60:
            r = client.post(
                self._url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._id,
                    "client_secret": self._secret,
                },
            )
            if r.status_code != 200:
                raise FeedError(f"token endpoint answered {r.status_code}: {r.text[:500]}")
            answer = r.json()
            self._token = str(answer["access_token"])
            self._expires = time.monotonic() + float(answer.get("expires_in", 900))
        return self._token


Credentials = StaticToken | ClientCredentials


# --- the file -----------------------------------------------------------------------------------


class SourceFile:
    """A file of feed lines, NDJSON or CSV (by suffix), read as records: a CSV record may span
    physical lines inside quotes. One pass counts the records and remembers where every
    `part_lines`-th one starts, so any line can be sent again without holding the file."""

    def __init__(self, path: Path, part_lines: int = PART_LINES) -> None:
        self.path = path
        self.is_csv = path.suffix.lower() == ".csv"
        self.media_type = CSV if self.is_csv else NDJSON
        self.part_lines = part_lines
        self.header = b""
        self._marks: list[int] = []  # byte offset of line 1, 1 + part_lines, ...
        self.lines = 0
        with path.open("rb") as f:
            if self.is_csv:
                self.header = next(self._records(f), b"")
            while True:
                offset = f.tell()
                record = next(self._records(f), None)
                if record is None:
                    break
                if self.lines % part_lines == 0:
                    self._marks.append(offset)
                self.lines += 1

    def _records(self, f: IO[bytes]) -> Iterator[bytes]:
        """Records ending in a line break; blank lines are left out (the platform does not
        count them either)."""
        parts: list[bytes] = []
        for line in iter(f.readline, b""):
            if not parts and not line.strip():
                continue
            parts.append(line)
            if not self.is_csv or b"".join(parts).count(b'"') % 2 == 0:
                record = b"".join(parts)
                yield record if record.endswith(b"\n") else record + b"\n"
                parts = []
        if parts:
            yield b"".join(parts) + b"\n"

    def read(self, first: int, count: int) -> Iterator[bytes]:
        """Lines `first` .. `first + count - 1` (1-based), as bytes ending in a line break."""
        if first > self.lines or count <= 0:
            return
        mark = (first - 1) // self.part_lines
        with self.path.open("rb") as f:
            f.seek(self._marks[mark])
            records = self._records(f)
            for _ in range(first - 1 - mark * self.part_lines):
                next(records)
            yield from islice(records, count)


# --- progress -----------------------------------------------------------------------------------


@dataclass
class Progress:
    """Lines sent so far, the rate and the time left, written at most every `every` seconds."""

    total: int
    write: Callable[[str], None]
    every: float = 5.0
    started: float = field(default_factory=time.monotonic)
    _last: float = 0.0

    def sent(self, line: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        rate = line / elapsed
        left = (self.total - line) / rate if rate > 0 else float("inf")
        self.write(
            f"{line:,} of {self.total:,} lines, {rate:,.0f} lines/s, "
            + (f"about {left:,.0f} s left" if left != float("inf") else "time left unknown")
        )


# --- the client ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedRequest:
    """What `POST /v1/sync-feeds` is given."""

    mode: Literal["snapshot", "delta"]
    list_type: str
    feed_ref: str | None = None
    absent_reason: str | None = None

    def body(self, expected_lines: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "mode": self.mode,
            "list_type": self.list_type,
            "expected_lines": expected_lines,
        }
        if self.feed_ref:
            body["feed_ref"] = self.feed_ref
        if self.absent_reason:
            body["absent_reason"] = self.absent_reason
        return body


class _Transient(Exception):
    """A request that may succeed when tried again."""


@dataclass
class FeedClient:
    client: httpx.Client
    base_url: str
    credentials: Credentials
    max_attempts: int = 8
    """Consecutive failed requests (without progress) before giving up."""
    max_backoff_seconds: float = 60.0
    first_backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = lambda _: None

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def _headers(self, renew: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.token(self.client, renew=renew)}"}

    def _backoff(self, failures: int) -> float:
        return float(
            min(self.first_backoff_seconds * 2 ** (failures - 1), self.max_backoff_seconds)
        )

    def _call(self, what: str, attempt: Callable[[dict[str, str]], Any]) -> Any:
        """`attempt` with retries: transient failures are waited out (doubling back-off);
        a 401 renews the token once; any other refusal ends the feed."""
        failures, renewed, renew = 0, False, False
        while True:
            headers = self._headers(renew=renew)
            renew = False
            try:
                return attempt(headers)
            except _Transient as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise FeedError(f"{what}: gave up after {failures} attempts ({exc})") from exc
                delay = self._backoff(failures)
                self.log(f"{what} failed ({exc}); trying again in {delay:.0f} s")
                self.sleep(delay)
            except _Unauthorised:
                if renewed:
                    raise FeedError(f"{what}: the token was refused (401)") from None
                renewed = renew = True

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code == 401:
            raise _Unauthorised
        if response.status_code in RETRYABLE_STATUS:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            response.read()
            raise FeedError(f"{what}: HTTP {response.status_code}: {response.text[:2000]}")

    def _json(self, method: str, path: str, what: str, body: Any = None) -> dict[str, Any]:
        def attempt(headers: dict[str, str]) -> dict[str, Any]:
            try:
                r = self.client.request(method, self._url(path), json=body, headers=headers)
            except httpx.TransportError as exc:
                raise _Transient(type(exc).__name__) from exc
            self._check(r, what)
            result: dict[str, Any] = r.json()
            return result

        result: dict[str, Any] = self._call(what, attempt)
        return result

    def create(self, request: FeedRequest, expected_lines: int) -> dict[str, Any]:
        return self._json("POST", "/v1/sync-feeds", "create the feed", request.body(expected_lines))

    def view(self, feed_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/sync-feeds/{feed_id}", "read the feed")

    def complete(self, feed_id: str) -> dict[str, Any]:
        return self._json("POST", f"/v1/sync-feeds/{feed_id}/completion", "complete the feed")

    def send_part(
        self,
        feed_id: str,
        source: SourceFile,
        first: int,
        on_rejected: Callable[[dict[str, Any]], None],
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """One request with lines `first` .. `first + part_lines - 1`; the feed view after it.
        Raises `_Transient` when it failed in a way worth trying again."""

        def body() -> Iterator[bytes]:
            yield source.header
            line = first - 1
            for record in source.read(first, source.part_lines):
                line += 1
                if progress:
                    progress.sent(line)
                yield record

        summary: dict[str, Any] | None = None
        try:
            with self.client.stream(
                "POST",
                self._url(f"/v1/sync-feeds/{feed_id}/lines"),
                params={"first_line": first},
                content=body(),
                headers={**self._headers(), "Content-Type": source.media_type},
            ) as response:
                self._check(response, "send lines")
                for text in response.iter_lines():
                    if not text.strip():
                        continue
                    answer = json.loads(text)
                    if "summary" in answer:
                        summary = answer["summary"]
                    elif "error" in answer:  # the upload stopped; what came before is stored
                        self.log(f"the platform stopped the upload: {answer['error']}")
                    else:
                        on_rejected(answer)
        except httpx.TransportError as exc:
            raise _Transient(type(exc).__name__) from exc
        except json.JSONDecodeError as exc:
            raise _Transient("an answer line cut short") from exc
        if summary is None:
            raise _Transient("the answer ended before its summary")
        return summary

    def sync(
        self,
        source: SourceFile,
        request: FeedRequest,
        rejected: IO[str] | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Create (or find again) the feed, send every line not yet received, complete it;
        the completed feed's view."""
        feed = self.create(request, source.lines)
        feed_id = str(feed["feed_id"])
        self.log(f"feed {feed_id} ({feed.get('status')}), {source.lines:,} lines to send")
        if feed.get("status") == "completed":
            return feed
        seen: set[int] = set()

        def on_rejected(answer: dict[str, Any]) -> None:
            line = answer.get("line")
            if rejected is not None and isinstance(line, int) and line not in seen:
                seen.add(line)
                rejected.write(json.dumps(answer, ensure_ascii=False) + "\n")

        received = int(feed.get("lines_received", 0))
        failures, renewed = 0, False
        while received < source.lines:
            try:
                view = self.send_part(feed_id, source, received + 1, on_rejected, progress)
            except _Unauthorised:
                if renewed:
                    raise FeedError("send lines: the token was refused (401)") from None
                renewed = True
                self._headers(renew=True)
                continue
            except _Transient as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise FeedError(
                        f"send lines: gave up after {failures} attempts ({exc})"
                    ) from exc
                delay = self._backoff(failures)
                self.log(f"lines from {received + 1:,} failed ({exc}); resuming in {delay:.0f} s")
                self.sleep(delay)
                view = self.view(feed_id)
            else:
                failures, renewed = 0, False
            now = int(view.get("lines_received", received))
            if now < received:
                raise FeedError(f"the feed went back from {received} to {now} lines received")
            if now > received:
                failures = 0  # a part that failed half-way still moved the feed on
            received = now
            if progress:
                progress.sent(received, force=True)
            self.log(_view_text(view))
        return self.complete(feed_id)


class _Unauthorised(Exception):
    """401: the token expired or was revoked."""


def _view_text(view: dict[str, Any]) -> str:
    counts = view.get("counts", {})
    rate, left = view.get("rate_lines_per_second"), view.get("seconds_left")
    return (
        f"feed {view.get('feed_id')}: {view.get('lines_received', 0):,} lines received, "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + (f"; {rate:,.0f} lines/s" if isinstance(rate, int | float) else "")
        + (f", about {left:,.0f} s left" if isinstance(left, int | float) else "")
    )
