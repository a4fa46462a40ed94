"""`jrp-console serve`: the officers' console (no database, nothing to migrate)."""

from __future__ import annotations

import argparse

from jrp_console.config import ConsoleSettings
from jrp_shared.files import restrict_new_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jrp-console")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the console's pages")
    serve.add_argument(
        "--migrate", action="store_true", help="accepted for uniformity: nothing to migrate"
    )
    sub.add_parser("migrate", help="nothing to migrate (kept so every service has the command)")
    args = parser.parse_args(argv)
    restrict_new_files()
    if args.command == "migrate":
        return 0
    import uvicorn

    settings = ConsoleSettings()
    uvicorn.run(
        "jrp_console.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
