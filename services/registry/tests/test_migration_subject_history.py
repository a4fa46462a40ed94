"""Migration 0003 starts each existing subject's history with its current revision, and each
existing department at credential version 1."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from jrp_registry.adapters import orm
from jrp_registry.cli import MIGRATIONS
from jrp_shared import migrations
from jrp_shared.db import create_engine
from jrp_shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration


async def test_existing_subjects_get_their_current_revision_as_history(
    postgres: PostgresDatabases,
) -> None:
    url = await postgres.empty()
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url, "0002")
    engine = create_engine(url)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(orm.subjects).values(
                code="91350100M000100Y43", subject_type="legal_person", name="甲公司",
                division_code="350100", revision=4, warnings=[], created_at=at,
                created_by="tax", updated_at=at, updated_by="market",
            )
        )  # fmt: skip
        await conn.execute(
            insert(orm.linked_persons).values(
                subject_code="91350100M000100Y43", position=0, role="legal_representative",
                name="张三", resident_id="11010519491231002X",
            )
        )  # fmt: skip
        await conn.execute(
            orm.departments.insert().values(
                code="tax", definition={}, active=True, secret_hash=None, updated_at=at,
                updated_by="test",
            )
        )  # fmt: skip
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
    async with engine.connect() as conn:
        [row] = (await conn.execute(select(orm.subject_versions))).all()
        version = await conn.scalar(select(orm.departments.c.credential_version).limit(1))
    await engine.dispose()
    assert (row.code, row.revision, row.name, row.recorded_by) == (
        "91350100M000100Y43", 4, "甲公司", "market",
    )  # fmt: skip
    assert row.linked_persons == [
        {"role": "legal_representative", "name": "张三", "resident_id": "11010519491231002X"}
    ]
    assert version == 1  # existing departments start at version 1
