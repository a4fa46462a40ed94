"""Keep the `null`s of the registry's OpenAPI examples (issue 17).

FastAPI writes its document through `jsonable_encoder(..., exclude_none=True)`, which drops
every key whose value is None, inside the examples too (fastapi/fastapi#5559): an answer's
example with a required nullable field (a case's `"remedy": null`, a new officer's
`"last_sign_in_at": null`) comes out without it and no longer matches its own schema
(tests/test_openapi_examples.py).

`keep_nulls_in_examples(app)` puts the examples back as written once FastAPI has built the
document: a model's (`json_schema_extra`, as pydantic gives it in its JSON schema), a route's
answer's (`responses=...["example"]`) and a request body's (`Body(openapi_examples=...)`).
Nothing else in the document changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode


def keep_nulls_in_examples(app: FastAPI) -> None:
    """Make `app.openapi()` give every example with its nulls."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        _restore(app, document)  # in place, on FastAPI's cached document: idempotent
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every documented operation as FastAPI sees it (routers' prefixes applied)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def _restore(app: FastAPI, document: dict[str, Any]) -> None:
    components: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for route in _routes(app):
        if route.response_field is not None:
            _model_examples(components, route.response_field.field_info.annotation, "serialization")
        if route.body_field is not None:
            _model_examples(components, route.body_field.field_info.annotation, "validation")
        for method in route.methods:
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _route_examples(route, operation)


def _model_examples(components: dict[str, Any], annotation: Any, mode: JsonSchemaMode) -> None:
    """The examples of every model the type reaches, into their components."""
    if annotation is None:
        return
    written = TypeAdapter(annotation).json_schema(mode=mode)
    found: dict[str, Any] = dict(written.get("$defs", {}))
    if isinstance(written.get("title"), str):
        found[written["title"]] = written
    for name, schema in found.items():
        # FastAPI names a model used both ways `Name-Input` and `Name-Output`.
        for component_name in (name, f"{name}-Input", f"{name}-Output"):
            component = components.get(component_name)
            if component is not None and "examples" in schema and "examples" in component:
                component["examples"] = schema["examples"]


def _route_examples(route: Any, operation: dict[str, Any]) -> None:
    answers: dict[str, Any] = operation.get("responses", {})
    for status, answer in route.responses.items():
        for media_type, media in (answer.get("content") or {}).items():
            target = answers.get(str(status), {}).get("content", {}).get(media_type)
            if target is not None and "example" in media and "example" in target:
                target["example"] = jsonable_encoder(media["example"])
    examples = (
        getattr(route.body_field.field_info, "openapi_examples", None) if route.body_field else None
    )
    if examples:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            if "examples" in media:
                media["examples"] = jsonable_encoder(examples)
