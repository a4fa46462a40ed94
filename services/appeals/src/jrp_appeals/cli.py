"""`jrp-appeals`: migrate, serve."""

from __future__ import annotations

from pathlib import Path

from jrp_appeals.config import AppealsSettings
from jrp_shared import cli

MIGRATIONS = Path(__file__).parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return cli.run(
        prog="jrp-appeals",
        settings_factory=AppealsSettings,
        app_factory="jrp_appeals.app:create_app",
        script_location=MIGRATIONS,
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
