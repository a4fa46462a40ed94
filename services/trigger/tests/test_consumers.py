"""The trigger's consumers on the embedded bus: department systems' submissions (the same
rules as HTTP; refusals dead-lettered with the reason) and enforcement's order states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    ListEntrySubmission,
    MeasureStatus,
    OrderStatuses,
    SanctionOrderStatus,
)
from jrp_shared.messaging.inbound import inbound_message
from jrp_shared.testing import eventually
from jrp_trigger.adapters import orm
from jrp_trigger.testing import ENTERPRISE, TriggerUnderTest, list_type, tax_entry

pytestmark = pytest.mark.integration


def submission(trigger: TriggerUnderTest, **changes: Any) -> ListEntrySubmission:
    return ListEntrySubmission.model_validate(tax_entry(trigger.trigger.today(), **changes))


async def test_a_department_system_posts_entries_on_the_topic(trigger: TriggerUnderTest) -> None:
    await trigger.seed(list_type())
    token = trigger.keys.token("tax", "initiator")
    good = submission(trigger, record_id="k-1")
    await trigger.send(
        inbound_message(good, "tax", token),
        inbound_message(good, "tax", token),  # a department system sending twice
        inbound_message(submission(trigger, record_id="k-2", list_type="black.nope"), "tax", token),
        inbound_message(submission(trigger, record_id="k-1", grounds="另一事由"), "tax", token),
        inbound_message(submission(trigger, record_id="k-3"), "tax", trigger.keys.token("tax")),
    )

    async def three_letters() -> list[dict[str, Any]] | None:
        letters = await trigger.dead_letters()
        return letters if len(letters) >= 3 else None

    letters = await eventually(three_letters)
    assert {x["source_topic"] for x in letters} == {topics.LIST_ENTRY_SUBMISSIONS}
    reasons = [x["reason"] for x in letters]
    assert any("black.nope" in r and r.startswith("refused") for r in reasons)
    assert any("record_id_conflict" in r or "/corrections" in r for r in reasons)
    assert any(r.startswith("unauthenticated") and "initiator" in r for r in reasons)
    listed = await trigger.client.get("/v1/list-entries", headers=trigger.as_department())
    assert [e["record_id"] for e in listed.json()] == ["k-1"]
    assert await trigger.count("list_entries") == 1
    assert len(await trigger.outbox("cn.jrp.trigger.list-entry.in-force.v1")) == 1


def order_status(entry_id: str, sequence: int, **changes: Any) -> SanctionOrderStatus:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "order_id": "order-finance-1",
        "sequence": sequence,
        "revision": 1,
        "entry_id": entry_id,
        "entry_version": 1,
        "department": "finance",
        "listed_subject_code": ENTERPRISE,
        "target_role": "subject",
        "state": "issued",
        "issued_at": now - timedelta(days=30),
        "receipt_due": (now - timedelta(days=25)).date(),
        "feedback_due": (now + timedelta(days=5)).date(),
        "received_at": None,
        "measures": [
            MeasureStatus(code="finance.no-subsidy", mandatory=True, outcome=None),
        ],
    }
    fields.update(changes)
    return SanctionOrderStatus.model_validate(fields)


async def test_the_initiator_sees_each_departments_latest_order_state(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(trigger.trigger.today()), headers=trigger.as_department()
    )
    entry_id = posted.json()["entry_id"]
    received = datetime.now(UTC) - timedelta(days=1)
    fed_back = order_status(
        entry_id,
        3,
        state="fed_back",
        received_at=received,
        measures=[
            MeasureStatus(
                code="finance.no-subsidy",
                mandatory=True,
                outcome="applied",
                business_reference="FIN-1",
                executed_at=received,
            )
        ],
    )
    source = "/jrp/enforcement"
    await trigger.publish(order_status(entry_id, 1), source)
    await trigger.publish(fed_back, source)
    await trigger.publish(order_status(entry_id, 2, state="received", received_at=received), source)
    await trigger.publish(
        order_status(entry_id, 1, order_id="order-court-1", department="court"), source
    )

    async def both() -> dict[str, Any] | None:
        r = await trigger.client.get(
            f"/v1/list-entries/{entry_id}", headers=trigger.as_department()
        )
        body: dict[str, Any] = r.json()
        return (
            body
            if len(body["departments"]) == 2
            and body["departments"][1]["orders"][0]["state"] == "fed_back"
            else None
        )

    seen = await eventually(both)
    court, finance = seen["departments"]
    assert court["department"] == "court"
    [late] = court["orders"]
    assert late["state"] == "issued" and late["receipt_overdue"] is True
    assert late["feedback_overdue"] is False
    [done] = finance["orders"]
    assert done["state"] == "fed_back" and done["received_at"] is not None
    assert done["receipt_overdue"] is False and done["feedback_overdue"] is False
    assert done["measures"][0]["outcome"] == "applied"
    assert done["measures"][0]["business_reference"] == "FIN-1"
    assert await trigger.count("order_statuses") == 2


async def test_one_event_per_entry_carries_every_order_and_the_newest_state_wins(
    trigger: TriggerUnderTest,
) -> None:
    await trigger.seed(list_type())
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(trigger.trigger.today()), headers=trigger.as_department()
    )
    entry_id = posted.json()["entry_id"]
    received = datetime.now(UTC) - timedelta(days=1)
    source = "/jrp/enforcement"

    def statuses(*items: SanctionOrderStatus) -> OrderStatuses:
        return OrderStatuses(entry_id=entry_id, listed_subject_code=ENTERPRISE, statuses=[*items])

    # Issued: both orders in one event; then finance's receipt (sequence 2) and, late and
    # out of order, an older state of finance's order in a second aggregated event.
    await trigger.publish(
        statuses(
            order_status(entry_id, 1),
            order_status(entry_id, 1, order_id="order-court-1", department="court"),
        ),
        source,
    )
    await trigger.publish(
        statuses(order_status(entry_id, 2, state="received", received_at=received)), source
    )
    await trigger.publish(statuses(order_status(entry_id, 1)), source)

    async def received_by_finance() -> dict[str, Any] | None:
        r = await trigger.client.get(
            f"/v1/list-entries/{entry_id}", headers=trigger.as_department()
        )
        body: dict[str, Any] = r.json()
        states = {d["department"]: d["orders"][0]["state"] for d in body["departments"]}
        return body if states == {"court": "issued", "finance": "received"} else None

    await eventually(received_by_finance)
    inbox = orm.messaging.inbox

    async def all_taken() -> bool:
        async with trigger.trigger.runtime.db.sessions() as session:
            taken = await session.scalar(
                select(func.count())
                .select_from(inbox)
                .where(inbox.c.event_type == OrderStatuses.event_type)
            )
        return taken == 3

    await eventually(all_taken)  # the stale one too, which changed nothing
    assert await trigger.count("order_statuses") == 2
    r = await trigger.client.get(f"/v1/list-entries/{entry_id}", headers=trigger.as_department())
    finance = [d for d in r.json()["departments"] if d["department"] == "finance"]
    assert finance[0]["orders"][0]["state"] == "received"
