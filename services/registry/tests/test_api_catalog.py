"""The catalog, departments, credentials and calendar through the HTTP API (real PostgreSQL)."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from jrp_registry.adapters import orm
from jrp_registry.app import registry_of
from jrp_registry.testing import RegistryUnderTest
from jrp_shared.calendar import statutory_holidays

pytestmark = pytest.mark.integration


async def test_the_catalog_endpoints_return_the_seeded_catalog(registry: RegistryUnderTest) -> None:
    report = await registry.seed_catalog()
    assert len(report.list_types) >= 12
    headers = registry.as_department()
    list_types = (await registry.client.get("/v1/catalog/list-types", headers=headers)).json()
    measures = (await registry.client.get("/v1/catalog/measures", headers=headers)).json()
    departments = (await registry.client.get("/v1/departments", headers=headers)).json()
    assert len(list_types) >= 12
    assert {t["colour"] for t in list_types} == {"red", "black", "watch"}
    assert len({t["domain"] for t in list_types}) >= 8
    assert len(measures) >= 60
    assert all(m["legal_basis"] for m in measures)
    assert len(departments) >= 15
    assert all(t["lawful_area"] for t in list_types if t["colour"] == "black")
    # The upper-level platform is the exchange partner (DOMAIN.md §11; docs/exchange.md).
    partners = [d for d in departments if d["exchanges"]]
    assert [(d["code"], d["region"], d["roles"]) for d in partners] == [
        ("fj-platform", "350000", ["exchange"])
    ]

    tax = (
        await registry.client.get(
            "/v1/catalog/list-types/black.tax.major-violation", headers=headers
        )
    ).json()
    assert tax["version"] == 1
    assert tax["measures"], "a list type lists the measures that apply it"
    assert {m["implementing_department"] for m in tax["measures"]} >= {"tax"}
    assert all("black.tax.major-violation" in m["list_types"] for m in tax["measures"])

    red = await registry.client.get(
        "/v1/catalog/list-types", params={"colour": "red"}, headers=headers
    )
    assert red.json() and all(t["colour"] == "red" for t in red.json())
    by_department = await registry.client.get(
        "/v1/catalog/measures", params={"department": "tax"}, headers=headers
    )
    assert by_department.json()
    assert all(m["implementing_department"] == "tax" for m in by_department.json())

    assert (await registry.seed_catalog()).list_types == []  # loading again changes nothing


async def _tax_list_type(registry: RegistryUnderTest) -> dict[str, Any]:
    body: dict[str, Any] = (
        await registry.client.get(
            "/v1/catalog/list-types/black.tax.major-violation", headers=registry.as_office()
        )
    ).json()
    for derived in ("measures", "versions", "version", "effective_from"):
        body.pop(derived)
    return body


async def test_a_catalog_change_is_a_new_version_with_its_effective_date(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    body = await _tax_list_type(registry)
    starts = date.today() + timedelta(days=30)
    body.update(max_period_months=48, default_period_months=48, effective_from=str(starts))

    refused = await registry.client.put(
        "/v1/catalog/list-types/black.tax.major-violation",
        json=body,
        headers=registry.as_department("tax"),
    )
    assert refused.status_code == 403  # only the joint conference office maintains it

    changed = await registry.client.put(
        "/v1/catalog/list-types/black.tax.major-violation", json=body, headers=registry.as_office()
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2

    path = "/v1/catalog/list-types/black.tax.major-violation"
    today = (await registry.client.get(path, headers=registry.as_office())).json()
    later = (
        await registry.client.get(path, params={"on": str(starts)}, headers=registry.as_office())
    ).json()
    assert (today["version"], today["max_period_months"]) == (1, 36)
    assert (later["version"], later["max_period_months"]) == (2, 48)
    assert [v["version"] for v in later["versions"]] == [1, 2]
    async with registry_of(registry.app).runtime.db.sessions() as session:
        published = await session.scalar(
            select(func.count())
            .select_from(orm.messaging.outbox)
            .where(orm.messaging.outbox.c.event_type == "cn.jrp.catalog.list-type.published.v1")
            .where(orm.messaging.outbox.c.key == "black.tax.major-violation")
        )
    assert published == 2


async def test_a_black_list_type_naming_no_lawful_area_is_refused(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    body = await _tax_list_type(registry)
    body.update(lawful_area=None, effective_from=str(date.today()))
    refused = await registry.client.put(
        "/v1/catalog/list-types/black.tax.major-violation", json=body, headers=registry.as_office()
    )
    assert refused.status_code == 422
    assert "lawful area" in refused.text
    unknown_department = await registry.client.put(
        "/v1/catalog/list-types/black.tax.major-violation",
        json={
            **body,
            "lawful_area": "fair-market-and-social-order",
            "initiating_departments": ["nobody"],
        },
        headers=registry.as_office(),
    )
    assert unknown_department.status_code == 422
    assert "not a department that initiates" in unknown_department.text
    current = (
        await registry.client.get(
            "/v1/catalog/list-types/black.tax.major-violation", headers=registry.as_office()
        )
    ).json()
    assert current["version"] == 1  # nothing half-written


async def test_unknown_codes_are_404(registry: RegistryUnderTest) -> None:
    headers = registry.as_department()
    for path in (
        "/v1/catalog/list-types/black.none.such",
        "/v1/catalog/measures/none.such",
        "/v1/departments/nobody",
    ):
        response = await registry.client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


async def test_departments_exchange_client_credentials_for_a_short_lived_token(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    issued = await registry.client.post(
        "/v1/departments/tax/credentials", headers=registry.as_office()
    )
    assert issued.status_code == 201
    secret = issued.json()["client_secret"]
    token = await registry.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "tax", "client_secret": secret},
    )
    assert token.status_code == 200, token.text
    assert 0 < token.json()["expires_in"] <= 3600
    me = await registry.client.get(
        "/v1/departments/tax",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert me.status_code == 200
    assert set(me.json()["roles"]) == {"initiator", "implementer"}
    wrong = await registry.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "tax", "client_secret": "guess"},
    )
    assert wrong.status_code == 401


async def test_an_official_schedule_makes_provisional_deadlines_final(
    registry: RegistryUnderTest,
) -> None:
    """DOMAIN.md §10: a 2027 deadline is provisional until the year's schedule is loaded."""
    headers = registry.as_office()
    params: dict[str, str | int] = {"start": "2027-09-30", "working_days": 1}
    before = (
        await registry.client.get("/v1/calendar/deadline", params=params, headers=headers)
    ).json()
    assert before["provisional"] is True
    assert before["due"] == "2027-10-04"  # Oct 1–3 are statutory holidays

    holidays = sorted(statutory_holidays(2027) | {date(2027, 10, d) for d in range(4, 8)})
    loaded = await registry.client.put(
        "/v1/calendar/schedules/2027",
        json={
            "source": "test schedule",
            "holidays": [str(d) for d in holidays],
            "adjusted_workdays": ["2027-10-09"],
        },
        headers=headers,
    )
    assert loaded.status_code == 200, loaded.text
    after = (
        await registry.client.get("/v1/calendar/deadline", params=params, headers=headers)
    ).json()
    assert after["provisional"] is False
    assert after["due"] == "2027-10-08"
    bad = await registry.client.put(
        "/v1/calendar/schedules/2028",
        json={"source": "s", "holidays": ["2027-01-01"], "adjusted_workdays": []},
        headers=headers,
    )
    assert bad.status_code == 422


async def test_operations_endpoints_and_correlation_ids(registry: RegistryUnderTest) -> None:
    assert (await registry.client.get("/healthz")).json()["status"] == "alive"
    ready = await registry.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "bus": True, "consumers": True}
    traced = await registry.client.get(
        "/v1/departments", headers={**registry.as_department(), "X-Correlation-ID": "trace-42"}
    )
    assert traced.headers["x-correlation-id"] == "trace-42"
    metrics = (await registry.client.get("/metrics")).text
    assert 'jrp_http_requests_total{method="GET",route="/v1/departments",status="200"}' in metrics
    openapi = (await registry.client.get("/openapi.json")).json()
    assert "/v1/subjects" in openapi["paths"]


async def test_a_deadline_no_calendar_covers_is_refused_not_a_crash(
    registry: RegistryUnderTest,
) -> None:
    response = await registry.client.get(
        "/v1/calendar/deadline",
        params={"start": "2000-01-01", "working_days": 5},
        headers=registry.as_department(),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["reason"] == "calendar_not_covered"


async def test_an_unexpected_failure_is_a_json_500_with_the_correlation_id(
    registry: RegistryUnderTest,
) -> None:
    async def broken() -> None:
        raise RuntimeError("a bug")

    registry.app.add_api_route("/v1/broken", broken)
    response = await registry.client.get("/v1/broken", headers={"X-Correlation-ID": "trace-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "code": "internal_error",
        "detail": "the service failed; quote the correlation id to its operators",
        "correlation_id": "trace-500",
    }
    assert response.headers["x-correlation-id"] == "trace-500"
    assert "a bug" not in response.text
