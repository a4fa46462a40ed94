from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jrp_shared.testing import Keys, PostgresDatabases
from jrp_trigger.cli import MIGRATIONS
from jrp_trigger.config import TriggerSettings
from jrp_trigger.testing import TriggerUnderTest, running_trigger


@pytest.fixture
async def trigger(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[TriggerUnderTest]:
    """The trigger on a real PostgreSQL database of its own (and the embedded bus)."""
    settings = TriggerSettings(
        database_url=await postgres.fresh("trigger", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
    )
    async with running_trigger(settings, keys) as service:
        yield service
