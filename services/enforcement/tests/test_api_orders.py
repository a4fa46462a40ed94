"""The sanction-order lifecycle through the HTTP API and the bus, on a real PostgreSQL database:
issue, correct, revoke, expire; receipts and feedback; overdue, statistics; deadlines that
become final when a year's schedule is loaded (DOMAIN.md §5, §7, §8, §10)."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.planning import plan_orders
from jrp_enforcement.service_layer.entries import (
    CatalogNotReady,
    expire_entries,
    take_entry_in_force,
    take_entry_revoked,
)
from jrp_enforcement.testing import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    TAX_LIST,
    EnforcementUnderTest,
    entry_in_force,
)
from jrp_shared.calendar import statutory_holidays
from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    CalendarScheduleLoaded,
    ExecutionFeedbackReported,
    ListEntryInForce,
    ListEntryRevoked,
    ListTypePublished,
    MeasureFeedback,
    MeasurePublished,
    ReceiptAcknowledged,
)
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

Catalog = tuple[list[ListTypePublished], list[MeasurePublished]]
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"
STATUSES = "cn.jrp.enforcement.sanction-order.statuses.v1"


def planned(catalog: Catalog, entry: ListEntryInForce) -> dict[tuple[str, str], set[str]]:
    list_types, measures = catalog
    [list_type] = [t for t in list_types if t.code == entry.list_type]
    return {
        (p.department, p.target.role.value): {m.code for m in p.measures}
        for p in plan_orders(entry, list_type, measures)
    }


async def take(service: EnforcementUnderTest, *entries: ListEntryInForce) -> None:
    async with service.runtime.uow() as uow:
        for entry in entries:
            await take_entry_in_force(uow, service.orders, entry)
        await uow.commit()


async def revoke(service: EnforcementUnderTest, entry_id: str) -> None:
    revoked = ListEntryRevoked(
        entry_id=entry_id,
        version=1,
        subject_code=ENTERPRISE,
        reason="行政复议撤销",
        revoked_by="tax",
        revoked_at=NOW,
    )
    async with service.runtime.uow() as uow:
        await take_entry_revoked(uow, service.orders, revoked)
        await uow.commit()


async def listed(
    service: EnforcementUnderTest, headers: dict[str, str] | None = None, **params: Any
) -> list[dict[str, Any]]:
    r = await service.client.get(
        "/v1/sanction-orders", params=params, headers=headers or service.as_office()
    )
    assert r.status_code == 200, r.text
    orders: list[dict[str, Any]] = r.json()
    return orders


def order_of(
    orders: list[dict[str, Any]], department: str, role: str = "subject"
) -> dict[str, Any]:
    [found] = [
        o for o in orders if o["department"] == department and o["issued"]["target"]["role"] == role
    ]
    return found


def feedback(*codes: str, outcome: str = "applied") -> dict[str, Any]:
    return {
        "measures": [
            {"measure": c, "outcome": outcome, "executed_at": NOW.isoformat()} for c in codes
        ]
    }


async def test_an_entry_in_force_issues_one_order_per_department_and_target(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    told: list[frozenset[str]] = []
    enforcement.app.state.entry_changes.subscribe(lambda ids, _catalog: told.append(ids))
    entry = entry_in_force()
    expected = planned(catalog, entry)
    await enforcement.publish(entry)

    async def all_issued() -> list[dict[str, Any]] | None:
        orders = await listed(enforcement)
        return orders if len(orders) == len(expected) else None

    orders = await eventually(all_issued)
    assert {
        (o["department"], o["issued"]["target"]["role"]): {
            m["code"] for m in o["issued"]["measures"]
        }
        for o in orders
    } == expected
    assert ("finance", "legal_representative") in expected
    for order in orders:
        assert (order["state"], order["revision"], order["sequence"]) == ("issued", 1, 1)
        assert order["receipt_due"] == "2026-11-26" and order["feedback_due"] == "2026-12-21"
        assert order["deadlines_provisional"] is False
        assert order["issued"]["list_type_name"] == "重大税收违法失信主体"
        assert order["receipt_overdue"] is False and order["feedback_overdue"] is False
    assert told == [frozenset({"entry-1"})]

    issued = await enforcement.emitted(ISSUED)
    assert len(issued) == len(expected)
    assert {t for t, _, _ in issued} == {topics.sanctions(d) for d, _ in expected}
    assert {k for _, k, _ in issued} == {ENTERPRISE}  # never a resident ID as a key
    # Trigger hears of every order in one event of the entry, keyed by the listed subject.
    statuses = await enforcement.emitted(STATUSES)
    assert [(t, k, m["entry_id"]) for t, k, m in statuses] == [
        (topics.ORDER_STATUS, ENTERPRISE, "entry-1")
    ]
    told_states = {(s["order_id"], s["sequence"], s["state"]) for s in statuses[0][2]["statuses"]}
    assert told_states == {(o["order_id"], 1, "issued") for o in orders}
    async with enforcement.runtime.db.sessions() as session:
        targets = (await session.execute(select(orm.entry_targets))).all()
    assert {(t.role, t.code) for t in targets} == {
        ("subject", ENTERPRISE),
        ("legal_representative", LEGAL_REPRESENTATIVE),
    }

    finance = enforcement.as_department("finance")
    own = await listed(enforcement, finance)
    assert {(o["department"], o["issued"]["target"]["role"]) for o in own} == {
        ("finance", "subject"),
        ("finance", "legal_representative"),
    }
    other = await enforcement.client.get(
        "/v1/sanction-orders", params={"department": "tax"}, headers=finance
    )
    assert other.status_code == 403
    market_order = order_of(orders, "market")["order_id"]
    assert (
        await enforcement.client.get(f"/v1/sanction-orders/{market_order}", headers=finance)
    ).status_code == 403
    assert (
        await enforcement.client.get("/v1/sanction-orders/nope", headers=finance)
    ).status_code == 404
    detail = await enforcement.client.get(
        f"/v1/sanction-orders/{own[0]['order_id']}", headers=finance
    )
    assert [h["change"] for h in detail.json()["history"]] == ["issued"]


async def test_versions_in_one_poll_are_taken_in_order_and_old_ones_ignored(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    v1, v2 = entry_in_force(), entry_in_force(version=2, grounds="更正：虚开发票金额")
    count = len(planned(catalog, v1))
    await enforcement.publish(v1, v2, v1)  # one append: one poll, one transaction

    async def corrected() -> list[Any] | None:
        issued = await enforcement.emitted(ISSUED)
        return issued if len(issued) >= 2 * count else None

    issued = await eventually(corrected)
    assert len(issued) == 2 * count
    assert [m["revision"] for _, _, m in issued] == [1] * count + [2] * count
    orders = await listed(enforcement)
    assert {(o["revision"], o["issued"]["grounds"]) for o in orders} == {(2, "更正：虚开发票金额")}
    await enforcement.publish(v1)  # a late repeat of an older version changes nothing
    await enforcement.publish(v2)
    await eventually(lambda: _consumed(enforcement, 5))
    assert len(await enforcement.emitted(ISSUED)) == 2 * count


async def test_an_entry_issued_corrected_and_revoked_in_one_poll_keeps_every_step(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    """The poll's new rows are written at commit (write-behind) and its entries read ahead:
    each later event of the same entry still sees what the earlier ones did."""
    enforcement.set_time(NOW)
    v1, v2 = entry_in_force(), entry_in_force(version=2, linked_persons=[])
    other = entry_in_force(
        entry_id="entry-2",
        subject={"code": "91110000802100433B", "subject_type": "legal_person", "name": "另一家"},
    )
    revoked = ListEntryRevoked(
        entry_id=v1.entry_id,
        version=2,
        subject_code=ENTERPRISE,
        reason="行政复议撤销",
        revoked_by="tax",
        revoked_at=NOW,
    )
    await enforcement.publish(v1, other, v2, revoked)  # one append: one poll, one transaction
    await eventually(lambda: _consumed(enforcement, 4))
    orders = await listed(enforcement, entry_id=v1.entry_id)
    assert len(orders) == len(planned(catalog, v1))
    assert {(o["state"], o["lift_reason"]) for o in orders} == {("lifted", "revoked")} | {
        ("lifted", "corrected")
    }
    for order in orders:
        url = f"/v1/sanction-orders/{order['order_id']}"
        detail = (await enforcement.client.get(url, headers=enforcement.as_office())).json()
        changes = [h["change"] for h in detail["history"]]
        person = order["issued"]["target"]["role"] == "legal_representative"
        assert changes == (["issued", "lifted"] if person else ["issued", "reissued", "lifted"])
    assert {o["state"] for o in await listed(enforcement, entry_id="entry-2")} == {"issued"}
    answer = (
        await enforcement.client.get(
            f"/v1/checks/{ENTERPRISE}", headers=enforcement.as_department("finance")
        )
    ).json()
    assert answer["listed"] is False


async def _consumed(service: EnforcementUnderTest, events: int) -> bool:
    inbox = orm.messaging.inbox
    async with service.runtime.db.sessions() as session:
        rows = (
            await session.execute(select(inbox.c.event_id).where(inbox.c.consumer.like("%entries")))
        ).all()
    return len(rows) >= events


async def test_a_correction_reissues_what_is_still_planned_and_lifts_the_rest(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    finance = enforcement.as_department("finance")
    subject_order = order_of(await listed(enforcement), "finance")
    received = await enforcement.client.post(
        f"/v1/sanction-orders/{subject_order['order_id']}/receipt", json={}, headers=finance
    )
    assert received.json()["state"] == "received"

    enforcement.set_time(NOW + timedelta(days=1))
    await take(enforcement, entry_in_force(version=2, linked_persons=[]))
    orders = await listed(enforcement)
    people = [o for o in orders if o["issued"]["target"]["role"] == "legal_representative"]
    companies = [o for o in orders if o["issued"]["target"]["role"] == "subject"]
    assert people and {(o["state"], o["lift_reason"]) for o in people} == {("lifted", "corrected")}
    assert {(o["state"], o["revision"]) for o in companies} == {("issued", 2)}
    again = order_of(orders, "finance")
    assert again["order_id"] == subject_order["order_id"] and again["received_at"] is None
    assert again["receipt_due"] == "2026-11-27"  # counted from the re-issue day
    lifted = await enforcement.emitted(LIFTED)
    assert len(lifted) == len(people)
    assert {(k, m["target_role"], m["reason"]) for _, k, m in lifted} == {
        (ENTERPRISE, "legal_representative", "corrected")
    }
    async with enforcement.runtime.db.sessions() as session:
        targets = (await session.execute(select(orm.entry_targets.c.role))).scalars().all()
    assert targets == ["subject"]


async def test_receipts_and_feedback_over_http(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    orders = await listed(enforcement)
    order = order_of(orders, "finance")
    url = f"/v1/sanction-orders/{order['order_id']}"
    finance = enforcement.as_department("finance")
    codes = [m["code"] for m in order["issued"]["measures"]]
    assert len(codes) >= 2

    tax = enforcement.as_department("tax")
    assert (await enforcement.client.post(f"{url}/receipt", headers=tax)).status_code == 403
    no_role = enforcement.as_department("finance", "initiator")
    assert (await enforcement.client.post(f"{url}/receipt", headers=no_role)).status_code == 403
    unknown = await enforcement.client.post("/v1/sanction-orders/nope/receipt", headers=finance)
    assert unknown.status_code == 404

    first = await enforcement.client.post(
        f"{url}/receipt", json={"note": "已接收"}, headers=finance
    )
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["sequence"]) == ("received", 2)
    repeat = await enforcement.client.post(f"{url}/receipt", json={"note": "x"}, headers=finance)
    assert (repeat.json()["sequence"], repeat.json()["receipt_note"]) == (2, "已接收")

    stranger = await enforcement.client.post(
        f"{url}/feedback", json=feedback("market.nope"), headers=finance
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["reason"] == "measure_not_in_order"
    no_reason = await enforcement.client.post(
        f"{url}/feedback", json=feedback(codes[0], outcome="failed"), headers=finance
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "measures.0.reason"

    partial = await enforcement.client.post(
        f"{url}/feedback", json=feedback(codes[0]), headers=finance
    )
    assert partial.json()["state"] == "received"
    complete = await enforcement.client.post(
        f"{url}/feedback", json=feedback(*codes), headers=finance
    )
    assert complete.json()["state"] == "fed_back"
    assert {m["outcome"] for m in complete.json()["measures"]} == {"applied"}
    same = await enforcement.client.post(f"{url}/feedback", json=feedback(*codes), headers=finance)
    assert same.json()["sequence"] == complete.json()["sequence"] == 4

    detail = (await enforcement.client.get(url, headers=finance)).json()
    assert [h["change"] for h in detail["history"]] == [
        "issued",
        "received",
        "feedback",
        "fed_back",
    ]
    assert [h["by"] for h in detail["history"]] == ["enforcement", "finance", "finance", "finance"]
    statuses = [
        s
        for _, _, m in await enforcement.emitted(STATUSES)
        for s in m["statuses"]
        if s["order_id"] == order["order_id"]
    ]
    assert [(s["sequence"], s["state"]) for s in statuses] == [
        (1, "issued"),
        (2, "received"),
        (3, "received"),
        (4, "fed_back"),
    ]

    person = order_of(orders, "finance", "legal_representative")
    implied = await enforcement.client.post(
        f"/v1/sanction-orders/{person['order_id']}/feedback",
        json=feedback(person["issued"]["measures"][0]["code"]),
        headers=finance,
    )
    assert implied.json()["received_at"] is not None  # feedback implies receipt

    await revoke(enforcement, "entry-1")
    late = await enforcement.client.post(f"{url}/receipt", headers=finance)
    assert late.status_code == 409
    after = await listed(enforcement)
    assert {(o["state"], o["lift_reason"]) for o in after} == {("lifted", "revoked")}
    assert len(await enforcement.emitted(LIFTED)) == len(orders)
    async with enforcement.runtime.db.sessions() as session:
        status = await session.scalar(select(orm.list_entries.c.status))
    assert status == "revoked"


async def test_reports_posted_on_the_topic_are_taken_like_http_calls(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    orders = await listed(enforcement)
    finance_order, market_order = order_of(orders, "finance"), order_of(orders, "market")
    keys = enforcement.keys
    receipt = ReceiptAcknowledged(
        order_id=finance_order["order_id"], subject_code=ENTERPRISE, received_at=NOW
    )
    report = ExecutionFeedbackReported(
        order_id=market_order["order_id"],
        subject_code=ENTERPRISE,
        measures=[
            MeasureFeedback(measure=m["code"], outcome="applied", executed_at=NOW)
            for m in market_order["issued"]["measures"]
        ],
    )
    wrong_department = inbound_message(receipt, "market", keys.token("market", "implementer"))
    await enforcement.send(
        inbound_message(receipt, "finance", keys.token("finance", "implementer")),
        inbound_message(report, "market", keys.token("market", "implementer")),
        wrong_department,
    )

    async def taken() -> bool:
        orders = await listed(enforcement)
        return (order_of(orders, "finance")["state"], order_of(orders, "market")["state"]) == (
            "received",
            "fed_back",
        )

    await eventually(taken)
    [letter] = await dead_letters(enforcement)
    assert "not addressed to department market" in letter["reason"]


async def dead_letters(service: EnforcementUnderTest) -> list[dict[str, Any]]:
    dead = service.runtime.bus.subscribe("inspector", [topics.DEAD_LETTER])
    await dead.start()
    try:

        async def letters() -> list[Any] | None:
            return await dead.poll(max_records=10, timeout_ms=200) or None

        return [json.loads(r.value) for r in await eventually(letters)]
    finally:
        await dead.stop()


async def test_an_entry_of_a_list_type_the_copy_lacks_waits_for_the_catalog(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    """catalog.v1 and list-entries.v1 are not ordered with one another: an entry whose list
    type has not reached this copy yet is waited for, never dead-lettered (issue 10)."""
    enforcement.set_time(NOW)
    list_types, measures = catalog
    [tax] = [t for t in list_types if t.code == TAX_LIST]
    late = tax.model_copy(update={"code": "black.tax.not-yet-published", "name": "迟到的名单"})
    await enforcement.publish(entry_in_force(list_type=late.code))

    async def waiting() -> bool:
        """Retried at least twice, and still waiting (jrp_consumer_dependency_waits_total)."""
        metrics = (await enforcement.client.get("/metrics")).text
        return any(
            line.startswith("jrp_consumer_dependency_waits_total{")
            and "list-entries" in line
            and float(line.rsplit(" ", 1)[1]) >= 2
            for line in metrics.splitlines()
        )

    await eventually(waiting)
    assert await listed(enforcement) == []
    measure = next(m for m in measures if TAX_LIST in m.list_types)
    await enforcement.seed_catalog(
        [late],
        [measure.model_copy(update={"version": 2, "list_types": [*measure.list_types, late.code]})],
    )

    async def planned() -> list[Any] | None:
        return await listed(enforcement) or None

    await eventually(planned)
    dead = enforcement.runtime.bus.subscribe("inspector", [topics.DEAD_LETTER])
    await dead.start()
    try:
        assert await dead.poll(max_records=10, timeout_ms=300) == []
    finally:
        await dead.stop()


async def test_the_next_unit_of_work_sees_a_catalog_change_the_handlers_had_cached(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    list_types, measures = catalog
    [tax] = [t for t in list_types if t.code == TAX_LIST]
    newcomer = tax.model_copy(update={"code": "black.tax.newly-published", "name": "新名单"})
    with pytest.raises(CatalogNotReady):  # remembered as missing...
        await take(enforcement, entry_in_force(list_type=newcomer.code))
    await take(enforcement, entry_in_force(entry_id="entry-2"))  # ...and the measures cached
    measure = next(m for m in measures if TAX_LIST in m.list_types)
    revised = measure.model_copy(
        update={
            "version": 2,
            "content": "修订后的措施",
            "list_types": [*measure.list_types, newcomer.code],
        }
    )
    await enforcement.seed_catalog([newcomer], [revised])

    await take(enforcement, entry_in_force(list_type=newcomer.code))
    await take(enforcement, entry_in_force(entry_id="entry-3"))
    for entry_id in ("entry-1", "entry-3"):
        carried = [
            (m["version"], m["content"])
            for o in await listed(enforcement, entry_id=entry_id)
            for m in o["issued"]["measures"]
            if m["code"] == measure.code
        ]
        assert carried and set(carried) == {(2, "修订后的措施")}
    old = [
        m["version"]
        for o in await listed(enforcement, entry_id="entry-2")
        for m in o["issued"]["measures"]
        if m["code"] == measure.code
    ]
    assert old and set(old) == {1}


async def test_overdue_orders_and_statistics_follow_the_clock(
    enforcement: EnforcementUnderTest, catalog: Catalog
) -> None:
    enforcement.set_time(NOW)
    await take(enforcement, entry_in_force())
    orders = await listed(enforcement)
    finance = enforcement.as_department("finance")
    finance_order = order_of(orders, "finance")
    await enforcement.client.post(
        f"/v1/sanction-orders/{finance_order['order_id']}/receipt", headers=finance
    )
    market_order = order_of(orders, "market")
    codes = [m["code"] for m in market_order["issued"]["measures"]]
    await enforcement.client.post(
        f"/v1/sanction-orders/{market_order['order_id']}/feedback",
        json=feedback(*codes),
        headers=enforcement.as_department("market"),
    )
    assert await listed(enforcement, overdue="true") == []

    enforcement.set_time(datetime(2026, 11, 26, 15, 59, tzinfo=UTC))  # 23:59 on the due day
    assert await listed(enforcement, overdue="true") == []
    enforcement.set_time(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # the next day in Beijing
    overdue = await listed(enforcement, overdue="true")
    assert len(overdue) == len(orders) - 2
    assert all(o["receipt_overdue"] and o["state"] == "issued" for o in overdue)
    mine = await listed(enforcement, finance, overdue="true")
    assert [o["issued"]["target"]["role"] for o in mine] == ["legal_representative"]
    not_overdue = await listed(enforcement, overdue="false")
    assert {o["order_id"] for o in not_overdue} == {
        finance_order["order_id"],
        market_order["order_id"],
    }

    stats = await enforcement.client.get("/v1/statistics", headers=enforcement.as_office())
    rows = {r["department"]: r for r in stats.json()["rows"]}
    assert stats.json()["as_of"] == "2026-11-27"
    assert {r["list_type"] for r in rows.values()} == {TAX_LIST}
    assert sum(r["issued"] for r in rows.values()) == len(orders)
    finance_row = rows["finance"]
    assert (finance_row["issued"], finance_row["received"], finance_row["fed_back"]) == (2, 1, 0)
    assert (finance_row["overdue"], finance_row["feedback_rate"]) == (1, 0.0)
    market_row = rows["market"]
    assert market_row["fed_back"] == 1
    assert market_row["feedback_rate"] == round(1 / market_row["issued"], 4)
    own = await enforcement.client.get("/v1/statistics", headers=finance)
    assert [r["department"] for r in own.json()["rows"]] == ["finance"]
    other = await enforcement.client.get(
        "/v1/statistics", params={"department": "market"}, headers=finance
    )
    assert other.status_code == 403

    enforcement.set_time(datetime(2026, 12, 22, 2, 0, tzinfo=UTC))
    late = order_of(await listed(enforcement, finance, overdue="true"), "finance")
    assert late["feedback_overdue"] is True and late["receipt_overdue"] is False


async def test_entries_expire_when_their_period_ends(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    short = entry_in_force(period={"start": "2026-11-20", "end": "2026-11-30"})
    other = entry_in_force(
        entry_id="entry-2",
        subject={"code": "91110000802100433B", "subject_type": "legal_person", "name": "另一家"},
    )
    await take(enforcement, short, other)
    told: list[frozenset[str]] = []
    enforcement.app.state.entry_changes.subscribe(lambda ids, _catalog: told.append(ids))

    enforcement.set_time(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # 23:00 on the last day
    assert await expire_entries(enforcement.runtime.uow, enforcement.orders) == []
    enforcement.set_time(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert await expire_entries(enforcement.runtime.uow, enforcement.orders) == ["entry-1"]
    assert await expire_entries(enforcement.runtime.uow, enforcement.orders) == []
    assert told == [frozenset({"entry-1"})]
    expired = await listed(enforcement, entry_id="entry-1")
    assert expired and {(o["state"], o["lift_reason"]) for o in expired} == {("lifted", "expired")}
    assert {o["state"] for o in await listed(enforcement, entry_id="entry-2")} == {"issued"}
    lifted = await enforcement.emitted(LIFTED)
    assert len(lifted) == len(expired) and {m["reason"] for _, _, m in lifted} == {"expired"}

    ended = entry_in_force(entry_id="entry-3", period={"start": "2025-01-01", "end": "2026-11-01"})
    await take(enforcement, ended)
    assert await listed(enforcement, entry_id="entry-3") == []
    async with enforcement.runtime.db.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(orm.list_entries.c.entry_id, orm.list_entries.c.status)
                )
            ).all()
        )
    assert statuses == {"entry-1": "expired", "entry-2": "in_force", "entry-3": "expired"}


async def test_a_loaded_schedule_makes_provisional_deadlines_final(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(datetime(2027, 9, 28, 2, 0, tzinfo=UTC))  # 2027: no schedule yet
    entry = entry_in_force(
        period={"start": "2027-09-27", "end": "2029-09-26"},
        recorded_at=datetime(2027, 9, 27, 2, 0, tzinfo=UTC),
    )
    await take(enforcement, entry)
    before = await listed(enforcement)
    assert {(o["receipt_due"], o["deadlines_provisional"]) for o in before} == {
        ("2027-10-04", True)  # after the statutory National Day holidays, Oct 1-3
    }
    holidays = sorted(statutory_holidays(2027) | {date(2027, 10, d) for d in range(4, 8)})
    await enforcement.publish(
        CalendarScheduleLoaded(
            year=2027,
            source="国务院办公厅关于2027年部分节假日安排的通知 (test copy)",
            holidays=holidays,
            adjusted_workdays=[date(2027, 9, 26), date(2027, 10, 9)],
        ),
        source="/jrp/registry",
    )

    async def final() -> list[dict[str, Any]] | None:
        orders = await listed(enforcement)
        return orders if not any(o["deadlines_provisional"] for o in orders) else None

    after = await eventually(final)
    assert {o["receipt_due"] for o in after} == {"2027-10-08"}
    assert {o["sequence"] for o in after} == {2}
    recomputed = [
        s
        for _, _, m in await enforcement.emitted(STATUSES)
        for s in m["statuses"]
        if s["sequence"] == 2
    ]
    assert len(recomputed) == len(after)
    assert {s["receipt_due"] for s in recomputed} == {"2027-10-08"}
