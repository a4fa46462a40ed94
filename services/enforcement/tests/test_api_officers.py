"""The officer who acknowledged an order's receipt and the one whose feedback completed it are
recorded besides the department (issue 16; docs/security.md, "Officers"; DOMAIN.md §5 steps
3-5: 谁主管、谁负责), in the read model, the order's history and the status sent to trigger."""

from datetime import UTC, datetime
from typing import Any

import pytest

from jrp_enforcement.service_layer.entries import take_entry_in_force
from jrp_enforcement.testing import EnforcementUnderTest, entry_in_force

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
STATUSES = "cn.jrp.enforcement.sanction-order.statuses.v1"
RECEIVER = "officer-0a1b2c3d4e5f"
REPORTER = "officer-ffeeddccbbaa"


async def _orders(enforcement: EnforcementUnderTest) -> list[dict[str, Any]]:
    enforcement.set_time(NOW)
    async with enforcement.runtime.uow() as uow:
        await take_entry_in_force(uow, enforcement.orders, entry_in_force())
        await uow.commit()
    r = await enforcement.client.get("/v1/sanction-orders", headers=enforcement.as_office())
    assert r.status_code == 200, r.text
    return [o for o in r.json() if o["department"] == "finance"]


def _feedback(*codes: str) -> dict[str, Any]:
    return {
        "measures": [
            {"measure": c, "outcome": "applied", "executed_at": NOW.isoformat()} for c in codes
        ]
    }


async def test_the_officers_who_received_and_fed_back_are_recorded(
    enforcement: EnforcementUnderTest,
) -> None:
    order, other = (await _orders(enforcement))[:2]
    url = f"/v1/sanction-orders/{order['order_id']}"
    receiver = enforcement.keys.officer_headers("finance", RECEIVER, "implementer")
    reporter = enforcement.keys.officer_headers("finance", REPORTER, "implementer")
    codes = [m["code"] for m in order["issued"]["measures"]]

    received = await enforcement.client.post(f"{url}/receipt", json={}, headers=receiver)
    assert received.status_code == 200, received.text
    assert received.json()["received_by_officer"] == RECEIVER
    assert received.json()["fed_back_by_officer"] is None
    done = await enforcement.client.post(
        f"{url}/feedback", json=_feedback(*codes), headers=reporter
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "fed_back"
    assert (done.json()["received_by_officer"], done.json()["fed_back_by_officer"]) == (
        RECEIVER,
        REPORTER,
    )

    detail = (await enforcement.client.get(url, headers=enforcement.as_office())).json()
    assert detail["received_by_officer"] == RECEIVER
    assert detail["fed_back_by_officer"] == REPORTER
    assert [(h["change"], h["by"], h["detail"].get("officer")) for h in detail["history"]] == [
        ("issued", "enforcement", None),
        ("received", "finance", RECEIVER),
        ("fed_back", "finance", REPORTER),
    ]
    statuses = [
        s
        for _, _, m in await enforcement.emitted(STATUSES)
        for s in m["statuses"]
        if s["order_id"] == order["order_id"]
    ]
    assert statuses[-1]["received_by_officer"] == RECEIVER
    assert statuses[-1]["fed_back_by_officer"] == REPORTER

    # Feedback without a receipt implies it, by the same officer; the system's own token
    # records no officer.
    implied = await enforcement.client.post(
        f"/v1/sanction-orders/{other['order_id']}/feedback",
        json=_feedback(other["issued"]["measures"][0]["code"]),
        headers=reporter,
    )
    assert implied.status_code == 200, implied.text
    assert implied.json()["received_by_officer"] == REPORTER
    system = enforcement.as_department("finance")
    rest = [m["code"] for m in other["issued"]["measures"]]
    completed = await enforcement.client.post(
        f"/v1/sanction-orders/{other['order_id']}/feedback", json=_feedback(*rest), headers=system
    )
    assert completed.json()["state"] == "fed_back"
    assert completed.json()["fed_back_by_officer"] is None
    assert completed.json()["received_by_officer"] == REPORTER
