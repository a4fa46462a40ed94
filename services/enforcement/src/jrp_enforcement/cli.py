"""`jrp-enforcement`: migrate, serve."""

from __future__ import annotations

from pathlib import Path

from jrp_enforcement.config import EnforcementSettings
from jrp_shared import cli

MIGRATIONS = Path(__file__).parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return cli.run(
        prog="jrp-enforcement",
        settings_factory=EnforcementSettings,
        app_factory="jrp_enforcement.app:create_app",
        script_location=MIGRATIONS,
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
