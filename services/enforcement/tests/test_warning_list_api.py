"""The big-data warning list through the bus and HTTP on a real PostgreSQL database
(DOMAIN.md §11; docs/warning-list.md): watch entries in three key areas put a subject on it, the
must-check shows it; a revocation, a suspension or the end of a period takes it off again, and
the stays are kept."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from jrp_enforcement.service_layer.entries import expire_entries
from jrp_enforcement.testing import ENTERPRISE, EnforcementUnderTest, entry_in_force
from jrp_shared.auth import ROLE_INITIATOR
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListEntryRevoked,
    ListEntrySuspended,
    Period,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import CaseKind, DisclosureClass, ListColour

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
OTHER = "91110000802100433B"
AREAS = {"tax": "tax", "market": "market", "environment": "environment"}


def watch_entry(area: str, department: str | None = None, **changes: Any) -> ListEntryInForce:
    """A watch entry of the enterprise in `area` (seed catalog: watch.<area>.key-supervision)."""
    fields: dict[str, Any] = {
        "entry_id": f"watch-{area}",
        "record_id": f"watch-{area}-1",
        "initiating_department": department or area,
        "list_type": f"watch.{area}.key-supervision",
        "colour": ListColour.WATCH,
        "linked_persons": [],
        "disclosure_class": DisclosureClass.GOVERNMENT_SHARING,
        "period": Period(start=date(2026, 11, 20), end=date(2027, 11, 19)),
        **changes,
    }
    return entry_in_force(**fields)


async def check(service: EnforcementUnderTest, code: str = ENTERPRISE) -> dict[str, Any]:
    r = await service.client.get(f"/v1/checks/{code}", headers=service.as_department("market"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def until_warning(service: EnforcementUnderTest, on: bool) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        body = await check(service)
        return body if (body["warning"] is not None) is on else None

    return await eventually(probe)


async def three_areas(service: EnforcementUnderTest) -> dict[str, Any]:
    service.set_time(NOW)
    await service.publish(*(watch_entry(a) for a in AREAS))
    return await until_warning(service, on=True)


async def test_three_key_areas_put_the_subject_on_the_list_and_a_revocation_takes_it_off(
    enforcement: EnforcementUnderTest,
) -> None:
    body = await three_areas(enforcement)

    assert body["warning"]["key_areas"] == ["environment", "market", "tax"]
    assert body["listed"] is False and body["rewarded"] is False  # a watch list is neither
    assert {e["colour"] for e in body["entries"]} == {"watch"}
    assert [m["code"] for m in body["recommended_measures"]] == ["market.watch-more-inspections"]
    batch = await enforcement.client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "XK-1", "codes": [ENTERPRISE, OTHER]},
        headers=enforcement.as_department("market"),
    )
    assert batch.status_code == 200, batch.text
    warned, clear = batch.json()["answers"]
    assert warned["warning"] == body["warning"] and clear["warning"] is None
    as_of = await enforcement.client.get(
        f"/v1/checks/{ENTERPRISE}",
        params={"as_of": NOW.isoformat()},
        headers=enforcement.as_department("market"),
    )
    assert as_of.json()["warning"]["key_areas"] == ["environment", "market", "tax"]
    office = enforcement.as_office()
    listing = (await enforcement.client.get("/v1/warning-list", headers=office)).json()
    assert listing["threshold"] == 3 and listing["total"] == 1
    [subject] = listing["subjects"]
    assert subject["subject_code"] == ENTERPRISE
    assert sorted(subject["entry_ids"]) == ["watch-environment", "watch-market", "watch-tax"]

    await enforcement.publish(
        ListEntryRevoked(
            entry_id="watch-market",
            version=1,
            subject_code=ENTERPRISE,
            reason="事实认定错误",
            revoked_by="market",
            revoked_at=NOW,
        )
    )

    assert (await until_warning(enforcement, on=False))["warning"] is None
    r = await enforcement.client.get(f"/v1/warning-list/{ENTERPRISE}", headers=office)
    assert r.status_code == 200, r.text
    history = r.json()
    assert history["on_list"] is False and history["current"] is None
    [stay] = history["history"]
    assert stay["until"] is not None
    assert stay["key_areas"] == ["environment", "market", "tax"]
    listing = (await enforcement.client.get("/v1/warning-list", headers=office)).json()
    assert listing["total"] == 0


async def test_a_suspended_entry_does_not_count_while_its_objection_is_verified(
    enforcement: EnforcementUnderTest,
) -> None:
    await three_areas(enforcement)

    await enforcement.publish(
        ListEntrySuspended(
            entry_id="watch-tax",
            version=1,
            subject_code=ENTERPRISE,
            case_kind=CaseKind.OBJECTION,
            case_id="objection-1",
            suspended_at=NOW,
        )
    )

    await until_warning(enforcement, on=False)


async def test_the_end_of_a_period_takes_the_subject_off(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    ten_days = Period(start=date(2026, 11, 20), end=date(2026, 11, 30))
    short = watch_entry("environment", period=ten_days)
    await enforcement.publish(watch_entry("tax"), watch_entry("market"), short)
    await until_warning(enforcement, on=True)

    enforcement.set_time(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    expired = await expire_entries(enforcement.runtime.uow, enforcement.orders)

    assert expired == ["watch-environment"]
    await until_warning(enforcement, on=False)


async def test_black_and_red_entries_and_one_area_twice_do_not_count(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    await enforcement.publish(
        entry_in_force(),  # a black list (tax), not a watch list
        watch_entry("tax"),
        watch_entry("tax", entry_id="watch-tax-2", record_id="watch-tax-2"),
        watch_entry("market"),
    )

    async def all_in() -> dict[str, Any] | None:
        body = await check(enforcement)
        return body if len(body["entries"]) == 4 else None

    body = await eventually(all_in)
    assert body["listed"] is True and body["warning"] is None


async def test_only_the_office_and_implementers_read_the_list(
    enforcement: EnforcementUnderTest,
) -> None:
    initiator = enforcement.as_department("tax", ROLE_INITIATOR)

    r = await enforcement.client.get("/v1/warning-list", headers=initiator)

    assert r.status_code == 403
    r = await enforcement.client.get(
        f"/v1/warning-list/{ENTERPRISE}", headers=enforcement.as_office()
    )
    assert r.status_code == 404
    r = await enforcement.client.get("/v1/warning-list?limit=501", headers=enforcement.as_office())
    assert r.status_code == 422
