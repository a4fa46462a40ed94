"""Errors are RFC 9457 problem details, unknown query parameters are refused, and the OpenAPI
document says so for every operation (issue 17; docs/security.md, "Errors"). On the registry
with a real PostgreSQL database; every service gets the same from `jrp_shared.web` (the
must-check's own route: services/enforcement/tests/test_api_problems.py)."""

from typing import Any

import pytest

from jrp_registry.testing import RegistryUnderTest

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
WRONG_CHECK_CHARACTER = "91350100M000100Y42"


def _is_problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status and body["code"] == code
    assert isinstance(body["title"], str) and isinstance(body["detail"], str) and body["detail"]
    return body


async def test_a_refused_input_is_a_problem_naming_the_field(registry: RegistryUnderTest) -> None:
    answer = await registry.client.post(
        "/v1/subjects",
        json={"code": WRONG_CHECK_CHARACTER, "subject_type": "legal_person", "name": "示例"},
        headers=registry.as_department("market"),
    )
    body = _is_problem(answer, 422, "invalid_input")
    assert body["title"] == "Unprocessable Content"
    [field] = body["errors"]
    assert field["field"] == "body.code" and field["position"] == 18
    assert {"reason", "message"} <= field.keys()


async def test_the_other_statuses_are_problems_too(registry: RegistryUnderTest) -> None:
    tax = registry.as_department("tax")
    _is_problem(await registry.client.get("/v1/subjects"), 401, "unauthenticated")
    missing = await registry.client.get("/v1/subjects/91350100M000100Y43", headers=tax)
    assert _is_problem(missing, 404, "not_found")["title"] == "Not Found"
    _is_problem(await registry.client.get("/v1/no-such-route", headers=tax), 404, "not_found")
    not_json = await registry.client.post(
        "/v1/subjects",
        content=b"\xff\xfe not text",
        headers={**tax, "Content-Type": "application/json"},
    )
    [field] = _is_problem(not_json, 422, "invalid_input")["errors"]
    assert field["field"] == "body"


async def test_an_unknown_query_parameter_is_refused(registry: RegistryUnderTest) -> None:
    tax = registry.as_department("tax")
    assert (await registry.client.get("/v1/departments", headers=tax)).status_code == 200
    typo = await registry.client.get(
        "/v1/departments", params={"kind": "tax", "zz": "1"}, headers=tax
    )
    body = _is_problem(typo, 422, "invalid_input")
    assert [(e["field"], e["reason"]) for e in body["errors"]] == [
        ("query.kind", "unknown_parameter"),
        ("query.zz", "unknown_parameter"),
    ]
    known = await registry.client.get("/v1/subjects", params={"q": "示例", "limit": 5}, headers=tax)
    assert known.status_code == 200, known.text


async def test_the_document_lists_each_operations_errors(registry: RegistryUnderTest) -> None:
    document = (await registry.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"title", "status", "detail", "code"} <= set(schemas["Problem"]["required"])
    post = document["paths"]["/v1/subjects"]["post"]["responses"]
    assert {"201", "401", "403", "404", "408", "409", "413", "422", "503"} <= post.keys()
    for status in ("401", "403", "404", "408", "409", "413", "422", "503"):
        media = post[status]["content"][PROBLEM]
        assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert media["example"]["status"] == int(status)
    read = document["paths"]["/v1/subjects/{code}"]["get"]["responses"]
    assert "409" not in read and "413" not in read  # a read writes nothing, has no body
    public = document["paths"]["/v1/public/subjects"]["get"]["responses"]
    assert "429" in public and "401" not in public  # rate limited, and no token needed
    assert document["paths"]["/healthz"]["get"]["responses"].keys() == {"200"}
