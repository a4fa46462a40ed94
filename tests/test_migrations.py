"""Each service's Alembic migrations build exactly the schema its models describe, on the real
PostgreSQL (so a model change without a migration fails here, not in production)."""

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from jrp_appeals import cli as appeals_cli
from jrp_appeals.adapters import orm as appeals_orm
from jrp_enforcement import cli as enforcement_cli
from jrp_enforcement.adapters import orm as enforcement_orm
from jrp_registry import cli as registry_cli
from jrp_registry.adapters import orm as registry_orm
from jrp_shared.db import create_engine
from jrp_shared.testing import PostgresDatabases
from jrp_trigger import cli as trigger_cli
from jrp_trigger.adapters import orm as trigger_orm

pytestmark = pytest.mark.integration

SERVICES = {
    "registry": (registry_cli.MIGRATIONS, registry_orm.metadata),
    "trigger": (trigger_cli.MIGRATIONS, trigger_orm.metadata),
    "enforcement": (enforcement_cli.MIGRATIONS, enforcement_orm.metadata),
    "appeals": (appeals_cli.MIGRATIONS, appeals_orm.metadata),
}


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_match_the_models(postgres: PostgresDatabases, service: str) -> None:
    migrations, metadata = SERVICES[service]
    engine = create_engine(await postgres.fresh(service, Path(migrations)))

    def differences(connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
    await engine.dispose()
    assert diff == [], f"{service}: models and migrations differ: {diff}"
