"""A due date reaching a year without an official schedule is provisional, and is computed
again when the registry publishes that year's schedule (DOMAIN.md §10)."""

from __future__ import annotations

from datetime import datetime

import pytest

from jrp_appeals.testing import ENTERPRISE, AppealsUnderTest, entry_in_force
from jrp_shared.calendar import statutory_holidays
from jrp_shared.clock import CHINA
from jrp_shared.events.payloads import CalendarScheduleLoaded
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration


async def test_the_official_schedule_makes_a_provisional_due_date_final(
    appeals: AppealsUnderTest,
) -> None:
    calendar = appeals.appeals.copies.calendar.calendar
    if calendar.source_of(2027) != "provisional":
        pytest.fail("this test needs 2027 to have no schedule yet; pick a later year")
    await appeals.list_entry(entry_in_force(period={"start": "2026-09-01", "end": "2028-08-01"}))
    appeals.set_time(datetime(2026, 12, 20, 10, 0, tzinfo=CHINA))
    filed = await appeals.object_to("entry-1", appeals.as_subject(ENTERPRISE))
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["due_provisional"] is True
    assert objection["decision_due"].startswith("2027-")

    holidays = sorted(statutory_holidays(2027))
    await appeals.publish(
        CalendarScheduleLoaded(
            year=2027, source="国办发明电〔2026〕测试", holidays=holidays, adjusted_workdays=[]
        ),
        source="/jrp/registry",
    )
    path = f"/v1/objections/{objection['objection_id']}"

    async def recomputed() -> dict[str, object] | None:
        r = await appeals.client.get(path, headers=appeals.as_office())
        body: dict[str, object] = r.json()
        return body if body["due_provisional"] is False else None

    final = await eventually(recomputed)
    history = final["history"]
    assert isinstance(history, list)
    assert history[-1]["action"] == "due_recomputed" and history[-1]["actor"] == "appeals"
    # The subject is told the final date (DOMAIN.md §10: the people concerned are told).
    [note] = await appeals.notes(appeals.as_subject(ENTERPRISE))
    assert note["case_id"] == objection["objection_id"]
    assert str(final["decision_due"]) in note["body"]


async def test_only_the_subject_and_the_office_read_notifications(
    appeals: AppealsUnderTest,
) -> None:
    tax = await appeals.client.get("/v1/notifications", headers=appeals.as_department("tax"))
    assert tax.status_code == 403
    other = await appeals.client.get(
        "/v1/notifications?subject_code=91110000802100433B", headers=appeals.as_subject(ENTERPRISE)
    )
    assert other.status_code == 403
    office = await appeals.client.get("/v1/notifications", headers=appeals.as_office())
    assert office.status_code == 200 and office.json() == []
