from collections.abc import AsyncIterator

import pytest

from harness import Mesh, running_mesh
from jrp_shared.testing import Keys, PostgresDatabases


@pytest.fixture
async def mesh(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[Mesh]:
    """Four services, each on its own PostgreSQL database, on the real Kafka broker."""
    async with running_mesh(postgres, keys, kafka_bootstrap, namespace) as mesh:
        yield mesh
