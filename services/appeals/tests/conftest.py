from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jrp_appeals.cli import MIGRATIONS
from jrp_appeals.config import AppealsSettings
from jrp_appeals.testing import AppealsUnderTest, running_appeals
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.events.payloads import ListTypePublished
from jrp_shared.testing import Keys, PostgresDatabases


@pytest.fixture(scope="session")
def list_types() -> list[ListTypePublished]:
    """The real seed catalog's list types (services/registry/data/catalog), as the registry
    publishes them: suspension and repair rules are catalog data."""
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    return [
        ListTypePublished(version=1, effective_from=bundle.effective_from, **t.model_dump())
        for t in bundle.list_types
    ]


@pytest.fixture
async def appeals(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, list_types: list[ListTypePublished]
) -> AsyncIterator[AppealsUnderTest]:
    """Appeals on a real PostgreSQL database of its own, the embedded bus, the seed catalog
    in its copy."""
    settings = AppealsSettings(
        database_url=await postgres.fresh("appeals", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        reminder_sweep_interval_seconds=3600,  # swept at start, then by the tests themselves
    )
    async with running_appeals(settings, keys) as service:
        await service.seed_catalog(list_types)
        yield service
