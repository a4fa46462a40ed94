"""`jrp-trigger`: migrate, serve, and `sync-feed` (an initiating department sends a file of
list entries to the sync feed: `jrp_trigger.feed_client`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import httpx

from jrp_shared import cli
from jrp_shared.files import ExposedSecret, read_secret
from jrp_trigger.config import TriggerSettings
from jrp_trigger.feed_client import (
    PART_LINES,
    ClientCredentials,
    Credentials,
    FeedClient,
    FeedError,
    FeedRequest,
    Progress,
    SourceFile,
    StaticToken,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sync_feed_args(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "send a snapshot or delta of a source list (NDJSON or CSV, by the file's suffix) to "
        "the sync feed, resuming after failures; the summary is printed as JSON"
    )
    parser.add_argument("file", type=Path, help="the lines: .ndjson / .jsonl or .csv")
    parser.add_argument("--url", default="http://127.0.0.1:8002", help="trigger's base URL")
    parser.add_argument("--mode", choices=("snapshot", "delta"), required=True)
    parser.add_argument("--list-type", required=True, help="catalog list type code")
    parser.add_argument("--feed-ref", help="your id of this feed: running again resumes it")
    parser.add_argument(
        "--absent-reason", help="snapshot: the reason recorded on entries revoked as absent"
    )
    parser.add_argument(
        "--token-file", type=Path, help="a file holding the bearer token (else $JRP_TOKEN)"
    )
    parser.add_argument("--client-id", help="get tokens with client credentials instead")
    parser.add_argument("--client-secret-file", type=Path, help="the client secret's file")
    parser.add_argument(
        "--token-url",
        default="http://127.0.0.1:8001/v1/oauth/token",
        help="the registry's token endpoint (with --client-id)",
    )
    parser.add_argument("--part-lines", type=int, default=PART_LINES, help="lines per request")
    parser.add_argument(
        "--rejected", type=Path, help="where refused lines go (default: FILE.rejected.ndjson)"
    )


def _credentials(args: argparse.Namespace) -> Credentials:
    if args.client_id:
        if not args.client_secret_file:
            raise FeedError("--client-id needs --client-secret-file")
        secret = read_secret(args.client_secret_file)
        return ClientCredentials(args.token_url, args.client_id, secret)
    if args.token_file:
        return StaticToken(read_secret(args.token_file))
    token = os.environ.get("JRP_TOKEN")
    if not token:
        raise FeedError("no token: give --token-file, set JRP_TOKEN, or use --client-id")
    return StaticToken(token)


def _sync_feed(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        print(f"[sync-feed] {message}", file=sys.stderr, flush=True)

    if args.mode == "snapshot" and not args.absent_reason:
        log("a snapshot needs --absent-reason (recorded on the entries it revokes as absent)")
        return 2
    rejected_path = args.rejected or args.file.with_name(args.file.name + ".rejected.ndjson")
    try:
        credentials = _credentials(args)
        source = SourceFile(args.file, args.part_lines)
        request = FeedRequest(args.mode, args.list_type, args.feed_ref, args.absent_reason)
        with (
            httpx.Client(timeout=httpx.Timeout(60.0, read=None)) as client,
            rejected_path.open("w", encoding="utf-8") as rejected,
        ):
            feed = FeedClient(client, args.url, credentials, log=log)
            summary = feed.sync(source, request, rejected, Progress(source.lines, log))
    except (FeedError, ExposedSecret, OSError) as exc:
        log(str(exc))
        return 1
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    rejected_count = summary.get("counts", {}).get("rejected", 0)
    if rejected_count:
        log(f"{rejected_count:,} lines refused: see {rejected_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli.run(
        prog="jrp-trigger",
        settings_factory=TriggerSettings,
        app_factory="jrp_trigger.app:create_app",
        script_location=MIGRATIONS,
        extra={"sync-feed": (_sync_feed_args, _sync_feed)},
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
