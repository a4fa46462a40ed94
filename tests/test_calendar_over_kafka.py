"""An official schedule loaded by an operator reaches every service over the real broker, and
their provisional deadlines for that year become final (DOMAIN.md §10)."""

from datetime import date
from typing import Any

import pytest

from harness import Mesh
from jrp_shared.calendar import YearSchedule, statutory_holidays
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration


async def test_a_loaded_schedule_makes_every_services_deadlines_final(mesh: Mesh) -> None:
    query: dict[str, str | int] = {"start": "2027-09-30", "working_days": 1}
    headers = mesh.keys.headers("tax", "implementer")
    recomputed: list[int] = []

    async def recompute(_uow: UnitOfWork, schedule: YearSchedule) -> None:
        recomputed.append(schedule.year)

    mesh.followers["appeals"].app.state.calendar_copy.on_schedule_loaded(recompute)
    for service in mesh.followers.values():
        before = await service.client.get("/v1/calendar/deadline", params=query, headers=headers)
        assert before.json()["provisional"] is True
        assert before.json()["due"] == "2027-10-04"  # after the statutory Oct 1–3

    holidays = sorted(statutory_holidays(2027) | {date(2027, 10, d) for d in range(4, 8)})
    loaded = await mesh.registry.client.put(
        "/v1/calendar/schedules/2027",
        json={
            "source": "国务院办公厅关于2027年部分节假日安排的通知 (test copy)",
            "holidays": [str(d) for d in holidays],
            "adjusted_workdays": ["2027-09-26", "2027-10-09"],
        },
        headers=mesh.registry.as_office(),
    )
    assert loaded.status_code == 200, loaded.text

    for service in mesh.followers.values():

        async def final(service: Any = service) -> Any:
            answer = (
                await service.client.get("/v1/calendar/deadline", params=query, headers=headers)
            ).json()
            return answer if answer["provisional"] is False else None

        assert (await eventually(final, within=60))["due"] == "2027-10-08"

    # The answers turn final as soon as the calendar follower has the schedule; appeals'
    # consumer stores it and recomputes its held deadlines in its own time, once.
    async def recomputed_once() -> bool:
        return recomputed == [2027]

    await eventually(recomputed_once, within=30)
