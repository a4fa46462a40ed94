"""Officer accounts on a real PostgreSQL (docs/security.md, "Officers"): the office creates an
officer, the officer signs in with a password and acts for its department with its own roles;
a wrong password and an unknown username get the same answer; repeated failures lock the
username out; deactivation, new roles and a new password revoke the officer's tokens."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.testing import Keys, PostgresDatabases, eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def registry(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
        officer_failures_per_username="3/minute",
        token_requests_per_client="30/minute",
        token_failures_per_address="30/minute",
    )
    async with running_registry(settings, keys) as registry:
        await registry.seed_catalog()
        yield registry


async def _create(
    registry: RegistryUnderTest,
    username: str = "zhang.wei",
    roles: tuple[str, ...] = ("initiator", "reviewer"),
    department: str = "tax",
) -> dict[str, Any]:
    response = await registry.client.post(
        "/v1/officers",
        json={
            "username": username,
            "display_name": "张伟",
            "department": department,
            "roles": list(roles),
        },
        headers=registry.as_office(),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _sign_in(registry: RegistryUnderTest, username: str, password: str) -> Any:
    return await registry.client.post(
        "/v1/oauth/officer-token", data={"username": username, "password": password}
    )


async def _bearer(registry: RegistryUnderTest, username: str, password: str) -> dict[str, str]:
    response = await _sign_in(registry, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_an_officer_signs_in_and_acts_for_its_department_with_its_roles(
    registry: RegistryUnderTest,
) -> None:
    created = await _create(registry)
    assert created["roles"] == ["initiator", "reviewer"]
    assert created["department"] == "tax" and created["active"] is True
    assert "password_hash" not in created
    response = await _sign_in(registry, "zhang.wei", created["initial_password"])
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "tax"
    assert claims["officer"] == created["id"]
    assert claims["roles"] == ["initiator", "reviewer"]
    assert claims["over"] == 1
    headers = {"Authorization": f"Bearer {token}"}
    me = await registry.client.get("/v1/officers/me", headers=headers)
    assert me.status_code == 200 and me.json()["username"] == "zhang.wei"
    assert me.json()["last_sign_in_at"] is not None
    # The token names the department: a department route answers it as before.
    assert (await registry.client.get("/v1/departments/tax", headers=headers)).status_code == 200
    # ... and holds only the officer's roles: it may not manage officers.
    assert (await registry.client.get("/v1/officers", headers=headers)).status_code == 403


async def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(
    registry: RegistryUnderTest,
) -> None:
    await _create(registry)
    wrong = await _sign_in(registry, "zhang.wei", "not-the-password")
    unknown = await _sign_in(registry, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_repeated_failures_lock_the_username_out(registry: RegistryUnderTest) -> None:
    created = await _create(registry)
    for _ in range(3):
        assert (await _sign_in(registry, "zhang.wei", "guess-guess-guess")).status_code == 401
    locked = await _sign_in(registry, "zhang.wei", created["initial_password"])
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    # Another officer is not locked out by it.
    other = await _create(registry, "li.na")
    assert (await _sign_in(registry, "li.na", other["initial_password"])).status_code == 200


async def test_deactivation_revokes_the_officers_token(registry: RegistryUnderTest) -> None:
    created = await _create(registry)
    headers = await _bearer(registry, "zhang.wei", created["initial_password"])
    assert (await registry.client.get("/v1/officers/me", headers=headers)).status_code == 200
    response = await registry.client.post(
        f"/v1/officers/{created['id']}/deactivation", headers=registry.as_office()
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False

    async def refused() -> bool:
        answer = await registry.client.get("/v1/officers/me", headers=headers)
        return answer.status_code == 401

    await eventually(refused, within=10)
    answer = await registry.client.get("/v1/officers/me", headers=headers)
    assert "deactivated" in answer.json()["detail"]
    # ... and it may not sign in again.
    again = await _sign_in(registry, "zhang.wei", created["initial_password"])
    assert again.status_code == 401


async def test_new_roles_revoke_the_tokens_issued_before(registry: RegistryUnderTest) -> None:
    created = await _create(registry)
    headers = await _bearer(registry, "zhang.wei", created["initial_password"])
    changed = await registry.client.put(
        f"/v1/officers/{created['id']}/roles",
        json={"roles": ["implementer"]},
        headers=registry.as_office(),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["roles"] == ["implementer"]

    async def refused() -> bool:
        answer = await registry.client.get("/v1/officers/me", headers=headers)
        return answer.status_code == 401

    await eventually(refused, within=10)
    fresh = await _sign_in(registry, "zhang.wei", created["initial_password"])
    claims = jwt.decode(fresh.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["implementer"]


async def test_an_officer_never_gets_more_than_its_department(
    registry: RegistryUnderTest,
) -> None:
    response = await registry.client.post(
        "/v1/officers",
        json={
            "username": "zhang.wei",
            "display_name": "张伟",
            "department": "tax",
            "roles": ["initiator", "administrator"],
        },
        headers=registry.as_office(),
    )
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "roles" and problem["reason"] == "role_not_held"


async def test_another_department_creates_no_officers_of_tax(registry: RegistryUnderTest) -> None:
    response = await registry.client.post(
        "/v1/officers",
        json={"username": "zhang.wei", "display_name": "张伟", "department": "tax", "roles": []},
        headers=registry.as_department("finance"),
    )
    assert response.status_code == 403


async def test_a_username_is_unique(registry: RegistryUnderTest) -> None:
    await _create(registry)
    response = await registry.client.post(
        "/v1/officers",
        json={"username": "Zhang.Wei", "display_name": "x", "department": "tax", "roles": []},
        headers=registry.as_office(),
    )
    assert response.status_code == 409


async def test_an_officer_changes_its_own_password(registry: RegistryUnderTest) -> None:
    created = await _create(registry)
    headers = await _bearer(registry, "zhang.wei", created["initial_password"])
    short = await registry.client.post(
        "/v1/officers/me/password",
        json={"current_password": created["initial_password"], "new_password": "short-one"},
        headers=headers,
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["reason"] == "too_short"
    too_long = await registry.client.post(
        "/v1/officers/me/password",
        json={"current_password": created["initial_password"], "new_password": "ab1" * 50},
        headers=headers,
    )
    assert too_long.status_code == 422
    changed = await registry.client.post(
        "/v1/officers/me/password",
        json={
            "current_password": created["initial_password"],
            "new_password": "a long passphrase 2027",
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    old = await _sign_in(registry, "zhang.wei", created["initial_password"])
    assert old.status_code == 401
    assert (await _sign_in(registry, "zhang.wei", "a long passphrase 2027")).status_code == 200

    async def refused() -> bool:
        answer = await registry.client.get("/v1/officers/me", headers=headers)
        return answer.status_code == 401

    await eventually(refused, within=10)


async def test_the_office_lists_officers_by_department(registry: RegistryUnderTest) -> None:
    await _create(registry)
    await _create(registry, "wang.fang", ("implementer",), "market")
    response = await registry.client.get(
        "/v1/officers", params={"department": "market"}, headers=registry.as_office()
    )
    assert response.status_code == 200
    assert [o["username"] for o in response.json()] == ["wang.fang"]


async def test_wrong_current_passwords_count_toward_the_lockout(
    registry: RegistryUnderTest,
) -> None:
    created = await _create(registry)
    headers = await _bearer(registry, "zhang.wei", created["initial_password"])
    for _ in range(3):
        wrong = await registry.client.post(
            "/v1/officers/me/password",
            json={"current_password": "not-it-at-all", "new_password": "a long passphrase 2027"},
            headers=headers,
        )
        assert wrong.status_code == 401
    locked = await _sign_in(registry, "zhang.wei", created["initial_password"])
    assert locked.status_code == 429
