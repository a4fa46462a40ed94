"""The command line every service shares: `migrate`, `serve`, `make-migration`,
`replay-dead-letters`, plus its own."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jrp_shared import migrations
from jrp_shared.files import restrict_new_files
from jrp_shared.settings import ServiceSettings

Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def run(
    *,
    prog: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: str,
    script_location: Path,
    extra: dict[str, Command] | None = None,
    argv: list[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database to the latest schema")
    serve = sub.add_parser("serve", help="run the HTTP API, relay and consumers")
    serve.add_argument("--migrate", action="store_true", help="migrate first (prestart step)")
    make = sub.add_parser("make-migration", help="autogenerate a migration (developers)")
    make.add_argument("message")
    _configure_replay(sub.add_parser("replay-dead-letters", help=_REPLAY_HELP))
    for name, (configure, _) in (extra or {}).items():
        configure(sub.add_parser(name))
    args = parser.parse_args(argv)
    restrict_new_files()  # whatever it writes (databases, logs, credentials): owner-only
    settings = settings_factory()

    if args.command == "migrate":
        migrations.upgrade(script_location, settings.database_url)
        return 0
    if args.command == "make-migration":
        migrations.make_revision(script_location, settings.database_url, args.message)
        return 0
    if args.command == "serve":
        import uvicorn

        if args.migrate:
            migrations.upgrade(script_location, settings.database_url)
        uvicorn.run(
            app_factory,
            factory=True,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            # Input edges (docs/security.md, "Limits"): with h11 the server refuses longer
            # request heads itself; `jrp_shared.web` refuses them (431) whatever the server.
            h11_max_incomplete_event_size=settings.http_max_header_bytes,
            timeout_keep_alive=settings.http_keep_alive_seconds,
        )
        return 0
    if args.command == "replay-dead-letters":
        return run_async(lambda: replay_dead_letters(settings, args))
    _, handler = (extra or {})[args.command]
    return handler(args)


def run_async(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a coroutine function from a CLI command; its result is the exit code."""
    return asyncio.run(main())


_REPLAY_HELP = (
    "list this service's dead letters (by consumer, source topic, time, event id) and, with "
    "--apply, put the originals back on their topics"
)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _configure_replay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--consumer", help="e.g. catalog-copy (or the full group name)")
    parser.add_argument("--source-topic", help="logical topic, e.g. list-entries.v1")
    parser.add_argument("--since", type=_moment, help="dead-lettered at or after (ISO 8601)")
    parser.add_argument("--until", type=_moment, help="dead-lettered before (ISO 8601)")
    parser.add_argument("--event-id", help="the original event's ce_id")
    parser.add_argument(
        "--apply", action="store_true", help="publish them again (default: only list them)"
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=5.0,
        help="stop reading the dead-letter topic after this long without a message",
    )


async def replay_dead_letters(settings: ServiceSettings, args: argparse.Namespace) -> int:
    """One JSON line per matching dead letter (what was, or would be, done), then a summary."""
    from jrp_shared.bus.factory import bus_from_settings
    from jrp_shared.messaging.replay import DeadLetterFilter, find_dead_letters, replay

    wanted = DeadLetterFilter(
        consumer_prefix=f"{settings.topic_namespace}.{settings.service_name}.",
        consumer=args.consumer,
        source_topic=args.source_topic,
        since=args.since,
        until=args.until,
        event_id=args.event_id,
    )
    bus = bus_from_settings(settings)
    await bus.start()
    try:
        letters = await find_dead_letters(
            bus,
            wanted,
            now=datetime.now(UTC),
            inbox_horizon=timedelta(hours=settings.inbox_retention_hours),
            idle_seconds=args.idle_seconds,
        )
        replayed = await replay(bus, letters) if args.apply else 0
    finally:
        await bus.stop()
    for letter in letters:
        line = letter.as_json(replayed=args.apply and letter.message is not None)
        print(json.dumps(line, ensure_ascii=False))
    replayable = sum(1 for letter in letters if letter.message is not None)
    summary = {"found": len(letters), "replayable": replayable, "replayed": replayed}
    print(json.dumps({"summary": summary, "dry_run": not args.apply}))
    return 0
