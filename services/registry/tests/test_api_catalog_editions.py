"""Past catalog editions (data/catalog/editions/): loaded oldest first, idempotently, and the
version in force on a day is the one with the latest effective date (DOMAIN.md §4, §11)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from jrp_registry.adapters import orm
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import registry_of
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_registry.service_layer import handlers
from jrp_registry.testing import RegistryUnderTest

pytestmark = pytest.mark.integration

COURT_LIST = "black.judicial.dishonest-judgment-debtor"


async def court_list_on(registry: RegistryUnderTest, on: date) -> dict[str, Any]:
    r = await registry.client.get(
        f"/v1/catalog/list-types/{COURT_LIST}",
        params={"on": on.isoformat()},
        headers=registry.as_department("court"),
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def published_versions(registry: RegistryUnderTest) -> list[tuple[int, str]]:
    t = orm.messaging.outbox
    async with registry_of(registry.app).runtime.db.sessions() as session:
        bodies = await session.scalars(
            select(t.c.body)
            .where(t.c.event_type == "cn.jrp.catalog.list-type.published.v1")
            .order_by(t.c.id)
        )
        found = [json.loads(b) for b in bodies]
    return [(p["version"], p["effective_from"]) for p in found if p["code"] == COURT_LIST]


async def test_the_court_list_is_in_force_since_2013_edition_by_edition(
    registry: RegistryUnderTest,
) -> None:
    report = await registry.seed_catalog()
    assert report.past_list_types == [f"{COURT_LIST}@2013-10-01", f"{COURT_LIST}@2017-05-01"]

    in_2015 = await court_list_on(registry, date(2015, 6, 1))
    assert (in_2015["version"], in_2015["effective_from"]) == (1, "2013-10-01")
    assert in_2015["sources"] == ["法释〔2013〕17号"]
    assert in_2015["period_extension"] is None
    in_2018 = await court_list_on(registry, date(2018, 1, 1))
    assert (in_2018["version"], in_2018["effective_from"]) == (2, "2017-05-01")
    assert in_2018["period_extension"]["max_months"] == 36
    today = await court_list_on(registry, date.today())
    assert (today["version"], today["effective_from"]) == (3, "2026-01-01")
    assert today["minimum_age_years"] == 18 and today["court_case_required"] is True
    assert today["objection_review"]["appeal_department"] == "high-court"
    assert len(today["deletion"]["grounds"]) == 7
    assert [v["version"] for v in today["versions"]] == [1, 2, 3]
    missing = await registry.client.get(
        f"/v1/catalog/list-types/{COURT_LIST}",
        params={"on": "2013-09-30"},
        headers=registry.as_department("court"),
    )
    assert missing.status_code == 404

    again = await registry.seed_catalog()  # loading again makes no new version
    assert (again.past_list_types, again.list_types, again.measures) == ([], [], [])
    assert await published_versions(registry) == [
        (1, "2013-10-01"),
        (2, "2017-05-01"),
        (3, "2026-01-01"),
    ]


async def test_past_editions_added_to_a_loaded_catalog_fill_in_history(
    registry: RegistryUnderTest,
) -> None:
    """A deployment that loaded the current edition before the past ones existed: the past
    versions get higher numbers and older dates, and today's answer does not change."""
    full = read_catalog(DEFAULT_CATALOG_DIR)
    async with registry_of(registry.app).runtime.uow() as uow:
        await handlers.load_catalog(uow, dataclasses.replace(full, past_editions=[]), "x")
    report = await registry.seed_catalog()
    assert len(report.past_list_types) == 2 and report.list_types == []

    assert (await court_list_on(registry, date(2015, 6, 1)))["version"] == 2
    assert (await court_list_on(registry, date(2018, 1, 1)))["version"] == 3
    assert (await court_list_on(registry, date.today()))["version"] == 1
    listed = await registry.client.get(
        "/v1/catalog/list-types",
        params={"on": "2018-01-01"},
        headers=registry.as_department("court"),
    )
    # Only the court list reaches back before 2026 (the other list types have no history).
    assert [(t["code"], t["version"]) for t in listed.json()] == [(COURT_LIST, 3)]
    assert (await registry.seed_catalog()).past_list_types == []
