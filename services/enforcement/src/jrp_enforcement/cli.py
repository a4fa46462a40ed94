"""`jrp-enforcement`: migrate, serve, verify-audit."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from jrp_enforcement.config import EnforcementSettings
from jrp_shared import cli

MIGRATIONS = Path(__file__).parent / "migrations"

_VERIFY_HELP = (
    "walk the must-check audit chain from its first row and report the first row altered, "
    "removed or a truncated tail (exit 1), and how many rows are not sealed yet"
)


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    parser.description = _VERIFY_HELP
    parser.add_argument(
        "--chunk", type=int, default=5_000, help="rows read per query while walking"
    )


async def verify_audit(settings: EnforcementSettings, chunk: int) -> int:
    """Print the verification as one JSON document; 0 if the chain verifies, 1 if not."""
    from jrp_enforcement.adapters.audit_chain import verify_chain
    from jrp_shared.db import Database

    db = Database(settings.database_url)
    try:
        verification = await verify_chain(db, chunk=max(chunk, 1))
    finally:
        await db.dispose()
    print(json.dumps(verification.as_json(), ensure_ascii=False, indent=2))
    return 0 if verification.walk.ok else 1


def main(argv: list[str] | None = None) -> int:
    def run_verify(args: argparse.Namespace) -> int:
        settings = EnforcementSettings()
        return cli.run_async(lambda: verify_audit(settings, args.chunk))

    return cli.run(
        prog="jrp-enforcement",
        settings_factory=EnforcementSettings,
        app_factory="jrp_enforcement.app:create_app",
        script_location=MIGRATIONS,
        extra={"verify-audit": (_configure_verify, run_verify)},
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
