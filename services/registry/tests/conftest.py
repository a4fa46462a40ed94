from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jrp_registry.cli import MIGRATIONS
from jrp_registry.config import RegistrySettings
from jrp_registry.testing import RegistryUnderTest, running_registry
from jrp_shared.testing import Keys, PostgresDatabases


@pytest.fixture
async def registry(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    """The registry on a real PostgreSQL database of its own (and the embedded bus)."""
    settings = RegistrySettings(
        database_url=await postgres.fresh("registry", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        signing_key_file=keys.private_key_file,
        log_json=False,
    )
    async with running_registry(settings, keys) as registry:
        yield registry
