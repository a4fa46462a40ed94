"""`jrp_cases_overdue{kind, department}`: the objections and complaints late (DOMAIN.md §7),
counted on a migrated SQLite database (and PostgreSQL, integration layer) the way
`?overdue=true` lists them: still open after the decision's due day, an upheld decision's
correction not met after its due day, or an appeal still open after its due day; the due day
itself is still in time (docs/operations.md, "Orders and cases overdue")."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from jrp_appeals.adapters import orm
from jrp_appeals.adapters.repositories import cases_overdue_counts
from jrp_appeals.cli import MIGRATIONS
from jrp_shared import migrations
from jrp_shared.db import Database
from jrp_shared.testing import PostgresDatabases

TODAY = date(2026, 11, 30)
YESTERDAY = TODAY - timedelta(days=1)
ENTERPRISE = "91350100M000100Y43"


def _case(case_id: str, kind: str, provider: str, state: str, **more: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": kind,
        "entry_id": f"entry-{case_id}",
        "entry_version": 1,
        "subject_code": ENTERPRISE,
        "list_type": "tax.black",
        "provider": provider,
        "filed_by_kind": "subject",
        "filed_by_code": ENTERPRISE,
        "grounds": "…",
        "evidence_references": [],
        "suspends": True,
        "filed_at": datetime(2026, 11, 1, tzinfo=UTC),
        "decision_due": more.pop("decision_due", YESTERDAY),
        "due_provisional": False,
        "working_days": 20,
        "state": state,
        **more,
    }


CASES = [
    _case("late-open", "objection", "tax", "open"),  # open past its due day
    _case("due-today", "objection", "tax", "open", decision_due=TODAY),  # still in time
    _case("correction-late", "complaint", "finance", "decided", correction_due=YESTERDAY),
    _case(
        "correction-met",
        "objection",
        "finance",
        "decided",
        correction_due=YESTERDAY,
        correction_met_at=datetime(2026, 11, 28, tzinfo=UTC),
    ),
    _case("appealed", "objection", "market", "decided"),  # its appeal is late
    _case("decided", "objection", "customs", "decided"),  # done
]


async def test_late_cases_are_counted_by_kind_and_providing_department(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'appeals.db'}"
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
    await _check(url)


@pytest.mark.integration
async def test_late_cases_are_counted_on_postgresql(postgres: PostgresDatabases) -> None:
    await _check(await postgres.fresh("appeals", MIGRATIONS))


async def _check(url: str) -> None:
    db = Database(url)
    try:
        await _count(db)
    finally:
        await db.engine.dispose()


async def _count(db: Database) -> None:
    async with db.sessions() as session:
        for case in CASES:
            await session.execute(
                insert(orm.entries).values(
                    entry_id=case["entry_id"],
                    version=1,
                    subject_code=ENTERPRISE,
                    subject_type="legal_person",
                    subject_name="福州示例科技有限公司",
                    list_type="tax.black",
                    list_type_version=1,
                    colour="black",
                    initiating_department=case["provider"],
                    period_start=date(2026, 1, 1),
                    period_end=date(2029, 1, 1),
                    status="in_force",
                    updated_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
            )
            await session.execute(insert(orm.cases).values(case))
        await session.execute(
            insert(orm.objection_appeals).values(
                appeal_id="appeal-1",
                objection_id="appealed",
                department="court",
                filed_by_kind="subject",
                filed_by_code=ENTERPRISE,
                grounds="…",
                evidence_references=[],
                filed_at=datetime(2026, 11, 10, tzinfo=UTC),
                decision_due=YESTERDAY,
                state="open",
            )
        )
        await session.commit()
        counts = await cases_overdue_counts(session, TODAY)
        a_day_earlier = await cases_overdue_counts(session, YESTERDAY)
    assert counts == {
        ("objection", "tax"): 1,
        ("complaint", "finance"): 1,
        ("objection", "market"): 1,
    }
    assert a_day_earlier == {}  # on its due day, nothing is late yet
