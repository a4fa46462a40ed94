from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.testing import Keys, PostgresDatabases


@pytest.fixture
async def registry(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    """The registry on a real PostgreSQL database of its own (and the embedded bus)."""
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
    )
    async with running_registry(settings, keys) as registry:
        yield registry
