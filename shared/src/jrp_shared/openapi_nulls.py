"""Keep the `null`s of a service's OpenAPI examples (issue 17).

FastAPI writes its document through `jsonable_encoder(..., exclude_none=True)`, which drops
every key whose value is None, inside the examples too (fastapi/fastapi#5559): an example of
an answer with a required nullable field (`"note": null`, `"received_at": null`) comes out
without that field, and no longer matches its own schema (tests/test_openapi_examples.py).

`keep_nulls_in_examples(app)` puts the examples back as written, after FastAPI has built the
document: the examples of the models (`json_schema_extra={"examples": [...]}`, as pydantic
gives them in its JSON schema), those written on a route's answers
(`responses={200: {"content": {"application/json": {"example": ...}}}}`) and those of a
request body (`Body(openapi_examples=...)`). Nothing else in the document changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

_SUFFIXES = ("", "-Input", "-Output")
"""FastAPI names a model used both ways `Name-Input` and `Name-Output`."""


def keep_nulls_in_examples(app: FastAPI) -> None:
    """Make `app.openapi()` give every example with its nulls."""
    generate = app.openapi
    restored: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()  # FastAPI's own, cached until the routes change
        if not restored or restored[0] is not document:
            _restore(app, document)  # in place, once per document FastAPI builds
            restored[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _restore(app: FastAPI, document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for route in _routes(app):
        if route.response_field is not None:
            _model_examples(schemas, route.response_field.field_info.annotation, "serialization")
        if route.body_field is not None:
            _model_examples(schemas, route.body_field.field_info.annotation, "validation")
        operations = document["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = operations.get(method.lower())
            if operation is not None:
                _route_examples(route, operation)


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every operation as FastAPI documents it (through included routers, their prefixes
    applied): `APIRoute`'s attributes, read through its route context."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def _model_examples(schemas: dict[str, Any], annotation: Any, mode: JsonSchemaMode) -> None:
    """The examples of every model the type reaches, into their components."""
    if annotation is None:
        return
    written = TypeAdapter(annotation).json_schema(mode=mode)
    found = dict(written.get("$defs", {}))
    if "examples" in written and isinstance(written.get("title"), str):
        found[written["title"]] = written
    for name, schema in found.items():
        if "examples" not in schema:
            continue
        for suffix in _SUFFIXES:
            component = schemas.get(name + suffix)
            if component is not None and "examples" in component:
                component["examples"] = schema["examples"]


def _route_examples(route: Any, operation: dict[str, Any]) -> None:
    answers = operation.get("responses", {})
    for status, answer in route.responses.items():
        for media_type, media in (answer.get("content") or {}).items():
            target = answers.get(str(status), {}).get("content", {}).get(media_type)
            if target is not None:
                _copy(media, target)
    if route.body_field is not None:
        examples = getattr(route.body_field.field_info, "openapi_examples", None)
        content = operation.get("requestBody", {}).get("content", {})
        if examples:
            for media in content.values():
                if "examples" in media:
                    media["examples"] = jsonable_encoder(examples)


def _copy(written: dict[str, Any], target: dict[str, Any]) -> None:
    if "example" in written and "example" in target:
        target["example"] = jsonable_encoder(written["example"])
    if "examples" in written and "examples" in target:
        target["examples"] = jsonable_encoder(written["examples"])
