"""U+0000 (NUL) is refused at the door of every service (jrp_shared.nul_refusal): here a form
body and a path, on a real PostgreSQL database."""

import pytest

from jrp_registry.testing import RegistryUnderTest

pytestmark = pytest.mark.integration


async def test_a_nul_in_a_form_body_is_refused_before_the_credentials_are_checked(
    registry: RegistryUnderTest,
) -> None:
    answer = await registry.client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "tax\x00", "client_secret": "x"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {
            "field": "body",
            "reason": "nul_character",
            "message": "a text in the request contains U+0000 (NUL), which cannot be stored",
        }
    ]


async def test_a_nul_in_a_path_is_refused(registry: RegistryUnderTest) -> None:
    answer = await registry.client.get(
        "/v1/subjects/91350100M000100Y4%00", headers=registry.as_department()
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "path"
    assert answer.headers["x-correlation-id"]
