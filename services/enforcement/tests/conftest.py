from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.testing import EnforcementUnderTest, running_enforcement
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.events.payloads import ListTypePublished, MeasurePublished
from jrp_shared.testing import Keys, PostgresDatabases

Catalog = tuple[list[ListTypePublished], list[MeasurePublished]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real seed catalog (services/registry/data/catalog), as the registry publishes it."""
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    on = bundle.effective_from
    return (
        [
            ListTypePublished(version=1, effective_from=on, **t.model_dump())
            for t in bundle.list_types
        ],
        [MeasurePublished(version=1, effective_from=on, **m.model_dump()) for m in bundle.measures],
    )


@pytest.fixture
async def enforcement(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, catalog: Catalog
) -> AsyncIterator[EnforcementUnderTest]:
    """Enforcement on a real PostgreSQL database of its own, the embedded bus, the seed
    catalog in its copy; the expiry sweep and the audit sealer run at start only (tests call
    them themselves)."""
    settings = EnforcementSettings(
        database_url=await postgres.fresh("enforcement", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
        reminder_sweep_interval_seconds=3600,  # swept at start, then by the tests themselves
        audit_seal_interval_seconds=3600,  # sealed at start, then by the tests themselves
    )
    async with running_enforcement(settings, keys) as service:
        await service.seed_catalog(*catalog)
        yield service
