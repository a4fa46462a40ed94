"""The OpenAPI documents carry examples, and every example is true to its schema (issue 17).

Each service's document is built by its own app (no server, no database reached): every JSON
request body and every 2xx JSON answer has at least one example, and every example in the
document (request, answer, error) validates against the schema it illustrates (JSON Schema
2020-12, the dialect of OpenAPI 3.1, with the document's own `$ref`s). Schemathesis sends the
request examples to the real services in tests/test_fuzz_openapi.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from jrp_appeals.app import create_app as appeals_app
from jrp_appeals.config import AppealsSettings
from jrp_enforcement.app import create_app as enforcement_app
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.app import create_app as registry_app
from jrp_registry.config import RegistrySettings
from jrp_shared.testing import Keys
from jrp_trigger.app import create_app as trigger_app
from jrp_trigger.config import TriggerSettings

DOCUMENT = "urn:jrp:openapi"
METHODS = ("get", "put", "post", "delete", "patch")


def _common(keys: Keys, directory: Path) -> dict[str, Any]:
    return {
        "database_url": f"sqlite+aiosqlite:///{directory / 'service.db'}",
        "bus": "embedded",
        "embedded_bus_path": directory / "bus.sqlite3",
        "auth_public_key_file": keys.public_key_file,
        "log_json": False,
        "log_level": "WARNING",
    }


def _registry(keys: Keys, directory: Path) -> FastAPI:
    return registry_app(
        RegistrySettings(signing_key_file=keys.private_key_file, **_common(keys, directory))
    )


def _trigger(keys: Keys, directory: Path) -> FastAPI:
    return trigger_app(TriggerSettings(**_common(keys, directory)))


def _enforcement(keys: Keys, directory: Path) -> FastAPI:
    return enforcement_app(EnforcementSettings(**_common(keys, directory)))


def _appeals(keys: Keys, directory: Path) -> FastAPI:
    return appeals_app(AppealsSettings(**_common(keys, directory)))


SERVICES: dict[str, Callable[[Keys, Path], FastAPI]] = {
    "registry": _registry,
    "trigger": _trigger,
    "enforcement": _enforcement,
    "appeals": _appeals,
}


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """A `$ref` schema's target and its pointer (None for an inline schema)."""
    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return None, schema
    target: Any = document
    for part in reference[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return reference[1:], target


def _schema_examples(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> Iterator[tuple[str, Any]]:
    """Examples a schema carries (through a `$ref`, or its array's items), with the pointer of
    the schema each illustrates."""
    target_pointer, target = _resolve(document, schema)
    where = target_pointer or pointer
    for example in target.get("examples", []) or []:
        yield where, example
    if target.get("type") == "array" and isinstance(target.get("items"), dict):
        yield from _schema_examples(document, target["items"], where + "/items")


def _media_examples(
    document: dict[str, Any], media: dict[str, Any], pointer: str
) -> Iterator[tuple[str, Any]]:
    """Examples of one media type: its `example`, its `examples` map, its schema's."""
    schema_pointer = pointer + "/schema"
    if "example" in media:
        yield schema_pointer, media["example"]
    for named in (media.get("examples") or {}).values():
        if "value" in named:
            yield schema_pointer, named["value"]
    if isinstance(media.get("schema"), dict):
        yield from _schema_examples(document, media["schema"], schema_pointer)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _json(content: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    for media_type, media in (content or {}).items():
        if media_type == "application/json" or media_type.endswith("+json"):
            return media_type, media
    return None


def _has_schema(media: dict[str, Any]) -> bool:
    schema = media.get("schema")
    return isinstance(schema, dict) and bool(schema)


def document_of(service: str, keys: Keys, directory: Path) -> dict[str, Any]:
    openapi: dict[str, Any] = SERVICES[service](keys, directory).openapi()
    return openapi


def missing_examples(document: dict[str, Any]) -> list[str]:
    """Operations whose JSON request body or 2xx JSON answer has no example."""
    missing = []
    for path, method, operation in _operations(document):
        where = ("paths", path, method)
        body = _json((operation.get("requestBody") or {}).get("content"))
        if body is not None and _has_schema(body[1]):
            pointer = _pointer(*where, "requestBody", "content", body[0])
            if not any(True for _ in _media_examples(document, body[1], pointer)):
                missing.append(f"{method.upper()} {path}: request body")
        for status, answer in (operation.get("responses") or {}).items():
            if not status.startswith("2"):
                continue
            media = _json(answer.get("content"))
            if media is None or not _has_schema(media[1]):
                continue
            pointer = _pointer(*where, "responses", status, "content", media[0])
            if not any(True for _ in _media_examples(document, media[1], pointer)):
                missing.append(f"{method.upper()} {path}: {status} answer")
    return missing


def every_example(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where it is shown, the pointer of its schema, the example) for every example."""
    for path, method, operation in _operations(document):
        where = ("paths", path, method)
        body = _json((operation.get("requestBody") or {}).get("content"))
        if body is not None:
            pointer = _pointer(*where, "requestBody", "content", body[0])
            for schema_pointer, example in _media_examples(document, body[1], pointer):
                yield f"{method.upper()} {path} request", schema_pointer, example
        for status, answer in (operation.get("responses") or {}).items():
            media = _json(answer.get("content"))
            if media is None:
                continue
            pointer = _pointer(*where, "responses", status, "content", media[0])
            for schema_pointer, example in _media_examples(document, media[1], pointer):
                yield f"{method.upper()} {path} {status}", schema_pointer, example


def invalid_examples(document: dict[str, Any]) -> list[str]:
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    problems = []
    for shown, schema_pointer, example in every_example(document):
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT}#{schema_pointer}"},
            registry=registry,
            format_checker=FormatChecker(),
        )
        for error in validator.iter_errors(example):
            where = "/".join(str(p) for p in error.absolute_path) or "(the whole example)"
            problems.append(f"{shown}: {where}: {error.message[:300]}")
    return problems


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_body_and_answer_has_an_example(service: str, keys: Keys, tmp_path: Path) -> None:
    missing = missing_examples(document_of(service, keys, tmp_path))
    assert not missing, f"{service}: {len(missing)} without an example:\n" + "\n".join(missing)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_example_is_true_to_its_schema(service: str, keys: Keys, tmp_path: Path) -> None:
    document = document_of(service, keys, tmp_path)
    assert any(True for _ in every_example(document)), f"{service}: no example at all"
    problems = invalid_examples(document)
    assert not problems, f"{service}: {len(problems)} examples off their schema:\n" + "\n".join(
        problems
    )


def test_the_check_refuses_a_wrong_example(keys: Keys, tmp_path: Path) -> None:
    """The validation above would see a broken example: one made wrong on purpose is named."""
    document = {
        "openapi": "3.1.0",
        "paths": {
            "/v1/things": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                            }
                        }
                    },
                    "responses": {"201": {"content": {"application/json": {"schema": {}}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {"code": {"type": "string", "maxLength": 3}},
                    "required": ["code"],
                    "examples": [{"code": "abc"}, {"code": "toolong"}, {"name": "x"}],
                }
            }
        },
    }
    problems = invalid_examples(document)
    assert len(problems) == 2, problems
    assert any("toolong" in p for p in problems) and any("'code'" in p for p in problems)
    document["components"]["schemas"]["Thing"]["examples"] = []  # type: ignore[index]
    assert missing_examples(document) == ["POST /v1/things: request body"]
