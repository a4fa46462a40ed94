"""The command line every service shares: `migrate`, `serve`, `make-migration`, plus its own."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from jrp_shared import migrations
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
    for name, (configure, _) in (extra or {}).items():
        configure(sub.add_parser(name))
    args = parser.parse_args(argv)
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
        )
        return 0
    _, handler = (extra or {})[args.command]
    return handler(args)


def run_async(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a coroutine function from a CLI command; its result is the exit code."""
    return asyncio.run(main())
