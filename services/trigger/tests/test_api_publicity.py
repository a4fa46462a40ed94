"""Double publicity over HTTP on the real database (DOMAIN.md §9, §11, §12): post, idempotent
repost, correction, bulk, limits, overdue with a frozen clock, publication, withdrawal,
authority, and the events in the outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jrp_shared.calendar import statutory_holidays
from jrp_shared.events.payloads import CalendarScheduleLoaded
from jrp_shared.testing import Keys, PostgresDatabases, eventually
from jrp_trigger.adapters import orm
from jrp_trigger.cli import MIGRATIONS
from jrp_trigger.config import TriggerSettings
from jrp_trigger.testing import (
    OTHER_ENTERPRISE,
    TriggerUnderTest,
    running_trigger,
)
from jrp_trigger.testing import publicity_licence as licence
from jrp_trigger.testing import publicity_penalty as penalty

PUBLISHED = "cn.jrp.trigger.publicity-decision.published.v1"
WITHDRAWN = "cn.jrp.trigger.publicity-decision.withdrawn.v1"
URL = "/v1/publicity/decisions"


def china_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


def at(trigger: TriggerUnderTest, day: date) -> None:
    trigger.trigger.clock = lambda: china_noon(day)


async def post(trigger: TriggerUnderTest, body: dict[str, Any], department: str = "market") -> Any:
    return await trigger.client.post(URL, json=body, headers=trigger.as_department(department))


async def test_post_repost_and_correction(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    r = await post(trigger, penalty(date(2026, 3, 10), "general"))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["state"] == "published"
    assert first["department"] == "market"
    assert first["version"] == 1
    assert first["publication_due"] == "2026-03-19"
    assert first["publication_ends"] == "2027-03-10"
    assert first["repair_from"] == "2026-06-10"
    assert "2026年6月10日" in first["repair_guidance"]
    assert first["late"] is False and first["shown"] is True

    again = await post(trigger, penalty(date(2026, 3, 10), "general"))
    assert again.status_code == 200
    assert again.json()["decision_id"] == first["decision_id"]
    assert again.json()["version"] == 1

    changed = penalty(date(2026, 3, 10), "general")
    changed["penalty"]["fine_amount"] = 60000
    corrected = await post(trigger, changed)
    assert corrected.status_code == 200
    assert corrected.json()["decision_id"] == first["decision_id"]
    assert corrected.json()["version"] == 2
    assert corrected.json()["penalty"]["fine_amount"] == 60000

    events = await trigger.outbox(PUBLISHED)
    assert [e["version"] for e in events] == [1, 2]
    assert events[0]["decision_id"] == first["decision_id"]
    assert events[0]["publication_ends"] == "2027-03-10"
    assert events[0]["repair_guidance"] == first["repair_guidance"]
    assert events[0]["late"] is False
    assert await trigger.count("publicity_decision_versions") == 2
    outbox = orm.messaging.outbox
    async with trigger.trigger.runtime.db.sessions() as session:
        rows = (
            await session.execute(
                select(outbox.c.topic, outbox.c.key).where(outbox.c.event_type == PUBLISHED)
            )
        ).all()
    assert {tuple(r) for r in rows} == {("publicity.v1", first["counterpart"]["code"])}


async def test_refusals_name_the_field(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    no_licence = licence(date(2026, 3, 10), licence=None)
    r = await post(trigger, no_licence)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.licence"
    assert r.json()["errors"][0]["reason"] == "required_for_kind"

    r = await post(trigger, penalty(date(2026, 3, 11)))
    assert r.status_code == 422
    assert r.json()["errors"][0]["reason"] == "decision_date_in_future"

    bad = penalty(date(2026, 3, 10))
    bad["counterpart"]["code"] = "91350100M000100Y44"
    r = await post(trigger, bad)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.counterpart.code"
    assert r.json()["errors"][0]["position"] == 18

    r = await post(trigger, penalty(date(2026, 3, 10), "serious", publication_months=6))
    assert r.status_code == 422
    assert r.json()["errors"][0]["reason"] == "publication_months_out_of_bounds"
    assert (r.json()["errors"][0]["min"], r.json()["errors"][0]["max"]) == (12, 36)
    assert await trigger.count("publicity_decisions") == 0

    # A subject token is not a department.
    r = await trigger.client.post(
        URL, json=penalty(date(2026, 3, 10)), headers=trigger.keys.subject_headers(OTHER_ENTERPRISE)
    )
    assert r.status_code == 403


async def test_overdue_and_late_with_a_frozen_clock(trigger: TriggerUnderTest) -> None:
    # Decided the Monday before National Day 2025: due 2025-10-15 (see the domain test).
    at(trigger, date(2025, 10, 9))
    decided = date(2025, 9, 29)
    held = await post(trigger, penalty(decided, publish=False))
    assert held.status_code == 201
    assert held.json()["state"] == "pending"
    assert held.json()["publication_due"] == "2025-10-15"
    other = await post(
        trigger, licence(decided, publish=False, record_id="税许-1"), department="tax"
    )
    assert other.status_code == 201
    assert await trigger.outbox(PUBLISHED) == []

    at(trigger, date(2025, 10, 15))  # the due day itself: not overdue yet
    r = await trigger.client.get("/v1/publicity/overdue", headers=trigger.as_department("market"))
    assert r.json() == []

    at(trigger, date(2025, 10, 17))
    assert trigger.trigger.publicity_overdue is not None
    assert await trigger.trigger.publicity_overdue.refresh() == 2
    r = await trigger.client.get("/v1/publicity/overdue", headers=trigger.as_department("market"))
    [mine] = r.json()
    assert mine["decision_id"] == held.json()["decision_id"]
    assert mine["punctuality"] == "overdue"
    assert mine["working_days_late"] == 2
    r = await trigger.client.get(
        "/v1/publicity/overdue?department=tax", headers=trigger.as_department("market")
    )
    assert r.status_code == 403
    r = await trigger.client.get("/v1/publicity/overdue", headers=trigger.as_office())
    assert {d["department"] for d in r.json()} == {"market", "tax"}
    r = await trigger.client.get(
        "/v1/publicity/overdue?department=tax", headers=trigger.as_office()
    )
    assert [d["department"] for d in r.json()] == ["tax"]

    published = await trigger.client.post(
        f"{URL}/{held.json()['decision_id']}/publication", headers=trigger.as_department("market")
    )
    assert published.status_code == 200
    assert published.json()["state"] == "published"
    assert published.json()["late"] is True
    [event] = await trigger.outbox(PUBLISHED)
    assert event["late"] is True
    again = await trigger.client.post(
        f"{URL}/{held.json()['decision_id']}/publication", headers=trigger.as_department("market")
    )
    assert again.status_code == 200
    assert len(await trigger.outbox(PUBLISHED)) == 1
    r = await trigger.client.get("/v1/publicity/overdue", headers=trigger.as_department("market"))
    [late] = r.json()
    assert late["punctuality"] == "late"
    assert await trigger.trigger.publicity_overdue.refresh() == 1

    # The tax licence was revoked before publication: no longer overdue, nothing to withdraw
    # downstream.
    r = await trigger.client.post(
        f"{URL}/{other.json()['decision_id']}/withdrawal",
        json={"reason": "revoked"},
        headers=trigger.as_department("tax"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
    assert await trigger.trigger.publicity_overdue.refresh() == 0
    assert await trigger.outbox(WITHDRAWN) == []


async def test_a_provisional_deadline_is_counted_again_on_the_official_schedule(
    trigger: TriggerUnderTest,
) -> None:
    """DOMAIN.md §10: due in a year without its schedule → provisional, counted again when the
    registry publishes the schedule."""
    if trigger.trigger.copies.calendar.calendar.source_of(2027) != "provisional":
        pytest.fail("this test needs 2027 to have no schedule yet; pick a later year")
    monday = date(2026, 12, 28)
    at(trigger, monday)
    r = await post(trigger, penalty(monday, publish=False))
    # 12/29, 12/30, 12/31, (Jan 1 off), Jan 4, 5, 6, 7
    assert (r.json()["publication_due"], r.json()["due_provisional"]) == ("2027-01-07", True)
    holidays = sorted(statutory_holidays(2027) | {date(2027, 1, 4)})
    await trigger.publish(
        CalendarScheduleLoaded(
            year=2027, source="国办发明电〔2026〕测试", holidays=holidays, adjusted_workdays=[]
        ),
        source="/jrp/registry",
    )
    url = f"{URL}/{r.json()['decision_id']}"

    async def recomputed() -> dict[str, Any] | None:
        found: dict[str, Any] = (
            await trigger.client.get(url, headers=trigger.as_department("market"))
        ).json()
        return found if found["due_provisional"] is False else None

    final = await eventually(recomputed)
    assert final["publication_due"] == "2027-01-08"


async def test_withdrawal_and_authority(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    r = await post(trigger, penalty(date(2026, 3, 10), "general"))
    decision_id = r.json()["decision_id"]
    withdrawal = f"{URL}/{decision_id}/withdrawal"

    r = await trigger.client.get(f"{URL}/{decision_id}", headers=trigger.as_department("tax"))
    assert r.status_code == 403
    r = await trigger.client.post(
        withdrawal, json={"reason": "revoked"}, headers=trigger.as_department("tax")
    )
    assert r.status_code == 403
    r = await trigger.client.get(f"{URL}/{decision_id}", headers=trigger.as_office())
    assert r.status_code == 200

    r = await trigger.client.post(
        withdrawal, json={"reason": "repaired"}, headers=trigger.as_department("market")
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["reason"] == "repair_before_minimum_period"
    assert r.json()["errors"][0]["repair_from"] == "2026-06-10"
    assert await trigger.outbox(WITHDRAWN) == []

    at(trigger, date(2026, 6, 10))
    r = await trigger.client.post(
        withdrawal,
        json={"reason": "repaired", "note": "已纠正并作出信用承诺"},
        headers=trigger.as_department("market"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
    assert r.json()["shown"] is False
    assert r.json()["withdrawal"]["reason"] == "repaired"
    r = await trigger.client.post(
        withdrawal, json={"reason": "revoked"}, headers=trigger.as_department("market")
    )
    assert r.status_code == 200
    assert r.json()["withdrawal"]["reason"] == "repaired"
    [event] = await trigger.outbox(WITHDRAWN)
    assert event["decision_id"] == decision_id
    assert event["reason"] == "repaired"
    assert event["withdrawn_by"] == "market"

    # A withdrawn record takes no correction.
    changed = penalty(date(2026, 3, 10), "general")
    changed["penalty"]["content"] = "警告"
    r = await post(trigger, changed)
    assert r.status_code == 409
    assert r.json()["errors"][0]["reason"] == "decision_withdrawn"


async def test_listing_is_per_department(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    await post(trigger, penalty(date(2026, 3, 10)))
    await post(trigger, licence(date(2026, 3, 10)))
    await post(trigger, licence(date(2026, 3, 10), record_id="税许-2"), department="tax")
    r = await trigger.client.get(f"{URL}?kind=licence", headers=trigger.as_department("market"))
    assert [(d["department"], d["kind"]) for d in r.json()] == [("market", "licence")]
    r = await trigger.client.get(f"{URL}?state=published", headers=trigger.as_office())
    assert len(r.json()) == 3


async def test_privacy_is_recorded_never_published(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    r = await post(trigger, penalty(date(2026, 3, 10), involves_privacy=True))
    assert r.status_code == 201
    assert r.json()["state"] == "withheld"
    assert r.json()["withheld_reason"] == "privacy"
    r = await trigger.client.post(
        f"{URL}/{r.json()['decision_id']}/publication", headers=trigger.as_department("market")
    )
    assert r.status_code == 409
    assert await trigger.outbox(PUBLISHED) == []


def _ndjson(*items: Any) -> bytes:
    return b"\n".join(
        item if isinstance(item, bytes) else json.dumps(item).encode() for item in items
    )


async def test_bulk_ndjson_and_array(trigger: TriggerUnderTest) -> None:
    at(trigger, date(2026, 3, 10))
    decided = date(2026, 3, 10)
    body = _ndjson(
        penalty(decided, record_id="b-1"),
        b"{not json",
        licence(decided, record_id="b-2", licence=None),
        licence(decided, record_id="b-3"),
        penalty(decided, record_id="b-1"),
        b'{"record_id": "b-6\\u0000"}',
        b"[" * 200 + b"]" * 200,
    )
    headers = {**trigger.as_department("market"), "content-type": "application/x-ndjson"}
    r = await trigger.client.post(f"{URL}/bulk", content=body, headers=headers)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(x["line"], x["status"]) for x in results] == [
        (1, "created"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "created"),
        (5, "unchanged"),
        (6, "rejected"),
        (7, "rejected"),
    ]
    assert results[5]["problems"][0]["reason"] == "nul_character"
    assert results[6]["problems"][0]["reason"] == "nested_too_deep"
    assert results[2]["record_id"] == "b-2"
    assert results[2]["problems"][0]["field"] == "body.licence"
    assert r.json()["summary"] == {"lines": 7, "created": 2, "rejected": 4, "unchanged": 1}
    assert len(await trigger.outbox(PUBLISHED)) == 2

    r = await trigger.client.post(
        f"{URL}/bulk",
        json=[licence(decided, record_id="b-4"), {"record_id": "b-5"}],
        headers=trigger.as_department("market"),
    )
    assert [x["status"] for x in r.json()["results"]] == ["created", "rejected"]
    assert await trigger.count("publicity_decisions") == 3


@pytest.fixture
async def small_trigger(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[TriggerUnderTest]:
    settings = TriggerSettings(
        database_url=await postgres.fresh("trigger", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        publicity_bulk_max_lines=2,
        publicity_bulk_max_bytes=4096,
    )
    async with running_trigger(settings, keys) as service:
        yield service


async def test_bulk_limits_answer_413(small_trigger: TriggerUnderTest) -> None:
    trigger = small_trigger
    at(trigger, date(2026, 3, 10))
    decided = date(2026, 3, 10)
    items = [licence(decided, record_id=f"l-{n}") for n in range(3)]
    headers = {**trigger.as_department("market"), "content-type": "application/x-ndjson"}
    r = await trigger.client.post(f"{URL}/bulk", content=_ndjson(*items), headers=headers)
    assert r.status_code == 413
    assert r.json()["errors"][0]["limit"] == 2
    big = licence(decided)
    big["licence"]["content"] = "许" * 2000
    r = await trigger.client.post(f"{URL}/bulk", content=_ndjson(big, big), headers=headers)
    assert r.status_code == 413
    async with trigger.trigger.runtime.db.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(orm.publicity_decisions))
    assert stored == 0
