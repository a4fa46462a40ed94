"""A department manages its own officers (谁主管、谁负责, DOMAIN.md §5; docs/security.md,
"Officers"), on a real PostgreSQL: its own system credential (a department token naming no
officer) creates, lists, changes the roles of, deactivates and resets the passwords of its own
officers only, never with roles beyond its own powers; an officer's token manages none (except
the office's administrators); the office keeps managing every department's."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.testing import Keys, PostgresDatabases

pytestmark = pytest.mark.integration


@pytest.fixture
async def registry(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    settings = await registry_settings(
        postgres, keys, tmp_path, token_requests_per_client="60/minute"
    )
    async with running_registry(settings, keys) as registry:
        await registry.seed_catalog()
        yield registry


def _body(username: str, department: str, *roles: str) -> dict[str, Any]:
    return {
        "username": username,
        "display_name": "李娜",
        "department": department,
        "roles": list(roles),
    }


async def _created(
    registry: RegistryUnderTest, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await registry.client.post("/v1/officers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _bearer(registry: RegistryUnderTest, username: str, password: str) -> dict[str, str]:
    response = await registry.client.post(
        "/v1/oauth/officer-token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_department_manages_its_own_officers(registry: RegistryUnderTest) -> None:
    tax = registry.as_department("tax")
    created = await _created(registry, tax, _body("li.na", "tax", "initiator", "reviewer"))
    assert created["department"] == "tax" and created["roles"] == ["initiator", "reviewer"]
    officer_id = created["id"]
    # The officer signs in with the password shown once.
    await _bearer(registry, "li.na", created["initial_password"])

    listed = await registry.client.get("/v1/officers", headers=tax)
    assert [o["id"] for o in listed.json()] == [officer_id]
    one = await registry.client.get(f"/v1/officers/{officer_id}", headers=tax)
    assert one.status_code == 200 and one.json()["username"] == "li.na"

    roles = await registry.client.put(
        f"/v1/officers/{officer_id}/roles", json={"roles": ["initiator"]}, headers=tax
    )
    assert roles.status_code == 200, roles.text
    assert roles.json()["roles"] == ["initiator"]
    reset = await registry.client.post(f"/v1/officers/{officer_id}/password-reset", headers=tax)
    assert reset.status_code == 200, reset.text
    await _bearer(registry, "li.na", reset.json()["initial_password"])
    gone = await registry.client.post(f"/v1/officers/{officer_id}/deactivation", headers=tax)
    assert gone.status_code == 200 and gone.json()["active"] is False
    refused = await registry.client.post(
        "/v1/oauth/officer-token",
        data={"username": "li.na", "password": reset.json()["initial_password"]},
    )
    assert refused.status_code == 401


async def test_a_department_never_manages_another_departments_officers(
    registry: RegistryUnderTest,
) -> None:
    finance = registry.as_department("finance")
    tax = registry.as_department("tax")
    for_tax = await registry.client.post(
        "/v1/officers", json=_body("wang.fang", "tax", "initiator"), headers=finance
    )
    assert for_tax.status_code == 403
    assert "finance manages its own officers only" in for_tax.text

    theirs = await _created(registry, registry.as_office(), _body("wang.fang", "tax", "initiator"))
    officer_id = theirs["id"]
    url = f"/v1/officers/{officer_id}"
    assert (await registry.client.get(url, headers=finance)).status_code == 403
    assert (
        await registry.client.put(f"{url}/roles", json={"roles": []}, headers=finance)
    ).status_code == 403
    assert (await registry.client.post(f"{url}/deactivation", headers=finance)).status_code == 403
    assert (await registry.client.post(f"{url}/password-reset", headers=finance)).status_code == 403
    other = await registry.client.get("/v1/officers", params={"department": "tax"}, headers=finance)
    assert other.status_code == 403
    assert (await registry.client.get("/v1/officers", headers=finance)).json() == []
    # Nothing changed: tax's officer is as the office made it.
    still = (await registry.client.get(url, headers=tax)).json()
    assert still["active"] is True and still["roles"] == ["initiator"]
    assert still["credential_version"] == theirs["credential_version"]


async def test_a_department_gives_no_roles_beyond_its_own_powers(
    registry: RegistryUnderTest,
) -> None:
    tax = registry.as_department("tax")
    admin = await registry.client.post(
        "/v1/officers", json=_body("zhao.lei", "tax", "initiator", "administrator"), headers=tax
    )
    assert admin.status_code == 403
    assert "beyond its own powers" in admin.text
    # A department credential holding only the initiator role gives no implementer officers.
    narrow = registry.keys.headers("tax", "initiator")
    implementer = await registry.client.post(
        "/v1/officers", json=_body("zhao.lei", "tax", "implementer"), headers=narrow
    )
    assert implementer.status_code == 403
    created = await _created(registry, tax, _body("zhao.lei", "tax", "initiator"))
    raised = await registry.client.put(
        f"/v1/officers/{created['id']}/roles",
        json={"roles": ["initiator", "administrator"]},
        headers=tax,
    )
    assert raised.status_code == 403
    listed = (await registry.client.get("/v1/officers", headers=registry.as_office())).json()
    assert [(o["username"], o["roles"]) for o in listed] == [("zhao.lei", ["initiator"])]


async def test_an_officer_manages_no_officers_but_the_offices_administrators_do(
    registry: RegistryUnderTest,
) -> None:
    created = await _created(
        registry, registry.as_department("tax"), _body("sun.li", "tax", "initiator", "implementer")
    )
    officer = await _bearer(registry, "sun.li", created["initial_password"])
    for_own = await registry.client.post(
        "/v1/officers", json=_body("qian.yu", "tax", "initiator"), headers=officer
    )
    assert for_own.status_code == 403
    assert "officer's token may not manage officers" in for_own.text
    assert (await registry.client.get("/v1/officers", headers=officer)).status_code == 403
    assert (
        await registry.client.post(f"/v1/officers/{created['id']}/deactivation", headers=officer)
    ).status_code == 403

    office_admin = await _created(
        registry,
        registry.as_office(),
        _body("office.admin", "credit-office", "administrator"),
    )
    admin = await _bearer(registry, "office.admin", office_admin["initial_password"])
    made = await registry.client.post(
        "/v1/officers", json=_body("qian.yu", "tax", "initiator"), headers=admin
    )
    assert made.status_code == 201, made.text
    everyone = (await registry.client.get("/v1/officers", headers=admin)).json()
    assert {o["username"] for o in everyone} == {"sun.li", "office.admin", "qian.yu"}
