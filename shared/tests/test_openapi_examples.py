"""The OpenAPI document keeps the nulls of its examples (jrp_shared.openapi_examples)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel, ConfigDict

from jrp_shared.openapi_examples import keep_example_nulls

SHOWN: dict[str, Any] = {
    "name": "福州示例科技有限公司",
    "revoked_at": None,
    "tags": [None],
    "nested": {"x": None},
}


class Thing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SHOWN]})

    name: str
    revoked_at: str | None
    tags: list[str | None]
    nested: dict[str, Any]


class Note(BaseModel):
    text: str | None = None


def app_with_examples() -> FastAPI:
    app = FastAPI()

    @app.post(
        "/v1/things",
        response_model=Thing,
        responses={202: {"content": {"application/json": {"example": {"queued": None, "at": 3}}}}},
        openapi_extra={"x-sample": {"example": {"kept": None, "k": 1}}},
    )
    async def post(
        note: Annotated[
            Note, Body(openapi_examples={"empty": {"summary": "no text", "value": {"text": None}}})
        ],
    ) -> Thing:
        return Thing.model_validate(SHOWN)

    keep_example_nulls(app)
    return app


def test_every_example_keeps_its_nulls() -> None:
    document = app_with_examples().openapi()
    schemas = document["components"]["schemas"]
    assert schemas["Thing"]["examples"] == [SHOWN]
    operation = document["paths"]["/v1/things"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["examples"]["empty"] == {"summary": "no text", "value": {"text": None}}
    assert operation["responses"]["202"]["content"]["application/json"]["example"] == {
        "queued": None,
        "at": 3,
    }
    assert operation["x-sample"] == {"example": {"kept": None, "k": 1}}
    # Elsewhere the document is as FastAPI makes it: no null for an unset field.
    assert "null" not in str(document["info"])
    assert "description" not in schemas["Note"]


def test_examples_stripped_alike_are_left_as_fastapi_makes_them() -> None:
    """`{"text": null}` and `{"note": null}` both come out as `{}`: which was where is not
    known, so neither is guessed."""
    app = FastAPI()

    @app.post("/v1/notes", responses={202: {"content": {"application/json": {"example": {}}}}})
    async def post(
        note: Annotated[Note, Body(openapi_examples={"a": {"value": {"text": None}}})],
    ) -> dict[str, str]:
        return {}

    @app.post("/v1/others", openapi_extra={"x-sample": {"example": {"note": None}}})
    async def other() -> dict[str, str]:
        return {}

    keep_example_nulls(app)
    document = app.openapi()
    body = document["paths"]["/v1/notes"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["a"]["value"] == {}
    assert document["paths"]["/v1/others"]["post"]["x-sample"] == {"example": {}}


async def test_the_served_document_is_the_same() -> None:
    app = app_with_examples()
    async with AsyncClient(transport=ASGITransport(app), base_url="http://jrp") as client:
        served = (await client.get("/openapi.json")).json()
    assert served == app.openapi()
    assert served["components"]["schemas"]["Thing"]["examples"] == [SHOWN]
