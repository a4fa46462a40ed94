"""Reminders over the real broker (DOMAIN.md §5 step 5, 000 (二十七); docs/loop.md): an order
nobody acknowledges past its receipt due day brings the department a `DepartmentReminded` on
its own sanction topic, and the list type's working days later a second one, the escalation —
enforcement's sweep emits `ReminderIssued` on supervision.v1, its supervision consumer forwards
each to the department's topic. The clock of enforcement is moved; the sweep runs by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from test_loop_over_kafka import catalog_ready, tax_entry

from harness import Mesh, running_mesh
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.events import topics
from jrp_shared.testing import Delivered, Keys, PostgresDatabases, TopicReader, eventually

pytestmark = pytest.mark.integration

REMINDED = "cn.jrp.enforcement.department.reminded.v1"
ENTERPRISE = "91350100M000100Y43"


@pytest.fixture
async def fast_sweeping_mesh(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[Mesh]:
    """The mesh with enforcement sweeping for late orders twice a second."""

    def settings(name: str) -> dict[str, Any]:
        return {"reminder_sweep_interval_seconds": 0.5} if name == "enforcement" else {}

    async with running_mesh(
        postgres, keys, kafka_bootstrap, namespace, service_settings=settings
    ) as mesh:
        yield mesh


def beijing(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


async def test_an_unacknowledged_order_is_reminded_then_escalated_on_its_topic(
    fast_sweeping_mesh: Mesh,
) -> None:
    mesh = fast_sweeping_mesh
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]

    finance = mesh.keys.headers("finance", "implementer")

    async def finance_order() -> dict[str, Any] | None:
        r = await enforcement.client.get(
            "/v1/sanction-orders", params={"entry_id": entry_id}, headers=finance
        )
        found = [o for o in r.json() if o["issued"]["target"]["role"] == "subject"]
        return found[0] if r.status_code == 200 and found else None

    order = await eventually(finance_order, within=60)
    due = date.fromisoformat(order["receipt_due"])
    calendar = WorkingDayCalendar()
    reminded_on = calendar.add_working_days(due, 1).due
    escalation_due = calendar.add_working_days(due, 5).due  # the tax list's default

    orders: OrdersContext = enforcement.app.state.orders
    topic = mesh.topic(topics.sanctions("finance"))
    async with TopicReader(mesh.kafka_bootstrap) as reader:

        async def reminders_of_order(count: int) -> list[Delivered] | None:
            found = [
                m
                for m in await reader.read(topic)
                if m.headers.get("ce_type") == REMINDED and m.body["item_id"] == order["order_id"]
            ]
            return found if len(found) >= count else None

        orders.clock = lambda: beijing(reminded_on)
        [reminder] = await eventually(lambda: reminders_of_order(1), within=60)
        assert reminder.key == ENTERPRISE
        body = reminder.body
        assert (body["level"], body["kind"], body["department"]) == (
            "reminder",
            "receipt",
            "finance",
        )
        assert (body["due"], body["escalation_due"]) == (str(due), str(escalation_due))
        assert body["overdue_working_days"] == 1 and body["entry_id"] == entry_id

        # Still not received once the escalation day has passed: one escalation, then no more.
        orders.clock = lambda: beijing(calendar.add_working_days(escalation_due, 1).due)
        found = await eventually(lambda: reminders_of_order(2), within=60)
        assert [m.body["level"] for m in found] == ["reminder", "escalation"]
        assert found[1].body["escalation_due"] is None
        supervision = [
            m
            for m in await reader.read(mesh.topic(topics.SUPERVISION))
            if m.body.get("item_id") == order["order_id"]
        ]
        assert [m.body["level"] for m in supervision] == ["reminder", "escalation"]
    r = await enforcement.client.get(
        "/v1/sanction-orders", params={"entry_id": entry_id}, headers=finance
    )
    assert all(o["receipt_overdue"] for o in r.json())
