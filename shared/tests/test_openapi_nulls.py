"""The nulls of the OpenAPI examples survive FastAPI's document (issue 17; fastapi#5559)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI
from pydantic import BaseModel, ConfigDict

from jrp_shared.openapi_nulls import keep_nulls_in_examples

ANSWER: dict[str, Any] = {"code": "91350100M000100Y43", "note": None, "nested": {"until": None}}


class Nested(BaseModel):
    until: str | None


class Answer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ANSWER]})

    code: str
    note: str | None
    nested: Nested


class Request(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": None}]})

    note: str | None = None


def app(*, keep: bool) -> FastAPI:
    router = APIRouter(prefix="/v1/things")

    @router.get("", response_model=list[Answer])
    async def listed() -> list[dict[str, Any]]:
        return [ANSWER]

    @router.post(
        "/{code}",
        response_model=Answer,
        responses={200: {"content": {"application/json": {"example": {**ANSWER, "note": "x"}}}}},
    )
    async def changed(
        code: str,
        body: Annotated[
            Request | None,
            Body(openapi_examples={"cleared": {"summary": "s", "value": {"note": None}}}),
        ] = None,
    ) -> dict[str, Any]:
        return ANSWER

    @router.put("/{code}", response_model=Answer)
    async def replaced(code: str, body: Request) -> dict[str, Any]:
        return ANSWER

    application = FastAPI()
    application.include_router(router)
    if keep:
        keep_nulls_in_examples(application)
    return application


def test_fastapi_alone_drops_them() -> None:
    """What the helper is for: without it the example loses its null fields."""
    document = app(keep=False).openapi()
    assert document["components"]["schemas"]["Answer"]["examples"] == [
        {"code": "91350100M000100Y43", "nested": {}}
    ]


def test_every_kind_of_example_keeps_its_nulls() -> None:
    document = app(keep=True).openapi()
    schemas = document["components"]["schemas"]
    assert schemas["Answer"]["examples"] == [ANSWER]
    assert schemas["Request"]["examples"] == [{"note": None}]
    post = document["paths"]["/v1/things/{code}"]["post"]
    assert post["responses"]["200"]["content"]["application/json"]["example"] == {
        **ANSWER,
        "note": "x",
    }
    assert post["requestBody"]["content"]["application/json"]["examples"] == {
        "cleared": {"summary": "s", "value": {"note": None}}
    }
    # The rest of the document is FastAPI's: a null it dropped elsewhere stays dropped.
    assert "default" not in schemas["Request"]["properties"]["note"]


def test_the_document_is_the_same_on_every_call() -> None:
    application = app(keep=True)
    first = application.openapi()
    assert application.openapi() == first
    assert first["components"]["schemas"]["Answer"]["examples"] == [ANSWER]
