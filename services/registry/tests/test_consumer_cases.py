"""The registry follows appeals.v1 into each subject's case timeline (docs/due-process.md)."""

from typing import Any

import pytest
from sqlalchemy import func, select

from jrp_registry.adapters import orm
from jrp_registry.app import registry_of
from jrp_registry.testing import (
    RegistryUnderTest,
    objection_decided,
    objection_filed,
    repair_applied,
)
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

USCC = "91350100M000100Y43"
OTHER = "91350100M000200Y16"
APPEALS = "/jrp/appeals"


async def _cases(
    registry: RegistryUnderTest, code: str = USCC, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    response = await registry.client.get(
        f"/v1/subjects/{code}/cases", headers=headers or registry.as_department()
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def _inbox_rows(registry: RegistryUnderTest) -> int:
    async with registry_of(registry.app).runtime.db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(orm.messaging.inbox))
    return int(count or 0)


async def test_an_objection_filed_then_decided_shows_on_the_timeline(
    registry: RegistryUnderTest,
) -> None:
    filed = objection_filed(USCC).message(APPEALS)
    await registry.send(filed)
    [opened] = await eventually(lambda: _cases(registry))
    assert opened["state"] == "open"
    assert (opened["kind"], opened["case_id"], opened["entry_id"]) == (
        "objection",
        "obj-1",
        "entry-1",
    )
    assert opened["decision_due"] == "2027-03-29"

    decided = objection_decided(USCC).message(APPEALS)
    await registry.send(decided)

    async def decided_case() -> list[dict[str, Any]]:
        return [c for c in await _cases(registry) if c["state"] == "decided"]

    [case] = await eventually(decided_case)
    assert (case["outcome"], case["remedy"]) == ("information_wrong", "revoke")
    assert case["last_event_type"] == "cn.jrp.appeals.objection.decided.v1"
    assert case["opened_at"].startswith("2027-03-01")

    # Redelivery (the same events again) changes nothing; a later event shows both were taken.
    await registry.send(filed, decided, repair_applied(USCC).message(APPEALS))

    async def two_cases() -> list[dict[str, Any]]:
        found = await _cases(registry)
        return found if len(found) == 2 else []

    timeline = await eventually(two_cases)
    assert timeline[0] == case
    assert timeline[1]["kind"] == "repair" and timeline[1]["state"] == "open"
    assert await _inbox_rows(registry) == 3


async def test_a_subject_sees_its_own_cases_and_no_one_elses(
    registry: RegistryUnderTest,
) -> None:
    await registry.send(objection_filed(USCC).message(APPEALS))
    await eventually(lambda: _cases(registry))
    own = await _cases(registry, USCC, registry.as_subject(USCC))
    assert [c["case_id"] for c in own] == ["obj-1"]
    # The code in the path is normalised like every other subject route.
    assert await _cases(registry, USCC.lower(), registry.as_subject(USCC)) == own

    foreign = await registry.client.get(
        f"/v1/subjects/{USCC}/cases", headers=registry.as_subject(OTHER)
    )
    assert foreign.status_code == 404
    assert USCC not in foreign.text
    assert await _cases(registry, OTHER) == []  # a department sees any subject's, even none
    anonymous = await registry.client.get(f"/v1/subjects/{USCC}/cases")
    assert anonymous.status_code == 401
