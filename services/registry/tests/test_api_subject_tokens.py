"""The credit portal exchanges its department token for a subject token (docs/due-process.md)."""

import logging
from typing import Any

import pytest

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import registry_of
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_registry.service_layer import handlers
from jrp_registry.testing import RegistryUnderTest
from jrp_shared.auth import ROLE_PORTAL, ROLE_SUBJECT

pytestmark = pytest.mark.integration

VALID_USCC = "91350100M000100Y43"
PERSON = "11010519491231002X"


async def _subject_token(
    registry: RegistryUnderTest, code: str, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    response = await registry.client.post(
        "/v1/oauth/subject-token", data={"subject_code": code}, headers=headers
    )
    return response.status_code, response.json()


async def test_the_portal_gets_a_token_that_acts_as_the_subject_through_it(
    registry: RegistryUnderTest,
) -> None:
    status, body = await _subject_token(registry, VALID_USCC.lower(), registry.as_portal())
    assert status == 200, body
    assert body["token_type"] == "bearer"
    assert body["subject_code"] == VALID_USCC  # normalised
    runtime = registry_of(registry.app)
    assert body["expires_in"] == runtime.settings.token_ttl_seconds
    principal = runtime.runtime.verifier.verify(body["access_token"])
    assert principal.is_subject
    assert principal.subject_code == VALID_USCC
    assert principal.agent == "credit-office"
    assert principal.roles == {ROLE_SUBJECT}


async def test_a_person_gets_a_token_and_the_log_never_shows_the_id(
    registry: RegistryUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        status, body = await _subject_token(registry, PERSON.lower(), registry.as_portal())
    assert status == 200, body
    assert body["subject_code"] == PERSON
    principal = registry_of(registry.app).runtime.verifier.verify(body["access_token"])
    assert principal.subject_code == PERSON
    logged = caplog.text
    assert "subject token issued" in logged
    assert "110105********002X" in logged
    assert PERSON not in logged


async def test_only_a_portal_department_may_obtain_one(registry: RegistryUnderTest) -> None:
    status, body = await _subject_token(registry, VALID_USCC, registry.as_department("tax"))
    assert status == 403, body
    assert ROLE_PORTAL in str(body["detail"])
    unauthenticated = await registry.client.post(
        "/v1/oauth/subject-token", data={"subject_code": VALID_USCC}
    )
    assert unauthenticated.status_code == 401


async def test_a_subject_token_cannot_obtain_another(registry: RegistryUnderTest) -> None:
    status, _ = await _subject_token(registry, VALID_USCC, registry.as_subject(VALID_USCC))
    assert status == 403


@pytest.mark.parametrize(
    ("code", "reason", "position"),
    [
        ("91350100M000100Y42", "uscc_check_character", 18),
        ("91350100M0I0100Y43", "uscc_character", 11),
        ("110105194913310027", "resident_id_birth_date", 7),
        ("110105194912310021", "resident_id_check_character", 18),
    ],
)
async def test_a_malformed_code_is_refused_naming_the_position(
    registry: RegistryUnderTest, code: str, reason: str, position: int
) -> None:
    status, body = await _subject_token(registry, code, registry.as_portal())
    assert status == 422, body
    [problem] = body["errors"]
    assert problem["field"] == "body.subject_code"
    assert problem["reason"] == reason
    assert problem["position"] == position
    if reason.startswith("resident_id"):
        assert code not in str(body)  # personal information is never echoed


async def test_a_code_of_the_wrong_length_is_refused(registry: RegistryUnderTest) -> None:
    status, body = await _subject_token(registry, "9135", registry.as_portal())
    assert status == 422
    [problem] = body["errors"]
    assert (problem["field"], problem["reason"]) == ("body.subject_code", "uscc_length")


async def test_the_subject_token_is_refused_where_a_department_is_required(
    registry: RegistryUnderTest,
) -> None:
    _, body = await _subject_token(registry, VALID_USCC, registry.as_portal())
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    for response in (
        await registry.client.get(f"/v1/subjects/{VALID_USCC}", headers=headers),
        await registry.client.get("/v1/departments", headers=headers),
    ):
        assert response.status_code == 403, response.text


async def test_the_credit_office_logs_in_with_the_portal_role(
    registry: RegistryUnderTest,
) -> None:
    runtime = registry_of(registry.app).runtime
    async with runtime.uow() as uow:
        await handlers.load_catalog(uow, read_catalog(DEFAULT_CATALOG_DIR), "credit-office")
    for code in ("credit-office", "tax"):
        async with runtime.uow() as uow:
            await handlers.set_client_secret(uow, code, f"secret-{code}", "test")

    async def roles(code: str) -> frozenset[str]:
        response = await registry.client.post(
            "/v1/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": code,
                "client_secret": f"secret-{code}",
            },
        )
        assert response.status_code == 200, response.text
        return runtime.verifier.verify(response.json()["access_token"]).roles

    assert ROLE_PORTAL in await roles("credit-office")
    assert ROLE_PORTAL not in await roles("tax")
    office = await registry.client.get(
        "/v1/departments/credit-office", headers=registry.as_department()
    )
    assert ROLE_PORTAL in office.json()["roles"]
    tax = await registry.client.get("/v1/departments/tax", headers=registry.as_department())
    assert ROLE_PORTAL not in tax.json()["roles"]
