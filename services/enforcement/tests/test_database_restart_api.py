"""Enforcement's HTTP API while its PostgreSQL crashes and comes back: calls answer 503 with
`Retry-After` (retry later) instead of 500, and the first must-check after the restart is
answered and audited (the audit writer reconnects instead of failing on its dead connection).

The cluster is the test's own (`private_postgres`): the shared test server is never restarted."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jrp_enforcement.adapters import orm
from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.testing import ENTERPRISE, running_enforcement
from jrp_shared import migrations
from jrp_shared.testing import Keys, PrivatePostgres, eventually

pytestmark = pytest.mark.integration


async def test_an_outage_answers_503_retry_later_and_the_first_check_after_it_is_answered(
    private_postgres: PrivatePostgres, keys: Keys, tmp_path: Path
) -> None:
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, private_postgres.url)
    settings = EnforcementSettings(
        database_url=private_postgres.url,
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
    )
    async with running_enforcement(settings, keys) as service:

        async def ready() -> bool:
            return (await service.client.get("/readyz")).status_code == 200

        await eventually(ready)
        finance = service.as_department("finance")
        check = f"/v1/checks/{ENTERPRISE}"
        assert (await service.client.get(check, headers=finance)).status_code == 200

        # A restart between two checks: the audit writer's kept connection is dead.
        await private_postgres.crash()
        await private_postgres.start()
        first = await service.client.get(check, headers=finance)
        assert first.status_code == 200, first.text
        assert first.json()["listed"] is False

        # Calls during the outage: retry later, not a bug.
        await private_postgres.crash()
        listing = await service.client.get("/v1/sanction-orders", headers=finance)
        assert listing.status_code == 503, listing.text
        assert listing.headers["Retry-After"].isdigit()
        assert listing.json()["code"] == "dependency_unavailable"
        assert "retry later" in listing.json()["detail"]
        unaudited = await service.client.get(check, headers=finance)
        assert unaudited.status_code == 503
        assert unaudited.json()["code"] == "audit_unavailable"
        assert unaudited.headers["Retry-After"].isdigit()
        assert "listed" not in unaudited.text

        await private_postgres.start()
        assert (await service.client.get(check, headers=finance)).status_code == 200
        assert (await service.client.get("/v1/sanction-orders", headers=finance)).status_code == 200
        async with service.runtime.db.sessions() as session:
            audited = await session.scalar(select(func.count()).select_from(orm.check_audit))
        assert audited == 3  # the checks answered, and only those
