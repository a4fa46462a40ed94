"""The OpenAPI document's examples keep their nulls (issue 17).

FastAPI encodes the whole document with `jsonable_encoder(..., exclude_none=True)`, which also
drops every `null` inside the examples (fastapi/fastapi#5559): an answer's example then lacks
its required nullable fields (`"revocation": null`) and no longer validates against its schema.
`keep_example_nulls` wraps the app's `openapi()`: every example of the document is put back as
it was written. The examples as written are gathered from the routes (the JSON Schemas of their
request and answer models, `openapi_examples`, `responses` and `openapi_extra`); an example of
the document is the one it is the null-stripped copy of (when only one is).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter


def keep_example_nulls(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) show the examples with their nulls."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            app.openapi_schema = _restored(document, _by_stripped_copy(_written_examples(app)))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _by_stripped_copy(examples: Iterable[Any]) -> dict[str, Any]:
    """The examples as written by their null-stripped copy. Two different examples with one
    copy (`{"a": null}` and `{"b": null}` are both `{}`) are ambiguous: neither is put back."""
    found: dict[str, list[Any]] = {}
    for example in examples:
        same = found.setdefault(_key(example), [])
        if example not in same:
            same.append(example)
    return {key: written[0] for key, written in found.items() if len(written) == 1}


def _key(example: Any) -> str:
    return json.dumps(_without_nulls(example), sort_keys=True, ensure_ascii=False)


def _without_nulls(value: Any) -> Any:
    """What FastAPI leaves of an example: no `None` in any object (list items are kept)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _written_examples(app: FastAPI) -> Iterator[Any]:
    described: list[Any] = []  # a list: not every annotation is hashable
    for context in iter_route_contexts(app.routes):  # also those of included routers
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        annotations = [route.response_model, *(p.field_info.annotation for p in _bodies(route))]
        for annotation in annotations:
            if annotation is None or annotation in described:
                continue
            described.append(annotation)
            for mode in ("validation", "serialization"):
                try:
                    schema = TypeAdapter(annotation).json_schema(mode=mode)
                except Exception:  # not a type pydantic describes (a Response): no examples
                    continue
                yield from _examples_in(schema)
        for body in _bodies(route):
            yield from _examples_in({"examples": getattr(body.field_info, "openapi_examples", {})})
        yield from _examples_in(jsonable_encoder(route.responses))
        yield from _examples_in(jsonable_encoder(route.openapi_extra or {}))


def _bodies(route: APIRoute) -> list[Any]:
    return list(route.dependant.body_params)


def _examples_in(value: Any) -> Iterator[Any]:
    """Every example in a schema or OpenAPI fragment, as JSON."""
    if isinstance(value, list):
        for item in value:
            yield from _examples_in(item)
        return
    if not isinstance(value, dict):
        return
    for name, item in value.items():
        if name == "example":
            yield jsonable_encoder(item)
        elif name == "examples" and isinstance(item, list):
            yield from (jsonable_encoder(e) for e in item)
        elif name == "examples" and isinstance(item, dict):
            for named in item.values():
                if isinstance(named, dict) and "value" in named:
                    yield jsonable_encoder(named["value"])
        else:
            yield from _examples_in(item)


def _restored(value: Any, written: dict[str, Any]) -> Any:
    def again(example: Any) -> Any:
        return written.get(_key(example), example)

    if isinstance(value, list):
        return [_restored(item, written) for item in value]
    if not isinstance(value, dict):
        return value
    restored: dict[str, Any] = {}
    for name, item in value.items():
        if name == "example":
            restored[name] = again(item)
        elif name == "examples" and isinstance(item, list):
            restored[name] = [again(e) for e in item]
        elif name == "examples" and isinstance(item, dict):
            restored[name] = {
                n: {**e, "value": again(e["value"])} if isinstance(e, dict) and "value" in e else e
                for n, e in item.items()
            }
        else:
            restored[name] = _restored(item, written)
    return restored
