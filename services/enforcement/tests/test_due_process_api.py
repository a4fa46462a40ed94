"""Due process through the bus and HTTP on a real PostgreSQL database: an entry suspended while
an objection is verified, resumed with its period moved later, repaired, and left alone by the
expiry sweep (DOMAIN.md §6, §7, §8; docs/due-process.md)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jrp_enforcement.adapters import orm
from jrp_enforcement.service_layer.entries import expire_entries
from jrp_enforcement.testing import ENTERPRISE, LEGAL_REPRESENTATIVE, EnforcementUnderTest
from jrp_enforcement.testing import entry_in_force as _entry_in_force
from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import CaseKind

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
LATER = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # the objection decided two weeks on
START, END = date(2026, 11, 20), date(2029, 11, 19)
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"
SUSPENDED = "cn.jrp.enforcement.sanction-order.suspended.v1"
STATUSES = "cn.jrp.enforcement.sanction-order.statuses.v1"


def entry_in_force(**changes: Any) -> ListEntryInForce:
    return _entry_in_force(**{"period": {"start": START, "end": END}, **changes})


def suspension(
    entry_id: str = "entry-1", version: int = 1, kind: CaseKind = CaseKind.OBJECTION
) -> ListEntrySuspended:
    return ListEntrySuspended(
        entry_id=entry_id,
        version=version,
        subject_code=ENTERPRISE,
        case_kind=kind,
        case_id=f"{kind.value}-1",
        suspended_at=NOW,
    )


def repair(entry_id: str = "entry-1", version: int = 1) -> ListEntryRepaired:
    return ListEntryRepaired(
        entry_id=entry_id,
        version=version,
        subject_code=ENTERPRISE,
        repair_id="repair-1",
        repaired_by="tax",
        repaired_at=NOW,
    )


async def orders_of(service: EnforcementUnderTest, **params: Any) -> list[dict[str, Any]]:
    r = await service.client.get("/v1/sanction-orders", params=params, headers=service.as_office())
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


async def until_orders(
    service: EnforcementUnderTest, state: str, entry_id: str = "entry-1", **more: Any
) -> list[dict[str, Any]]:
    """Every order of the entry once all are in `state` (and match `more`)."""

    async def probe() -> list[dict[str, Any]] | None:
        found = await orders_of(service, entry_id=entry_id)
        wanted = {"state": state, **more}
        settled = found and all(all(o[k] == v for k, v in wanted.items()) for o in found)
        return found if settled else None

    return await eventually(probe)


async def check(service: EnforcementUnderTest, code: str = ENTERPRISE) -> dict[str, Any]:
    r = await service.client.get(f"/v1/checks/{code}", headers=service.as_department("tax"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def until_check(service: EnforcementUnderTest, **wanted: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        body = await check(service)
        return body if all(body[k] == v for k, v in wanted.items()) else None

    return await eventually(probe, within=10)


async def consumed(service: EnforcementUnderTest, events: int) -> None:
    inbox = orm.messaging.inbox

    async def probe() -> bool:
        async with service.runtime.db.sessions() as session:
            rows = await session.execute(
                select(inbox.c.event_id).where(inbox.c.consumer.like("%entries"))
            )
            return len(rows.all()) >= events

    await eventually(probe)


async def entry_row(service: EnforcementUnderTest, entry_id: str = "entry-1") -> Any:
    t = orm.list_entries
    async with service.runtime.db.sessions() as session:
        return (await session.execute(select(t).where(t.c.entry_id == entry_id))).one()


async def test_suspended_during_an_objection_then_resumed_with_the_period_moved(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await enforcement.publish(entry_in_force())
    issued = await until_orders(enforcement, "issued")
    departments = {o["department"] for o in issued}
    assert len(departments) > 1
    finance = enforcement.as_department("finance")
    finance_order = next(
        o
        for o in issued
        if o["department"] == "finance" and o["issued"]["target"]["role"] == "subject"
    )
    url = f"/v1/sanction-orders/{finance_order['order_id']}"
    assert (await enforcement.client.post(f"{url}/receipt", headers=finance)).status_code == 200
    before = await until_check(enforcement, listed=True)
    assert before["suspended"] is False and before["mandatory_measures"]
    assert before["entries"][0]["status"] == "in_force"

    # The objection is filed and its list type suspends: every order stops (§7).
    await enforcement.publish(suspension())
    suspended = await until_orders(enforcement, "suspended")
    assert len(suspended) == len(issued)
    assert {o["suspension"]["case_id"] for o in suspended} == {"objection-1"}
    sent = await enforcement.emitted(SUSPENDED)
    assert sorted(m["order_id"] for _, _, m in sent) == sorted(o["order_id"] for o in issued)
    assert {t for t, _, _ in sent} == {topics.sanctions(d) for d in departments}
    assert {(k, m["case_kind"], m["case_id"]) for _, k, m in sent} == {
        (ENTERPRISE, "objection", "objection-1")
    }
    statuses = [
        (t, s)
        for t, _, m in await enforcement.emitted(STATUSES)
        for s in m["statuses"]
        if s["state"] == "suspended"
    ]
    assert len(statuses) == len(issued) and {t for t, _ in statuses} == {topics.ORDER_STATUS}
    detail = (await enforcement.client.get(url, headers=finance)).json()
    assert [h["change"] for h in detail["history"]] == ["issued", "received", "suspended"]
    assert detail["received_at"] is not None  # what happened before stays on record

    body = await until_check(enforcement, suspended=True)
    assert (body["listed"], body["rewarded"]) == (False, False)
    [entry] = body["entries"]
    assert (entry["status"], entry["note"], entry["measures"]) == (
        "suspended",
        "suspended pending objection",
        [],
    )
    assert body["mandatory_measures"] == body["recommended_measures"] == body["rewards"] == []
    person = await check(enforcement, LEGAL_REPRESENTATIVE)
    assert person["suspended"] is True and person["mandatory_measures"] == []
    batch = await enforcement.client.post(
        "/v1/checks/batch",
        json={
            "purpose": "licensing",
            "business_reference": "test-1",
            "codes": [ENTERPRISE, LEGAL_REPRESENTATIVE],
        },
        headers=enforcement.as_department("tax"),
    )
    assert (batch.json()["listed"], batch.json()["suspended"]) == (0, 2)
    assert {a["entries"][0]["status"] for a in batch.json()["answers"]} == {"suspended"}

    refused = await enforcement.client.post(f"{url}/receipt", headers=finance)
    assert refused.status_code == 409
    assert "is suspended pending objection objection-1" in refused.text
    measures = [m["code"] for m in finance_order["issued"]["measures"]]
    late = await enforcement.client.post(
        f"{url}/feedback",
        json={
            "measures": [
                {"measure": measures[0], "outcome": "applied", "executed_at": NOW.isoformat()}
            ]
        },
        headers=finance,
    )
    assert late.status_code == 409

    # Long past every due date: nothing suspended is overdue, and the sweep leaves it be.
    enforcement.set_time(NOW + timedelta(days=60))
    assert await orders_of(enforcement, overdue="true") == []
    assert len(await orders_of(enforcement, state="suspended")) == len(issued)
    stats = (await enforcement.client.get("/v1/statistics", headers=enforcement.as_office())).json()
    assert sum(r["suspended"] for r in stats["rows"]) == len(issued)
    assert sum(r["overdue"] for r in stats["rows"]) == 0

    # Redelivered: nothing changes, nothing is sent again.
    await enforcement.publish(suspension())
    await consumed(enforcement, 3)
    assert len(await enforcement.emitted(SUSPENDED)) == len(issued)

    # Decided "information right": trigger sends a new version, its end moved later by the
    # suspended span (002 二(三)2); every order is re-issued with it (revision 2).
    enforcement.set_time(LATER)
    moved = END + timedelta(days=14)
    await enforcement.publish(entry_in_force(version=2, period={"start": START, "end": moved}))
    resumed = await until_orders(enforcement, "issued", revision=2)
    assert len(resumed) == len(issued)
    for order in resumed:
        assert order["suspension"] is None and order["received_at"] is None
        assert order["issued"]["period"]["end"] == moved.isoformat()
        assert order["receipt_due"] == "2026-12-10"  # three working days from the re-issue
    reissued = [m for _, _, m in await enforcement.emitted(ISSUED) if m["revision"] == 2]
    assert len(reissued) == len(issued)
    row = await entry_row(enforcement)
    assert (row.status, row.version, row.period_end) == ("in_force", 2, moved)
    assert (row.suspension_case_kind, row.suspension_case_id, row.suspended_since) == (
        None,
        None,
        None,
    )
    again = await until_check(enforcement, suspended=False, listed=True)
    assert again["entries"][0]["status"] == "in_force" and again["entries"][0]["note"] is None
    assert [m["code"] for m in again["mandatory_measures"]] == [
        m["code"] for m in before["mandatory_measures"]
    ]
    assert again["entries"][0]["period"]["end"] == moved.isoformat()
    assert await orders_of(enforcement, state="suspended") == []


async def test_repair_lifts_every_order_and_the_entry_leaves_the_list(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    other = entry_in_force(entry_id="entry-2", version=1)
    await enforcement.publish(entry_in_force(), other, suspension("entry-2"))
    issued = await until_orders(enforcement, "issued")
    await until_orders(enforcement, "suspended", "entry-2")
    await until_check(enforcement, listed=True, suspended=True)

    await enforcement.publish(repair(), repair("entry-2"), repair("entry-unknown"))
    lifted = await until_orders(enforcement, "lifted", lift_reason="repaired")
    await until_orders(enforcement, "lifted", "entry-2", lift_reason="repaired")
    exits = await enforcement.emitted(LIFTED)
    assert {m["reason"] for _, _, m in exits} == {"repaired"}
    assert {m["order_id"] for _, _, m in exits} >= {o["order_id"] for o in lifted}
    assert {t for t, _, m in exits if m["entry_id"] == "entry-1"} == {
        topics.sanctions(o["department"]) for o in issued
    }
    for entry_id in ("entry-1", "entry-2"):
        row = await entry_row(enforcement, entry_id)
        assert (row.status, row.end_reason, row.suspension_case_kind) == (
            "repaired",
            "repaired",
            None,
        )
    body = await until_check(enforcement, listed=False, suspended=False)
    assert body["entries"] == [] and body["mandatory_measures"] == []

    # Redelivered, or a later version: a repaired entry stays ended.
    count = len(exits)
    await enforcement.publish(repair(), entry_in_force(version=2))
    await consumed(enforcement, 8)
    assert len(await enforcement.emitted(LIFTED)) == count
    assert len([m for _, _, m in await enforcement.emitted(ISSUED) if m["revision"] == 2]) == 0


async def test_the_expiry_sweep_leaves_a_suspended_entry_alone(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    short = _entry_in_force(period={"start": START, "end": date(2026, 11, 30)})
    await enforcement.publish(short, suspension())
    await until_orders(enforcement, "suspended")
    enforcement.set_time(datetime(2026, 12, 10, 2, 0, tzinfo=UTC))  # past the original end
    assert await expire_entries(enforcement.runtime.uow, enforcement.orders) == []
    assert (await entry_row(enforcement)).status == "suspended"
    await until_orders(enforcement, "suspended")
    body = await check(enforcement)  # still shown: its period is stopped, not over
    assert (body["suspended"], body["listed"]) == (True, False)

    # A revocation ends it like any entry, and the suspension does not linger.
    await enforcement.publish(
        ListEntryRevoked(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            reason="行政复议撤销",
            revoked_by="tax",
            revoked_at=NOW,
        )
    )
    await until_orders(enforcement, "lifted", lift_reason="revoked")
    row = await entry_row(enforcement)
    assert (row.status, row.suspension_case_kind, row.suspended_since) == ("revoked", None, None)
    await until_check(enforcement, suspended=False, listed=False)
