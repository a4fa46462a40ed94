"""`jrp-trigger`: migrate, serve."""

from __future__ import annotations

from pathlib import Path

from jrp_shared import cli
from jrp_trigger.config import TriggerSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return cli.run(
        prog="jrp-trigger",
        settings_factory=TriggerSettings,
        app_factory="jrp_trigger.app:create_app",
        script_location=MIGRATIONS,
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
