"""The court's list through the HTTP API (real PostgreSQL): minors refused, the court case kept,
history recorded under the edition of its decision date, and the expired never sent
(法释〔2017〕7号; DOMAIN.md §2, §4, §11)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jrp_shared.identifiers import resident_id_check_character
from jrp_trigger.domain.rules import add_months
from jrp_trigger.testing import (
    COURT_LIST,
    TriggerUnderTest,
    court_case,
    court_entry,
    court_list_type,
)

pytestmark = pytest.mark.integration

IN_FORCE = "cn.jrp.trigger.list-entry.in-force.v1"
CURRENT = court_list_type(version=1, effective_from=date(2026, 1, 1))
# Past editions loaded after the current one: higher version numbers, older dates.
EDITION_2013 = court_list_type(
    version=2,
    effective_from=date(2013, 10, 1),
    default_period_months=60,
    max_period_months=120,
    period_extension=None,
    sources=["法释〔2013〕17号"],
)
EDITION_2017 = court_list_type(version=3, effective_from=date(2017, 5, 1))


async def post(trigger: TriggerUnderTest, body: dict[str, Any]) -> Any:
    return await trigger.client.post(
        "/v1/list-entries", json=body, headers=trigger.as_department("court")
    )


def decided_on(day: date, months: int, **changes: Any) -> dict[str, Any]:
    return court_entry(
        day,
        decision_document={"number": f"({day.year})闽01执1号之一", "date": str(day)},
        period={"start": str(day), "end": str(add_months(day, months))},
        **changes,
    )


async def test_a_minors_listing_is_refused_with_reason_minor(trigger: TriggerUnderTest) -> None:
    await trigger.seed(CURRENT)
    body_ = "35010220160504001"
    child = body_ + resident_id_check_character(body_)
    today = trigger.trigger.today()
    r = await post(
        trigger,
        court_entry(
            today, subject={"code": child, "subject_type": "natural_person", "name": "小明"}
        ),
    )
    assert r.status_code == 422, r.text
    [problem] = r.json()["errors"]
    assert (problem["field"], problem["reason"]) == ("body.subject.code", "minor")
    assert "法释〔2017〕7号 第五条" in problem["message"]
    assert child not in r.text
    assert await trigger.count("list_entries") == 0 and await trigger.outbox(IN_FORCE) == []


async def test_a_court_entry_without_its_case_record_is_refused(trigger: TriggerUnderTest) -> None:
    await trigger.seed(CURRENT)
    r = await post(trigger, court_entry(trigger.trigger.today(), court_case=None))
    assert r.status_code == 422
    assert [p["reason"] for p in r.json()["errors"]] == ["court_case_required"]


async def test_entries_are_recorded_under_the_edition_of_their_decision_date(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(CURRENT, EDITION_2013, EDITION_2017)
    in_2015 = await post(trigger, decided_on(date(2015, 6, 1), 60, record_id="闽01执-2015-1"))
    assert in_2015.status_code == 201, in_2015.text
    assert in_2015.json()["list_type_version"] == 2 and in_2015.json()["status"] == "expired"
    # Still in force today: the 2013 rules left the period to the court (here ten years).
    r = await post(trigger, decided_on(date(2017, 3, 1), 120))
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["status"] == "in_force" and entry["list_type_version"] == 2
    assert entry["court_case"]["case_number"] == court_case()["case_number"]
    [event] = await trigger.outbox(IN_FORCE)
    assert event["list_type_version"] == 2
    assert event["court_case"]["enforcement_basis"]["number"] == "(2024)闽01民初45号"

    read = await trigger.client.get(
        f"/v1/list-entries/{entry['entry_id']}", headers=trigger.as_department("court")
    )
    assert read.json()["versions"][0]["court_case"]["filing_date"] == "2013-01-15"

    in_2018 = await post(trigger, decided_on(date(2018, 3, 1), 24, record_id="闽01执-2018-1"))
    assert in_2018.status_code == 201 and in_2018.json()["list_type_version"] == 3
    today = await post(trigger, decided_on(trigger.trigger.today(), 24, record_id="闽01执-now"))
    assert today.status_code == 201 and today.json()["list_type_version"] == 1


async def test_an_entry_whose_period_ended_before_it_arrived_is_expired_and_never_sent(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(CURRENT, EDITION_2013, EDITION_2017)
    r = await post(trigger, decided_on(date(2018, 3, 1), 24))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "expired" and r.json()["list_type_version"] == 3
    assert r.json()["in_force_since"] is None
    assert await trigger.outbox(IN_FORCE) == []  # enforcement never hears of it: no orders


async def test_a_changed_court_case_under_the_same_record_id_is_a_conflict(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(CURRENT)
    today = trigger.trigger.today()
    assert (await post(trigger, court_entry(today))).status_code == 201
    assert (await post(trigger, court_entry(today))).status_code == 200
    changed = court_entry(today, court_case=court_case(performance="partial"))
    assert (await post(trigger, changed)).status_code == 409


async def test_the_catalog_copy_answers_the_version_of_the_latest_effective_date(
    trigger: TriggerUnderTest,
) -> None:
    """The same answer as `rules.list_type_on` and the registry (jrp_shared.catalog_copy)."""
    await trigger.seed(CURRENT, EDITION_2013, EDITION_2017)
    path = f"/v1/catalog/list-types/{COURT_LIST}"
    headers = trigger.as_department("court")
    for on, version in (("2015-06-01", 2), ("2018-01-01", 3), (None, 1)):
        params = {"on": on} if on else {}
        r = await trigger.client.get(path, params=params, headers=headers)
        assert r.status_code == 200 and r.json()["version"] == version, (on, r.text)
    listed = await trigger.client.get(
        "/v1/catalog/list-types", params={"on": "2015-06-01"}, headers=headers
    )
    assert [(t["code"], t["version"]) for t in listed.json()] == [(COURT_LIST, 2)]


async def test_a_listing_of_2017_is_deleted_under_todays_grounds_and_deadline(
    trigger: TriggerUnderTest,
) -> None:
    """The duty to delete is today's procedure (法释〔2017〕7号 第十条), whatever edition the
    listing was recorded under: a ground the 2013 rules did not know is accepted."""
    today_rules = court_list_type(
        version=1,
        effective_from=date(2026, 1, 1),
        deletion={
            "deadline_working_days": 3,
            "grounds": ["obligations_performed", "no_assets_after_termination"],
        },
    )
    old_rules = court_list_type(
        version=2,
        effective_from=date(2013, 10, 1),
        default_period_months=60,
        max_period_months=120,
        period_extension=None,
        deletion={"deadline_working_days": 10, "grounds": ["obligations_performed"]},
    )
    await trigger.seed(today_rules, old_rules)
    made = await post(trigger, decided_on(date(2017, 3, 1), 120))
    assert made.status_code == 201 and made.json()["list_type_version"] == 2, made.text
    today = trigger.trigger.today()
    r = await trigger.client.post(
        f"/v1/list-entries/{made.json()['entry_id']}/deletion-ground",
        json={"ground": "no_assets_after_termination", "arose_on": str(today)},
        headers=trigger.as_department("court"),
    )
    assert r.status_code == 200, r.text
    listed = await trigger.client.get(
        "/v1/list-entries/deletions?state=pending", headers=trigger.as_department("court")
    )
    [deletion] = listed.json()
    assert deletion["ground"] == "no_assets_after_termination"
    # The entry itself says why and by when it must be deleted.
    assert r.json()["deletion"] == {
        "ground": "no_assets_after_termination",
        "arose_on": str(today),
        "due": deletion["due"],
        "due_provisional": deletion["due_provisional"],
        "state": "pending",
    }
    # Today's three working days, not the old edition's ten (at least 14 calendar days).
    assert (date.fromisoformat(deletion["due"]) - today).days < 14
