"""A service's copy of the registry's departments (jrp_shared.department_copy), on SQLite (the
embedded default) and on the real PostgreSQL: the whole payload kept, reads by code, active,
domain and exchange partner, and an older event never replacing a newer one (events repeat
and arrive late; the rule of `CredentialStates.learn`)."""

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from jrp_shared.db import Database
from jrp_shared.department_copy import DepartmentCopy, department_copy_table
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import DepartmentPublished
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.testing import PostgresDatabases
from jrp_shared.vocabulary import DepartmentLevel

metadata = MetaData()
table = department_copy_table(metadata)
messaging = messaging_tables(metadata)
copy = DepartmentCopy(table)
AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)


def department(code: str, **changes: object) -> DepartmentPublished:
    fields: dict[str, object] = {
        "code": code,
        "name": f"{code} 局",
        "name_en": code,
        "level": DepartmentLevel.MUNICIPAL,
        "region": "350100",
        "domains": ["tax"],
        "initiates": True,
        "implements": True,
    }
    return DepartmentPublished.model_validate(fields | changes)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    # The session's `postgres` fixture cannot be asked for from here (an async fixture):
    # a PostgreSQL test gets its own database from the same server, dropped after it.
    postgres = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    else:
        if not os.environ.get("JRP_TEST_POSTGRES_URL"):
            pytest.fail("JRP_TEST_POSTGRES_URL is not set: this test needs the real PostgreSQL")
        postgres = PostgresDatabases(os.environ["JRP_TEST_POSTGRES_URL"])
        url = await postgres.empty()
    database = Database(url)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield database
    finally:
        await database.dispose()
        if postgres is not None:
            await postgres.drop_all()


async def learn(db: Database, d: DepartmentPublished, at: datetime) -> bool:
    async with db.sessions() as session, session.begin():
        return await copy.learn(session, d, at)


async def get(db: Database, code: str) -> DepartmentPublished | None:
    async with db.sessions() as session:
        return await copy.get(session, code)


async def test_the_whole_department_is_kept_and_read_by_code_domain_and_partner(
    db: Database,
) -> None:
    tax = department("tax", name_en="Tax", level=DepartmentLevel.COUNTY, region="350102")
    market = department("market", domains=["market", "food-drug"])
    old = department("old-drug", domains=["food-drug"], active=False)
    partner = department("fj-platform", domains=[], initiates=False, exchanges=True)
    for d in (tax, market, old, partner):
        assert await learn(db, d, AT)
    assert await get(db, "tax") == tax
    assert await get(db, "nobody") is None
    async with db.sessions() as session:
        assert [d.code for d in await copy.all(session)] == [
            "fj-platform",
            "market",
            "old-drug",
            "tax",
        ]
        assert [d.code for d in await copy.active(session)] == ["fj-platform", "market", "tax"]
        assert [d.code for d in await copy.by_domain(session, "food-drug")] == ["market"]
        many = await copy.get_many(session, ["tax", "market", "tax", "nobody"])
        assert many == {"tax": tax, "market": market}
        assert await copy.get_many(session, []) == {}
        assert await copy.is_exchange_partner(session, "fj-platform")
        assert not await copy.is_exchange_partner(session, "tax")
        assert not await copy.is_exchange_partner(session, "nobody")


async def test_an_older_event_never_replaces_a_newer_one(db: Database) -> None:
    assert await learn(db, department("tax", name="新名", credential_version=2), AT)
    # A lower credential version, even sent later: kept out.
    assert not await learn(db, department("tax", name="旧名", credential_version=1), LATER)
    # The same version from before the stored event (a late redelivery): kept out.
    assert not await learn(
        db, department("tax", name="更旧", credential_version=2), AT - timedelta(minutes=5)
    )
    assert (found := await get(db, "tax")) is not None and found.name == "新名"
    # The same version again (a repeat) or later (a new name), and a higher one: taken.
    assert await learn(db, department("tax", name="新名", credential_version=2), AT)
    assert await learn(db, department("tax", name="更新", credential_version=2), LATER)
    assert (found := await get(db, "tax")) is not None and found.name == "更新"
    assert await learn(db, department("tax", active=False, credential_version=3), AT)
    async with db.sessions() as session:
        assert await copy.active(session) == []


async def test_the_handler_follows_departments_v1_in_the_unit_of_work(db: Database) -> None:
    handler = copy.handlers()[DepartmentPublished.event_type]
    newer, older = department("tax", name="新名"), department("tax", name="旧名")
    for payload, time in ((newer, LATER), (older, AT)):
        envelope = Envelope(source="/jrp/registry", type=payload.event_type, time=time)
        async with UnitOfWork(db, messaging, source="/jrp/test") as uow:
            await handler(uow, envelope, payload)
            await uow.commit()
    assert await get(db, "tax") == newer
