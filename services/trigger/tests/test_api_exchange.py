"""Exchange with the upper-level platform on the trigger's API and real PostgreSQL (DOMAIN.md
§11; docs/exchange.md): one record per entry change, acknowledgements from an exchange partner
only, pushes again, overdue records, and other regions' entries with their origin."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from jrp_shared.auth import ROLE_EXCHANGE
from jrp_shared.calendar import statutory_holidays
from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import (
    CalendarScheduleLoaded,
    DepartmentPublished,
    ExchangeRecordAcknowledged,
    ListEntrySubmission,
    RepairDecided,
)
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import Keys, PostgresDatabases, eventually
from jrp_shared.vocabulary import DepartmentLevel
from jrp_trigger.cli import MIGRATIONS
from jrp_trigger.config import TriggerSettings
from jrp_trigger.testing import (
    ENTERPRISE,
    TriggerUnderTest,
    list_type,
    running_trigger,
    tax_entry,
)

pytestmark = pytest.mark.integration

PUSHED = "cn.jrp.exchange.record.pushed.v1"
PARTNER = "fj-platform"
ORIGIN = {
    "platform": "xm-credit-platform",
    "region_code": "350200",
    "department_name": "国家税务总局厦门市税务局",
    "original_entry_id": "XM-2026-0001",
}


def china_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=CHINA)


def partner_headers(trigger: TriggerUnderTest) -> dict[str, str]:
    return trigger.keys.headers(PARTNER, ROLE_EXCHANGE)


async def records(trigger: TriggerUnderTest, **params: Any) -> list[dict[str, Any]]:
    r = await trigger.client.get("/v1/exchange/records", params=params, headers=trigger.as_office())
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


async def posted(trigger: TriggerUnderTest, **changes: Any) -> str:
    body = tax_entry(trigger.trigger.today(), **changes)
    r = await trigger.client.post("/v1/list-entries", json=body, headers=trigger.as_department())
    assert r.status_code == 201, r.text
    entry_id: str = r.json()["entry_id"]
    return entry_id


async def test_every_change_of_an_entry_makes_one_record(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    entry_id = await posted(trigger)
    [entry] = await trigger.outbox(PUSHED)
    assert entry["operation"] == "entry" and entry["attempt"] == 1
    assert entry["entry_id"] == entry_id and entry["subject_code"] == ENTERPRISE
    assert entry["list_type_name"] == "重大税收违法失信主体"
    assert entry["reward_punishment_type"] == "black" and entry["status"] == "in_force"
    due = trigger.trigger.copies.calendar.calendar.add_working_days(today, 3).due
    assert entry["push_due"] == due.isoformat()

    body = tax_entry(today, grounds="虚开增值税专用发票（更正）")
    body.pop("record_id")
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/corrections",
        json={**body, "reason": "事由笔误"},
        headers=trigger.as_department(),
    )
    assert r.status_code == 200, r.text
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "决定被撤销"},
        headers=trigger.as_department(),
    )
    assert r.status_code == 200, r.text

    pushed = await trigger.outbox(PUSHED)
    assert [(p["operation"], p["entry_version"]) for p in pushed] == [
        ("entry", 1),
        ("correction", 2),
        ("revocation", 2),
    ]
    assert pushed[1]["behaviour"] == "虚开增值税专用发票（更正）"
    assert pushed[2]["status"] == "revoked"
    listed = await records(trigger)
    assert sorted(r["operation"] for r in listed) == ["correction", "entry", "revocation"]
    assert {r["state"] for r in listed} == {"pending"}
    one = await trigger.client.get(
        f"/v1/exchange/records/{pushed[0]['record_id']}", headers=trigger.as_office()
    )
    assert one.status_code == 200 and one.json()["record"]["operation"] == "entry"


async def test_a_repair_and_an_exit_make_their_records_once(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    repaired = await posted(trigger, record_id="r-1")
    ending = await posted(
        trigger,
        record_id="r-2",
        period={"start": str(today), "end": str(today + timedelta(days=10))},
    )
    decided = RepairDecided(
        repair_id="rep-1",
        entry_id=repaired,
        subject_code=ENTERPRISE,
        approved=True,
        reasons="已履行义务并提交信用承诺",
        decided_by="tax",
        decided_at=datetime.now(UTC),
    )
    await trigger.publish(decided, "/jrp/appeals")
    await trigger.publish(decided, "/jrp/appeals")  # redelivered: no second record

    async def repair_record() -> list[dict[str, Any]] | None:
        found = [p for p in await trigger.outbox(PUSHED) if p["operation"] == "repair"]
        return found or None

    [repair] = await eventually(repair_record)
    assert repair["entry_id"] == repaired and repair["status"] == "repaired"

    # Nothing has ended yet.
    await trigger.trigger.sweep_exchange()
    assert not [p for p in await trigger.outbox(PUSHED) if p["operation"] == "exit"]
    # Eleven days on, the second entry's period has ended: its exit is recorded, once.
    later = today + timedelta(days=11)
    trigger.trigger.clock = lambda: china_noon(later)
    await trigger.trigger.sweep_exchange()
    await trigger.trigger.sweep_exchange()
    exits = [p for p in await trigger.outbox(PUSHED) if p["operation"] == "exit"]
    assert [(e["entry_id"], e["status"]) for e in exits] == [(ending, "expired")]
    assert "period ended" in exits[0]["effect"]


async def test_an_acknowledgement_from_a_partner_marks_the_record(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    entry_id = await posted(trigger)
    [pushed] = await trigger.outbox(PUSHED)
    record_id = pushed["record_id"]

    def ack(**changes: Any) -> ExchangeRecordAcknowledged:
        fields: dict[str, Any] = {
            "record_id": record_id,
            "entry_id": entry_id,
            "platform": PARTNER,
            "accepted": True,
        }
        fields.update(changes)
        return ExchangeRecordAcknowledged.model_validate(fields)

    # Not a partner: refused (dead-lettered), the record stays pending.
    await trigger.send(inbound_message(ack(), "tax", trigger.keys.token("tax", "initiator")))
    # An unknown record: ignored with a log.
    await trigger.send(
        inbound_message(
            ack(record_id="no-such-record"), PARTNER, trigger.keys.token(PARTNER, "exchange")
        )
    )

    async def refused() -> list[dict[str, Any]] | None:
        letters = await trigger.dead_letters()
        return letters or None

    [letter] = await eventually(refused)
    assert "exchange" in letter["reason"]
    assert (await records(trigger, status="pending"))[0]["record_id"] == record_id

    token = trigger.keys.token(PARTNER, "exchange")
    await trigger.send(
        inbound_message(
            ack(accepted=False, error_code="E101", error_message="字段缺失"), PARTNER, token
        )
    )

    async def refused_record() -> list[dict[str, Any]] | None:
        return await records(trigger, status="refused") or None

    [refused_one] = await eventually(refused_record)
    assert (refused_one["error_code"], refused_one["error_message"]) == ("E101", "字段缺失")
    assert refused_one["state"] == "refused" and refused_one["acknowledged_by"] == PARTNER

    before = datetime.now(UTC)
    await trigger.send(inbound_message(ack(), PARTNER, token))
    await trigger.send(inbound_message(ack(), PARTNER, token))  # the same again

    async def accepted() -> list[dict[str, Any]] | None:
        return await records(trigger, status="acknowledged") or None

    [done] = await eventually(accepted)
    assert done["accepted"] is True and done["error_code"] is None
    # Dated by this platform's clock on arrival.
    assert datetime.fromisoformat(done["acknowledged_at"]) >= before - timedelta(seconds=1)
    assert await records(trigger, status="pending") == []
    # An acknowledged record is never pushed again.
    trigger.trigger.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
    await trigger.trigger.sweep_exchange()
    assert len(await trigger.outbox(PUSHED)) == 1


async def test_a_partner_acknowledges_over_http_with_the_same_rules(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    entry_id = await posted(trigger)
    [pushed] = await trigger.outbox(PUSHED)
    body = {"record_id": pushed["record_id"], "entry_id": entry_id, "platform": PARTNER}
    url = "/v1/exchange/acknowledgements"

    # Only a partner (role exchange) acknowledges.
    r = await trigger.client.post(
        url, json={**body, "accepted": True}, headers=trigger.as_department()
    )
    assert r.status_code == 403, r.text
    # A record never pushed: 404; another entry's id: 422.
    r = await trigger.client.post(
        url,
        json={**body, "record_id": "no-such-record", "accepted": True},
        headers=partner_headers(trigger),
    )
    assert r.status_code == 404, r.text
    r = await trigger.client.post(
        url,
        json={**body, "entry_id": "other-entry", "accepted": True},
        headers=partner_headers(trigger),
    )
    assert r.status_code == 422, r.text
    assert (await records(trigger, status="pending"))[0]["record_id"] == pushed["record_id"]

    r = await trigger.client.post(
        url, json={**body, "accepted": True}, headers=partner_headers(trigger)
    )
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is True
    assert r.json()["record"]["state"] == "acknowledged"
    assert r.json()["record"]["acknowledged_by"] == PARTNER
    again = await trigger.client.post(
        url, json={**body, "accepted": True}, headers=partner_headers(trigger)
    )
    assert again.json()["changed"] is False
    assert await records(trigger, status="pending") == []


async def test_unacknowledged_records_are_pushed_again_then_overdue(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    start = date(2026, 9, 30)  # National Day follows: due on the adjusted Saturday 10 October
    trigger.trigger.clock = lambda: china_noon(start)
    await posted(trigger, decision_document={"number": "闽税稽罚〔2026〕12号", "date": str(start)})
    [first] = await trigger.outbox(PUSHED)
    assert first["push_due"] == "2026-10-10"

    # Within the retry interval: nothing again.
    await trigger.trigger.sweep_exchange()
    assert len(await trigger.outbox(PUSHED)) == 1
    # Past it (300 s by default): attempt 2, the same record.
    trigger.trigger.clock = lambda: china_noon(start) + timedelta(seconds=301)
    await trigger.trigger.sweep_exchange()
    pushed = await trigger.outbox(PUSHED)
    assert [(p["record_id"], p["attempt"]) for p in pushed] == [
        (first["record_id"], 1),
        (first["record_id"], 2),
    ]
    # Attempt 3 only after twice the interval.
    trigger.trigger.clock = lambda: china_noon(start) + timedelta(seconds=301 + 500)
    await trigger.trigger.sweep_exchange()
    assert len(await trigger.outbox(PUSHED)) == 2

    office = trigger.as_office()
    # On the due day it is still pending; the day after, overdue (route and gauge).
    trigger.trigger.clock = lambda: china_noon(date(2026, 10, 10))
    assert await records(trigger, status="overdue") == []
    assert await trigger.trigger.exchange_overdue.refresh() == 0  # type: ignore[union-attr]
    trigger.trigger.clock = lambda: china_noon(date(2026, 10, 11))
    [overdue] = await records(trigger, status="overdue")
    assert overdue["record_id"] == first["record_id"] and overdue["state"] == "overdue"
    assert overdue["attempts"] >= 2
    assert await trigger.trigger.exchange_overdue.refresh() == 1  # type: ignore[union-attr]
    metrics = await trigger.client.get("/metrics")
    assert "jrp_exchange_overdue 1.0" in metrics.text

    # Only the office reads them.
    r = await trigger.client.get("/v1/exchange/records", headers=trigger.as_department())
    assert r.status_code == 403
    r = await trigger.client.get("/v1/exchange/records?status=late", headers=office)
    assert r.status_code == 422


async def test_other_regions_entries_carry_their_origin(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()

    # A department may not claim another origin.
    r = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, origin=ORIGIN),
        headers=trigger.as_department(),
    )
    assert r.status_code == 403, r.text
    assert r.json()["errors"][0]["reason"] == "origin_not_allowed"
    # A partner must name it.
    r = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(today), headers=partner_headers(trigger)
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.origin"
    assert r.json()["errors"][0]["reason"] == "origin_required"
    # Neither initiator nor partner: 403.
    r = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, origin=ORIGIN),
        headers=trigger.keys.headers("finance", "implementer"),
    )
    assert r.status_code == 403

    # The partner submits a tax list entry (tax alone initiates it here) for Xiamen.
    r = await trigger.client.post(
        "/v1/list-entries",
        json=tax_entry(today, origin=ORIGIN),
        headers=partner_headers(trigger),
    )
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["origin"] == ORIGIN and entry["initiating_department"] == PARTNER
    read = await trigger.client.get(
        f"/v1/list-entries/{entry['entry_id']}", headers=trigger.as_department()
    )
    assert read.json()["origin"] == ORIGIN
    [in_force] = await trigger.outbox("cn.jrp.trigger.list-entry.in-force.v1")
    assert in_force["origin"] == ORIGIN
    # Not pushed back to the platforms.
    assert await trigger.outbox(PUSHED) == []


async def test_a_partner_submits_on_the_topic_once_the_registry_names_it(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    await trigger.publish(
        DepartmentPublished(
            code=PARTNER,
            name="福建省公共信用信息平台",
            name_en="Fujian Provincial Public Credit Information Platform",
            level=DepartmentLevel.PROVINCIAL,
            region="350000",
            domains=[],
            initiates=False,
            implements=False,
            exchanges=True,
        ),
        "/jrp/registry",
    )
    submission = ListEntrySubmission.model_validate(
        tax_entry(trigger.trigger.today(), record_id="XM-1", origin=ORIGIN)
    )
    token = trigger.keys.token(PARTNER, ROLE_EXCHANGE)

    async def partner_known() -> bool:
        await trigger.send(inbound_message(submission, PARTNER, token))
        r = await trigger.client.get("/v1/list-entries", headers=trigger.as_office())
        return bool([e for e in r.json() if e["record_id"] == "XM-1"])

    assert await eventually(partner_known)
    assert await trigger.outbox(PUSHED) == []


async def test_a_provisional_push_deadline_is_counted_again_on_the_official_schedule(
    trigger: TriggerUnderTest,
) -> None:
    """DOMAIN.md §10: a deadline reaching into a year without schedule is provisional, and
    counted again when the registry publishes that year's schedule."""
    if trigger.trigger.copies.calendar.calendar.source_of(2027) != "provisional":
        pytest.fail("this test needs 2027 to have no schedule yet; pick a later year")
    await trigger.seed(list_type())
    wednesday = date(2026, 12, 30)
    trigger.trigger.clock = lambda: china_noon(wednesday)
    await posted(
        trigger, decision_document={"number": "闽税稽罚〔2026〕12号", "date": str(wednesday)}
    )
    [record] = await records(trigger)
    # 12/31, (1 January off), 4 and 5 January.
    assert (record["push_due"], record["push_due_provisional"]) == ("2027-01-05", True)
    holidays = sorted(statutory_holidays(2027) | {date(2027, 1, 4)})
    await trigger.publish(
        CalendarScheduleLoaded(
            year=2027, source="国办发明电〔2026〕测试", holidays=holidays, adjusted_workdays=[]
        ),
        source="/jrp/registry",
    )

    async def recomputed() -> dict[str, Any] | None:
        [found] = await records(trigger)
        return found if found["push_due_provisional"] is False else None

    assert (await eventually(recomputed))["push_due"] == "2027-01-06"


async def test_a_bulk_import_makes_one_record_per_entry(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    today = trigger.trigger.today()
    lines = [
        json.dumps(tax_entry(today, record_id=f"b-{i}"), ensure_ascii=False) for i in range(1, 8)
    ]
    lines.append(json.dumps(tax_entry(today, record_id="b-x", list_type="black.nope")))
    r = await trigger.client.post(
        "/v1/list-entries/bulk",
        content=("\n".join(lines) + "\n").encode(),
        headers={**trigger.as_department(), "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text[:500]
    in_force = await trigger.outbox("cn.jrp.trigger.list-entry.in-force.v1")
    pushed = await trigger.outbox(PUSHED)
    assert len(in_force) == 7
    assert sorted(p["entry_id"] for p in pushed) == sorted(e["entry_id"] for e in in_force)
    assert {p["operation"] for p in pushed} == {"entry"}
    assert await trigger.count("exchange_records") == 7


@pytest.fixture
async def without_exchange(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[TriggerUnderTest]:
    settings = TriggerSettings(
        database_url=await postgres.fresh("trigger", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        exchange_enabled=False,
    )
    async with running_trigger(settings, keys) as service:
        yield service


async def test_switched_off_no_record_is_made(without_exchange: TriggerUnderTest) -> None:
    trigger = without_exchange
    await trigger.seed(list_type())
    entry_id = await posted(trigger)
    r = await trigger.client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "决定被撤销"},
        headers=trigger.as_department(),
    )
    assert r.status_code == 200, r.text
    assert len(await trigger.outbox("cn.jrp.trigger.list-entry.revoked.v1")) == 1
    assert await trigger.outbox(PUSHED) == []
    assert await trigger.count("exchange_records") == 0
